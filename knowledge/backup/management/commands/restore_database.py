"""Restore the database from an R2 backup."""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from knowledge.backup.database import DatabaseTarget, TargetNotEmpty, database_restore
from knowledge.backup.services import BackupCorrupt, BackupError, BackupUnknown
from knowledge.backup.storage import BackupNotConfigured


class Command(BaseCommand):
    requires_system_checks: list = []  # the target may be empty: nothing may query it before the restore
    help = (
        "Download a database backup, verify its sha256 and restore it into the configured database (or --target). "
        "A database that already has tables is refused unless --force. Afterwards: restore_media, kb_reindex."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--key", help="the backup's key (database/...), as listed in the admin or the bucket")
        which.add_argument("--latest", action="store_true", help="the newest backup in the bucket")
        parser.add_argument("--target", metavar="DATABASE_URL", help="restore here instead of the configured database")
        parser.add_argument("--force", action="store_true", help="replace the objects of a non-empty database")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: object, key: str | None, latest: bool, **options: object) -> None:
        try:
            target = DatabaseTarget.from_url(options["target"]) if options["target"] else None
            restored = database_restore(key=key, latest=latest, target=target, force=options["force"])
        except (BackupUnknown, BackupNotConfigured, TargetNotEmpty) as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except BackupCorrupt as exc:
            raise CommandError(f"{exc}; the database was left untouched", returncode=1) from exc
        except BackupError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        result = {
            "key": restored.key,
            "database": restored.database,
            "download_seconds": restored.download_seconds,
            "restore_seconds": restored.restore_seconds,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(
                f"Restored {restored.key} into {restored.database} in {restored.restore_seconds:.1f} s; "
                "next: restore_media --latest, kb_reindex"
            )
