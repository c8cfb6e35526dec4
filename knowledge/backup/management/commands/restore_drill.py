"""The restore drill: restore a database backup into a new empty database, rebuild the index from it, time it."""

import json
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError, CommandParser

from knowledge.backup.database import restore_drill
from knowledge.backup.services import BackupCorrupt, BackupError, BackupUnknown
from knowledge.backup.storage import BackupNotConfigured


class Command(BaseCommand):
    help = (
        "Restore the latest (or --key) database backup into a new, empty database, rebuild the Chroma index from it in "
        "a fresh process and report the time of each step; the drill database is dropped afterwards. "
        "Exit 1 when the index does not hold every chunk of the backup."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--key", help="the backup's key (default: the newest in the bucket)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: object, key: str | None, **options: object) -> None:
        try:
            report = restore_drill(key=key)
        except (BackupUnknown, BackupNotConfigured) as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except (BackupCorrupt, BackupError) as exc:
            raise CommandError(f"restore drill failed: {exc}", returncode=1) from exc
        if options["json"]:
            self.stdout.write(json.dumps({**asdict(report), "complete": report.complete}))
        else:
            self.stdout.write(
                f"Restore drill of {report.key}: {report.documents} documents, {report.chunks_indexed}/"
                f"{report.chunks_in_backup} chunks indexed; download {report.download_seconds:.1f} s, restore "
                f"{report.restore_seconds:.1f} s, reindex {report.reindex_seconds:.1f} s, total {report.total_seconds:.1f} s"
            )
        if not report.complete:
            raise CommandError("the rebuilt index does not hold every chunk of the backup", returncode=1)
