"""Restore the knowledge index from an R2 backup."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from knowledge.backup.services import BackupCorrupt, BackupUnknown, backup_restore
from knowledge.backup.storage import BackupNotConfigured


class Command(BaseCommand):
    help = (
        "Download a backup, verify its sha256, unpack it and swap it in atomically (the old index is kept until then)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--key", help="the backup's key, as listed in the admin")
        which.add_argument("--latest", action="store_true", help="the newest good backup")

    def handle(self, *args: object, key: str | None, latest: bool, **options: object) -> None:
        try:
            backup = backup_restore(key=key, latest=latest)
        except (BackupUnknown, BackupNotConfigured) as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except BackupCorrupt as exc:
            raise CommandError(f"{exc}; the current index was left untouched", returncode=1) from exc
        self.stdout.write(f"Restored {backup.key} ({backup.chunks} chunks)")
