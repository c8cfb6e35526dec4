"""Compare routers on the dev set: the T5 alone, the MiniLM k-NN (semantic-router style), a logistic head on the same
MiniLM vectors ("semantic"), the n-gram model ("lexical"), and their weighted averages (the default `train_router`
serves semantic+lexical).

    VAR_DIR=... python bench/router_compare.py [--data routing/data/dev.jsonl] [--dir ROUTER_MODEL_DIR] [--json]

Needs an ensemble checkpoint with the T5 (`python manage.py train_router --with-t5`). Latency = single-query calls after warm-up, with
torch threads = ROUTER_TORCH_THREADS; the members' probabilities are computed once per query and combined
(a combination with knn and/or semantic pays for one embedding).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuzantara.settings")

import django

django.setup()

import numpy as np
import torch
from django.conf import settings

from nuzantara.embeddings import get_embedder
from routing.dataset import DATA_DIR, examples_read
from routing.ensemble import MEMBER_WEIGHTS, EnsembleRouter, classifier_probabilities, members_combine
from routing.registry import LABELS

COMBINATIONS = {
    "t5": ("t5",),
    "knn": ("knn",),
    "semantic": ("semantic",),
    "lexical": ("lexical",),
    "t5+lexical": ("t5", "lexical"),
    "semantic+lexical (default)": ("semantic", "lexical"),
    "t5+semantic+lexical": ("t5", "semantic", "lexical"),
    "all four": ("t5", "knn", "semantic", "lexical"),
}
EMBEDDING_MEMBERS = {"knn", "semantic"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DATA_DIR / "dev.jsonl")
    parser.add_argument("--dir", type=Path, default=Path(settings.ROUTER_MODEL_DIR))
    parser.add_argument("--threads", type=int, default=settings.ROUTER_TORCH_THREADS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    examples = examples_read(args.data)
    router = EnsembleRouter.load(args.dir, labels=LABELS, with_t5=True)
    embedder = get_embedder()
    truth = np.array([LABELS.index(e.tool) for e in examples])

    for example in examples[:10]:  # warm-up
        router.rank(example.query)

    names = ("t5", "embedding", "knn", "semantic", "lexical")
    member_ms: dict[str, list[float]] = {name: [] for name in names}
    probabilities: dict[str, list[np.ndarray]] = {name: [] for name in names if name != "embedding"}
    for example in examples:
        query = [example.query]
        started = time.perf_counter()
        probabilities["t5"].append(router.t5.probabilities(query).numpy()[0])
        member_ms["t5"].append(_ms(started))
        started = time.perf_counter()
        vector = embedder.encode([example.query])  # not the cached encode_one: measure the real cost
        member_ms["embedding"].append(_ms(started))
        started = time.perf_counter()
        probabilities["knn"].append(router.knn.probabilities(vector)[0])
        member_ms["knn"].append(_ms(started))
        started = time.perf_counter()
        probabilities["semantic"].append(classifier_probabilities(router.semantic, vector, n_labels=len(LABELS))[0])
        member_ms["semantic"].append(_ms(started))
        started = time.perf_counter()
        probabilities["lexical"].append(classifier_probabilities(router.lexical, query, n_labels=len(LABELS))[0])
        member_ms["lexical"].append(_ms(started))

    results = {}
    for name, members in COMBINATIONS.items():
        scored = {m: np.stack(probabilities[m]) for m in members}
        combined = members_combine(scored, MEMBER_WEIGHTS)
        timed = [*members, "embedding"] if EMBEDDING_MEMBERS & set(members) else members  # one embedding per query
        latencies = np.sum([member_ms[m] for m in timed], axis=0)
        results[name] = {
            "accuracy": round(float((combined.argmax(axis=1) == truth).mean()), 4),
            "p50_ms": round(float(np.percentile(latencies, 50)), 2),
            "p95_ms": round(float(np.percentile(latencies, 95)), 2),
        }
    report = {"n": len(examples), "threads": args.threads, "model_version": router.version, "routers": results}
    if args.json:
        print(json.dumps(report))
        return
    print(f"{len(examples)} queries from {args.data}, torch threads {args.threads}, checkpoint {router.version}")
    print(f"{'router':<30}{'accuracy':>9}{'p50 ms':>9}{'p95 ms':>9}")
    for name, r in results.items():
        print(f"{name:<30}{r['accuracy']:>9.3f}{r['p50_ms']:>9.2f}{r['p95_ms']:>9.2f}")


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    main()
