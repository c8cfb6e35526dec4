"""kb_search "QUERY" [--collection SLUG ...] [--language en|id|it] [--k 5] [--json]; or --queries FILE.jsonl --json."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from knowledge.search.index import IndexUnavailable
from knowledge.selectors import InvalidQuery, SearchHit, knowledge_search
from nuzantara.jsonl import JsonlError, read_objects


def hit_json(hit: SearchHit) -> dict:
    """One result as `--json` prints it (and the batch form, one list per query)."""
    return {
        "collection": hit.collection,
        "document_id": hit.document_id,
        "title": hit.title,
        "source": hit.source,
        "chunk": hit.text,
        "score": round(hit.score, 6),
        "vector_score": None if hit.vector_score is None else round(hit.vector_score, 6),
        "lexical_score": None if hit.lexical_score is None else round(hit.lexical_score, 6),
    }


def read_queries(path: Path) -> list[dict]:
    """The `{"q"}` lines of a JSONL file (optional "collection", "language"); CommandError (exit 2) names a bad line."""
    try:
        rows = read_objects(path)
    except JsonlError as exc:
        raise CommandError(str(exc), returncode=2) from None
    for where, row in rows:
        if not isinstance(row.get("q"), str):
            raise CommandError(f'{where}: each line must be an object with a "q" string', returncode=2)
        if row.get("collection") is not None and not isinstance(row["collection"], str):
            raise CommandError(f'{where}: "collection" must be a string', returncode=2)
    return [row for _, row in rows]


class Command(BaseCommand):
    requires_system_checks: list = []  # skip the URLconf import (other apps pull heavy SDKs in): fast re-runs
    help = "Hybrid search of the knowledge base (vector + BM25). --json prints a list of hits; --queries runs a batch."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", nargs="?")
        parser.add_argument("--queries", type=Path, help='a JSONL file of {"q", "collection"?, "language"?} lines')
        parser.add_argument("--collection", action="append", dest="collections", metavar="SLUG")
        parser.add_argument("--language", choices=["en", "id", "it"])
        parser.add_argument("--k", type=int, default=5)
        parser.add_argument("--json", action="store_true")

    def handle(
        self, *args: object, query: str | None, collections: list[str] | None, language: str | None, k: int, **options
    ) -> None:
        if (query is None) == (options["queries"] is None):
            raise CommandError("Give one query, or --queries FILE.jsonl.", returncode=2)
        if options["queries"] is not None:
            self._batch(read_queries(options["queries"]), k=k, as_json=options["json"])
            return
        hits = self._search(query=query, collections=collections, language=language, k=k)
        if options["json"]:
            self.stdout.write(json.dumps([hit_json(hit) for hit in hits], ensure_ascii=False))
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

    def _search(self, **kwargs: object) -> list[SearchHit]:
        try:
            return knowledge_search(**kwargs)
        except InvalidQuery as exc:
            raise CommandError(str(exc), returncode=2) from None
        except IndexUnavailable as exc:
            raise CommandError(f"The Chroma index is unavailable: {exc}") from None

    def _batch(self, queries: list[dict], *, k: int, as_json: bool) -> None:
        for row in queries:
            collection = row.get("collection")
            hits = self._search(
                query=row["q"], collections=[collection] if collection else None, language=row.get("language"), k=k
            )
            if as_json:
                line = {"query": row["q"], "results": [hit_json(hit) for hit in hits]}
                self.stdout.write(json.dumps(line, ensure_ascii=False))
            else:
                self.stdout.write(f"{row['q']}\n" + "".join(f"  [{h.collection}] {h.title}\n" for h in hits))
