"""kb_stats [--json]: documents and chunks per collection, and the embedding model."""

import json

from django.core.management.base import BaseCommand, CommandParser

from knowledge.selectors import collection_stats


def embedding_info() -> tuple[str, int]:
    """The model's name and vector size, read from its files so the model is not loaded just to print them."""
    from nuzantara.embeddings import get_embedder, model_location

    path, name = model_location()
    try:
        modules = json.loads((path / "modules.json").read_text())
        if not any("Dense" in m.get("type", "") for m in modules):
            pooling = next(m["path"] for m in modules if m.get("type", "").endswith("Pooling"))
            dim = json.loads((path / pooling / "config.json").read_text())["word_embedding_dimension"]
            return name, int(dim)
    except (OSError, ValueError, KeyError, StopIteration):
        pass
    embedder = get_embedder()
    return embedder.name, embedder.dim


class Command(BaseCommand):
    requires_system_checks: list = []  # skip the URLconf import (other apps pull heavy SDKs in): fast re-runs
    help = "Per-collection counts of active documents and chunks; --json for scripts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        stats = collection_stats()
        model, dim = embedding_info()
        if options["json"]:
            body = {
                "collections": [{"slug": s.slug, "documents": s.documents, "chunks": s.chunks} for s in stats],
                "embedding_model": model,
                "dim": dim,
            }
            self.stdout.write(json.dumps(body))
            return
        from knowledge.search import index

        width = max(len(s.slug) for s in stats) if stats else 10
        self.stdout.write(f"{'collection':<{width}}  documents  chunks  indexed")
        for s in stats:
            self.stdout.write(f"{s.slug:<{width}}  {s.documents:>9}  {s.chunks:>6}  {index.count(slug=s.slug):>7}")
        self.stdout.write(f"embedding model: {model} ({dim} dimensions)")
