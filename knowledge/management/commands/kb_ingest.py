"""kb_ingest PATH... [--collection SLUG] [--json]: load documents into the knowledge base (idempotent)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from knowledge.ingest.files import collect_files
from knowledge.models import Collection
from knowledge.search.index import IndexUnavailable
from knowledge.services import files_ingest


class Command(BaseCommand):
    requires_system_checks: list = []  # skip the URLconf import (other apps pull heavy SDKs in): fast re-runs
    help = (
        "Ingest files or folders (.md with front matter, .txt, .html, .pdf, .docx). The collection comes from each "
        "file's front matter unless --collection forces one. Unchanged files are skipped; rejected files are listed "
        "and the command exits 2 after ingesting the others."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--collection", help="put every file in this collection (overrides the front matter)")
        parser.add_argument("--batch-chunks", type=int, default=512, help="chunks embedded and written per batch")
        parser.add_argument("--json", action="store_true", help="print a JSON summary on stdout")

    def handle(self, *args: object, paths: list[Path], collection: str | None, batch_chunks: int, **options) -> None:
        target = None
        if collection:
            target = Collection.objects.filter(slug=collection).first()
            if target is None:
                raise CommandError(f"Unknown collection {collection!r}.", returncode=2)
        try:
            files = collect_files(paths)
        except FileNotFoundError as exc:
            raise CommandError(str(exc), returncode=2) from None
        with tqdm(total=len(files), unit="file", desc="kb_ingest", disable=None) as bar:
            try:
                report = files_ingest(
                    paths=files, collection=target, batch_chunks=max(1, batch_chunks), on_file=lambda _: bar.update()
                )
            except IndexUnavailable as exc:
                raise CommandError(
                    f"The Chroma index is unavailable, nothing of the current batch was written: {exc}"
                ) from None
        if options["json"]:
            summary = {
                "created": len(report.created),
                "updated": len(report.updated),
                "unchanged": len(report.unchanged),
                "chunks": report.chunks,
                "seconds": round(report.seconds, 2),
                "rejected": [{"path": path, "reason": reason} for path, reason in report.rejected],
            }
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(
                f"{len(report.created)} created, {len(report.updated)} updated ({report.chunks} chunks), "
                f"{len(report.unchanged)} unchanged, {len(report.rejected)} rejected in {report.seconds:.1f} s"
            )
        for path, reason in report.rejected:
            self.stderr.write(f"rejected {path}: {reason}")
        if report.rejected:
            raise CommandError(
                f"{len(report.rejected)} file(s) rejected (see above); the others were ingested.", returncode=2
            )
