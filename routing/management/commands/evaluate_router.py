import json
import time
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from routing.dataset import InvalidDataset, examples_read
from routing.engine import TRAIN_HINT, router_get, router_problem
from routing.registry import LABELS
from routing.services import route_query

WARM_UP_CALLS = 10


class Command(BaseCommand):
    help = (
        "Measure the router on a JSONL file of {query, tool} lines: accuracy, per-tool precision/recall and the "
        "latency of single-query predictions (after warm-up)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="JSONL file, e.g. routing/data/dev.jsonl")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options) -> None:
        try:
            examples = examples_read(options["file"])
        except InvalidDataset as exc:
            raise CommandError(str(exc), returncode=2) from None
        router = router_get()
        if router is None:
            raise CommandError(f"{router_problem()}: {TRAIN_HINT}", returncode=2)
        for number in range(WARM_UP_CALLS):
            # not the file's own queries: the embedding cache would then make their measured calls look faster
            route_query(query=f"warm-up call number {number}", log=False)
        predicted: list[str] = []
        latencies: list[float] = []
        for example in examples:
            started = time.perf_counter()
            prediction = route_query(query=example.query, log=False)
            latencies.append((time.perf_counter() - started) * 1000)
            predicted.append(prediction.tool)
        truth = [example.tool for example in examples]
        report = {
            "n": len(examples),
            "accuracy": round(sum(p == t for p, t in zip(predicted, truth, strict=True)) / len(examples), 4),
            "p50_ms": round(float(np.percentile(latencies, 50)), 2),
            "p95_ms": round(float(np.percentile(latencies, 95)), 2),
            "per_tool": _per_tool(predicted, truth),
            "model_version": router.version,
        }
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(
            f"{report['n']} queries, accuracy {report['accuracy']:.3f}, p50 {report['p50_ms']} ms, "
            f"p95 {report['p95_ms']} ms, model {report['model_version']}"
        )
        for label, scores in report["per_tool"].items():
            self.stdout.write(f"  {label:<10} precision {scores['precision']:.3f}  recall {scores['recall']:.3f}")


def _per_tool(predicted: list[str], truth: list[str]) -> dict[str, dict[str, float]]:
    scores = {}
    for label in LABELS:
        true_positives = sum(p == t == label for p, t in zip(predicted, truth, strict=True))
        n_predicted = predicted.count(label)
        n_true = truth.count(label)
        scores[label] = {
            "precision": round(true_positives / n_predicted, 4) if n_predicted else 0.0,
            "recall": round(true_positives / n_true, 4) if n_true else 0.0,
        }
    return scores
