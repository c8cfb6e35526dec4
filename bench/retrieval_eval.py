"""Retrieval quality on the demo knowledge base: hit@5 and MRR@5 over the labelled questions (EN/ID/IT). Goal hit@5 >= 0.9.

Usage: python bench/retrieval_eval.py [--data bench/data/retrieval_eval.jsonl] [--k 5] [--filtered] [--misses]
       [--configured]

By default it ingests knowledge/demo into a throwaway SQLite database and var dir (about a minute, mostly
embedding); --configured uses the project's configured database and Chroma as they are (after `make run`).
A question counts as a hit when a chunk of one of its expected documents ("<collection>/<file>") is in the top k;
search runs over all collections unless --filtered passes the question's collection.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data" / "retrieval_eval.jsonl")
    parser.add_argument("--demo", type=Path, default=ROOT / "knowledge" / "demo")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--filtered", action="store_true", help="restrict each search to the question's collection")
    parser.add_argument("--misses", action="store_true", help="print every question that missed")
    parser.add_argument("--configured", action="store_true", help="use the configured database and Chroma as they are")
    args = parser.parse_args()

    tmp = None
    if not args.configured:
        tmp = Path(tempfile.mkdtemp(prefix="nuz-kb-eval-"))
        os.environ.update({"VAR_DIR": str(tmp / "var"), "CHROMA_DIR": str(tmp / "var" / "chroma")})
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("CHROMA_HOST", None)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuzantara.settings")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import django

    django.setup()
    from django.core.management import call_command

    from knowledge.ingest.files import collect_files
    from knowledge.models import Document
    from knowledge.selectors import knowledge_search
    from knowledge.services import files_ingest

    try:
        if not args.configured:
            call_command("migrate", verbosity=0)
            report = files_ingest(paths=collect_files([args.demo]))
            print(
                f"ingested {len(report.created)} demo documents ({report.chunks} chunks) in {report.seconds:.0f} s; "
                f"rejected {len(report.rejected)}"
            )
            for path, reason in report.rejected:
                print(f"  rejected {path}: {reason}")
        questions = [json.loads(line) for line in args.data.read_text().splitlines() if line.strip()]
        key_of = {
            pk: f"{slug}/{name}"
            for pk, slug, name in Document.objects.filter(status=Document.Status.ACTIVE).values_list(
                "pk", "collection__slug", "original_name"
            )
        }
        known = set(key_of.values())
        missing = sorted({e for q in questions for e in q["expected"] if e not in known})
        if missing:
            print(f"warning: {len(missing)} expected documents are not in the knowledge base: {', '.join(missing)}")

        hits_at_k, reciprocal, latencies = [], [], []
        by_language: dict[str, list[int]] = defaultdict(list)
        by_collection: dict[str, list[int]] = defaultdict(list)
        misses = []
        for question in questions:
            started = time.perf_counter()
            results = knowledge_search(
                query=question["query"],
                collections=[question["collection"]] if args.filtered and question.get("collection") else None,
                k=args.k,
            )
            latencies.append((time.perf_counter() - started) * 1000)
            ranked = [key_of.get(hit.document_id, "?") for hit in results]
            rank = next((i for i, key in enumerate(ranked, start=1) if key in question["expected"]), None)
            hit = int(rank is not None)
            hits_at_k.append(hit)
            reciprocal.append(1.0 / rank if rank else 0.0)
            by_language[question.get("language", "?")].append(hit)
            by_collection[question.get("collection", "?")].append(hit)
            if not hit:
                misses.append((question, ranked))

        n = len(questions)
        print(
            f"{n} questions, k={args.k}{' (filtered by collection)' if args.filtered else ''}: "
            f"hit@{args.k} {sum(hits_at_k) / n:.3f}  MRR@{args.k} {sum(reciprocal) / n:.3f}  "
            f"(goal hit@5 >= 0.9)"
        )
        print(
            "  by language: "
            + ", ".join(f"{lang} {sum(h) / len(h):.2f} (n={len(h)})" for lang, h in sorted(by_language.items()))
        )
        print(
            "  by collection: "
            + ", ".join(f"{slug} {sum(h) / len(h):.2f}" for slug, h in sorted(by_collection.items()))
        )
        latencies.sort()
        print(f"  search latency: p50 {latencies[n // 2]:.1f} ms, p95 {latencies[min(n - 1, int(n * 0.95))]:.1f} ms")
        if args.misses:
            for question, ranked in misses:
                print(f"  MISS [{question.get('language')}] {question['query']}")
                print(f"       expected {question['expected']}; got {ranked}")
    finally:
        if tmp is not None:
            from knowledge.search import index

            index.reset_client()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
