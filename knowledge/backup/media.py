"""Back up the uploaded originals (the documents' files in the default storage) to R2 and restore them.

Files are stored once by content (`media/objects/<sha256>`); each backup is a manifest (`media/manifests/<time>.json`)
mapping storage names to sha256 and size. Retention keeps the newest manifests and the objects they name.
"""

import hashlib
import json
import logging
import tempfile
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from storages.backends.s3 import S3Storage

from knowledge.models import Document

from .models import Backup
from .services import BackupCorrupt, BackupError, BackupUnknown, backup_record_failed, backup_storage_or_skip
from .storage import backup_storage

logger = logging.getLogger(__name__)
OBJECTS = "media/objects/"
MANIFESTS = "media/manifests/"
SPOOL_BYTES = 8 * 1024 * 1024


def _spool_with_sha256(handle: File) -> tuple[tempfile.SpooledTemporaryFile, str, int]:
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - returned open to the caller
    digest, size = hashlib.sha256(), 0
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
        spool.write(block)
        size += len(block)
    spool.seek(0)
    return spool, digest.hexdigest(), size


def media_original_names() -> list[str]:
    """The storage names of every document's original file: what the database says must be kept."""
    names = Document.objects.exclude(original_file="").values_list("original_file", flat=True).distinct()
    return sorted(names)


def media_backup_create(*, attempt: int = 1) -> Backup:
    """Upload the originals not yet in the bucket, then the manifest; the record is `good` once the manifest is up.

    Originals the database names but the storage lacks are listed in the manifest and in the record's error text.
    """
    started = time.monotonic()
    storage = backup_storage_or_skip(kind=Backup.Kind.MEDIA)
    now = timezone.now()
    key = f"{MANIFESTS}{now:%Y%m%dT%H%M%S}.{now:%f}Z-{uuid.uuid4().hex[:8]}.json"
    backup = Backup.objects.create(kind=Backup.Kind.MEDIA, key=key, attempts=attempt)
    files: list[dict] = []
    missing: list[str] = []
    uploaded = 0
    try:
        for name in media_original_names():
            if not default_storage.exists(name):
                missing.append(name)
                continue
            with default_storage.open(name, "rb") as handle:
                spool, sha256, size = _spool_with_sha256(handle)
            with spool:
                object_key = OBJECTS + sha256
                if not storage.exists(object_key):
                    if storage.save(object_key, File(spool, name=object_key)) != object_key:
                        raise BackupError(f"the bucket did not store {object_key!r} under its name")
                    uploaded += 1
            files.append({"name": name, "sha256": sha256, "size": size})
        manifest = {"created_at": now.isoformat(), "files": files, "missing": missing}
        body = json.dumps(manifest, indent=2).encode()
        if storage.save(key, ContentFile(body)) != key:
            raise BackupError(f"the bucket did not store {key!r} under its name")
    except Exception as exc:
        backup_record_failed(backup, exc, started=started)
        logger.warning("media backup failed", extra={"key": key, "error": type(exc).__name__})
        raise
    backup.status = Backup.Status.GOOD
    backup.sha256 = hashlib.sha256(body).hexdigest()
    backup.size_bytes = sum(f["size"] for f in files)
    backup.documents = len(files)
    backup.manifest = {"files": len(files), "uploaded": uploaded, "missing": missing}
    if missing:
        backup.error = f"{len(missing)} original(s) named by documents are missing from storage: {', '.join(missing)}"[
            :2000
        ]
    backup.duration_ms = int((time.monotonic() - started) * 1000)
    backup.save()
    logger.info("media backup uploaded", extra={"key": key, "files": len(files), "uploaded": uploaded})
    media_retention_apply(keep=settings.BACKUP_RETENTION)
    return backup


def media_manifest_keys(*, storage: S3Storage | None = None) -> list[str]:
    """The media manifests in the bucket, newest first (keys start with their UTC time)."""
    storage = storage or backup_storage()
    _, names = storage.listdir(MANIFESTS.rstrip("/"))
    return sorted((MANIFESTS + n for n in names if n.endswith(".json")), reverse=True)


def _read_manifest(storage: S3Storage, key: str) -> dict:
    with storage.open(key, "rb") as handle:
        return json.loads(handle.read())


def media_retention_apply(*, keep: int) -> list[str]:
    """Delete manifests older than the newest `keep`, then every object no kept manifest names."""
    storage = backup_storage()
    manifests = media_manifest_keys(storage=storage)
    kept, old = manifests[:keep], manifests[keep:]
    for key in old:
        storage.delete(key)
    Backup.objects.filter(kind=Backup.Kind.MEDIA, key__in=old).update(status=Backup.Status.DELETED)
    referenced = {f["sha256"] for key in kept for f in _read_manifest(storage, key)["files"]}
    _, objects = storage.listdir(OBJECTS.rstrip("/"))
    for sha256 in objects:
        if sha256 not in referenced:
            storage.delete(OBJECTS + sha256)
    return old


@dataclass(frozen=True)
class MediaRestored:
    key: str
    restored: int
    unchanged: int


def media_restore(*, key: str | None = None, latest: bool = False) -> MediaRestored:
    """Put every file of a manifest back into the default storage under its name, each checked against its sha256.

    Files already there with the right content are left alone; a file with other content is replaced.
    """
    storage = backup_storage()
    if latest:
        keys = media_manifest_keys(storage=storage)
        if not keys:
            raise BackupUnknown("there is no media backup in the bucket")
        key = keys[0]
    elif not (key and key.startswith(MANIFESTS) and key.endswith(".json") and storage.exists(key)):
        raise BackupUnknown(f"unknown media backup key: {key}")
    restored = unchanged = 0
    for entry in _read_manifest(storage, key)["files"]:
        name = entry["name"]
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as handle:
                spool, sha256, _ = _spool_with_sha256(handle)
            spool.close()
            if sha256 == entry["sha256"]:
                unchanged += 1
                continue
            default_storage.delete(name)
        with storage.open(OBJECTS + entry["sha256"], "rb") as remote:
            spool, sha256, _ = _spool_with_sha256(remote)
        with spool:
            if sha256 != entry["sha256"]:
                raise BackupCorrupt(f"sha256 mismatch for {name}: expected {entry['sha256']}, got {sha256}")
            if default_storage.save(name, File(spool, name=name)) != name:
                raise BackupError(f"the storage did not keep {name!r} under its name")
        restored += 1
    logger.info("media restored", extra={"key": key, "restored": restored, "unchanged": unchanged})
    return MediaRestored(key=key, restored=restored, unchanged=unchanged)
