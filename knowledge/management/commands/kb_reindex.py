"""kb_reindex [--collection SLUG] [--missing]: rebuild the Chroma index from Postgres.

--missing rebuilds only the collections that have chunks but no vectors under the current index recipe (a new install,
or one made by an earlier recipe: see knowledge/search/embedding.py); `load_demo` runs it, so an upgrade re-embeds once.
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from knowledge.models import Chunk, Collection, Document
from knowledge.search import index
from knowledge.search.index import IndexUnavailable
from knowledge.services import collection_reindex


class Command(BaseCommand):
    requires_system_checks: list = []  # skip the URLconf import (other apps pull heavy SDKs in): fast re-runs
    help = "Drop and rebuild the Chroma index of one collection (or all) from the chunks stored in Postgres."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--collection", help="only this collection")
        parser.add_argument("--missing", action="store_true", help="only collections with no vectors yet")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: object, collection: str | None, **options: object) -> None:
        collections = Collection.objects.all()
        if collection:
            collections = collections.filter(slug=collection)
            if not collections.exists():
                raise CommandError(f"Unknown collection {collection!r}.", returncode=2)
        if options["missing"]:
            try:
                collections = [c for c in collections if c.documents.exists() and index.count(slug=c.slug) == 0]
            except IndexUnavailable as exc:
                raise CommandError(f"The Chroma index is unavailable: {exc}") from None
        total = Chunk.objects.filter(document__collection__in=collections, document__status=Document.Status.ACTIVE)
        started = time.perf_counter()
        counts: dict[str, int] = {}
        with tqdm(total=total.count(), unit="chunk", desc="kb_reindex", disable=None) as bar:
            try:
                for target in collections:
                    counts[target.slug] = collection_reindex(collection=target, on_progress=bar.update)
            except IndexUnavailable as exc:
                raise CommandError(f"The Chroma index is unavailable: {exc}") from None
        seconds = time.perf_counter() - started
        if options["json"]:
            rows = [{"slug": slug, "chunks": n} for slug, n in counts.items()]
            self.stdout.write(json.dumps({"collections": rows, "seconds": round(seconds, 2)}))
        else:
            self.stdout.write(
                f"Reindexed {sum(counts.values())} chunks in {len(counts)} collection(s) in {seconds:.1f} s"
            )
