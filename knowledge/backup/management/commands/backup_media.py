"""Back up the uploaded originals to R2 now."""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from knowledge.backup.media import media_backup_create
from knowledge.backup.storage import BackupNotConfigured


class Command(BaseCommand):
    help = "Upload the documents' original files not yet in R2 and a sha256 manifest of all of them; apply retention."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        try:
            backup = media_backup_create()
        except BackupNotConfigured as exc:
            raise CommandError(f"backup skipped and recorded as skipped: {exc}", returncode=2) from exc
        except Exception as exc:
            raise CommandError(f"backup failed and was recorded as failed: {exc}", returncode=1) from exc
        result = {"key": backup.key, "files": backup.documents, **backup.manifest}
        self.stdout.write(
            json.dumps(result) if options["json"] else f"Uploaded {backup.key} ({backup.documents} files)"
        )
        if backup.error:
            self.stderr.write(backup.error)
