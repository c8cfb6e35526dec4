"""Restore the uploaded originals from an R2 backup."""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from knowledge.backup.media import media_restore
from knowledge.backup.services import BackupCorrupt, BackupUnknown
from knowledge.backup.storage import BackupNotConfigured


class Command(BaseCommand):
    help = "Put the files of a media manifest back into the default storage, each checked against its sha256."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--key", help="the manifest's key (media/manifests/...)")
        which.add_argument("--latest", action="store_true", help="the newest manifest in the bucket")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: object, key: str | None, latest: bool, **options: object) -> None:
        try:
            restored = media_restore(key=key, latest=latest)
        except (BackupUnknown, BackupNotConfigured) as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except BackupCorrupt as exc:
            raise CommandError(str(exc), returncode=1) from exc
        result = {"key": restored.key, "restored": restored.restored, "unchanged": restored.unchanged}
        self.stdout.write(
            json.dumps(result)
            if options["json"]
            else f"Restored {restored.restored} file(s) from {restored.key}; {restored.unchanged} already in place"
        )
