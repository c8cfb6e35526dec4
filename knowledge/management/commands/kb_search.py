"""kb_search "QUERY" [--collection SLUG ...] [--language en|id|it] [--k 5] [--json]."""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from knowledge.search.index import IndexUnavailable
from knowledge.selectors import InvalidQuery, knowledge_search


class Command(BaseCommand):
    requires_system_checks: list = []  # skip the URLconf import (other apps pull heavy SDKs in): fast re-runs
    help = "Hybrid search of the knowledge base (vector + BM25). --json prints a list of hits."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query")
        parser.add_argument("--collection", action="append", dest="collections", metavar="SLUG")
        parser.add_argument("--language", choices=["en", "id", "it"])
        parser.add_argument("--k", type=int, default=5)
        parser.add_argument("--json", action="store_true")

    def handle(
        self, *args: object, query: str, collections: list[str] | None, language: str | None, k: int, **options
    ) -> None:
        try:
            hits = knowledge_search(query=query, collections=collections, language=language, k=k)
        except InvalidQuery as exc:
            raise CommandError(str(exc), returncode=2) from None
        except IndexUnavailable as exc:
            raise CommandError(f"The Chroma index is unavailable: {exc}") from None
        if options["json"]:
            rows = [
                {
                    "collection": hit.collection,
                    "document_id": hit.document_id,
                    "title": hit.title,
                    "source": hit.source,
                    "chunk": hit.text,
                    "score": round(hit.score, 6),
                }
                for hit in hits
            ]
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        if not hits:
            self.stdout.write("No results.")
        for rank, hit in enumerate(hits, start=1):
            stale = " [stale]" if hit.stale else ""
            self.stdout.write(
                f"{rank}. {hit.score:.4f} [{hit.collection}] {hit.title}{stale}"
                + (f" > {hit.heading_path}" if hit.heading_path else "")
            )
            preview = " ".join(hit.text.split())
            self.stdout.write(f"   {preview[:200]}{'…' if len(preview) > 200 else ''}")
