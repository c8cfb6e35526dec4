"""Back up the database to R2 now."""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from knowledge.backup.database import database_backup_create
from knowledge.backup.storage import BackupNotConfigured


class Command(BaseCommand):
    help = (
        "Dump the database (PostgreSQL: pg_dump custom format; SQLite: online backup), upload it to R2 with a sha256 "
        "sidecar and apply retention (BACKUP_RETENTION)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        try:
            backup = database_backup_create()
        except BackupNotConfigured as exc:
            raise CommandError(f"backup skipped and recorded as skipped: {exc}", returncode=2) from exc
        except Exception as exc:
            raise CommandError(f"backup failed and was recorded as failed: {exc}", returncode=1) from exc
        result = {"key": backup.key, "bytes": backup.size_bytes, "sha256": backup.sha256}
        self.stdout.write(
            json.dumps(result) if options["json"] else f"Uploaded {backup.key} ({backup.size_bytes} bytes)"
        )
