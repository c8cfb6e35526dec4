"""Back up the Chroma index to R2 and restore it: snapshot under the write lock, tar.gz + sha256, atomic swap on restore."""

import hashlib
import json
import logging
import shutil
import tarfile
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db.models import Count, Q
from django.utils import timezone
from storages.backends.s3 import S3Storage

from knowledge.models import Chunk, Collection, CorpusState, Document
from knowledge.search.index import reset_client
from knowledge.search.writelock import index_write_lock

from .models import Backup
from .storage import PREFIX, BackupNotConfigured, backup_storage

logger = logging.getLogger(__name__)
MANIFEST = "manifest.json"
SNAPSHOT = "chroma"


class BackupError(RuntimeError):
    pass


class BackupUnknown(BackupError):
    pass


class BackupCorrupt(BackupError):
    pass


class BackupSkipped(BackupError):
    """Not attempted (R2 not configured, index on a Chroma server); recorded `skipped` so the admin shows it."""


def backup_record_skipped(*, kind: str, reason: str) -> Backup:
    """Record a backup that could not be attempted: a visible row, not only a log line."""
    key = f"skipped/{kind}/{timezone.now():%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    logger.warning("backup skipped", extra={"kind": kind, "reason": reason})
    return Backup.objects.create(kind=kind, key=key, status=Backup.Status.SKIPPED, error=reason[:2000])


def backup_record_failed(backup: Backup, exc: Exception, *, started: float) -> None:
    """Record a backup that raised: failed, with the error and how long it ran (`started`: time.monotonic())."""
    backup.status = Backup.Status.FAILED
    backup.error = f"{type(exc).__name__}: {exc}"[:2000]
    backup.duration_ms = int((time.monotonic() - started) * 1000)
    backup.save()


def backup_storage_or_skip(*, kind: str) -> S3Storage:
    """The bucket, or a `skipped` record and BackupNotConfigured when R2 settings are missing."""
    try:
        return backup_storage()
    except BackupNotConfigured as exc:
        backup_record_skipped(kind=kind, reason=str(exc))
        raise


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest() -> dict:
    from nuzantara.embeddings import get_embedder

    active = Q(documents__status=Document.Status.ACTIVE)
    rows = Collection.objects.annotate(
        n_documents=Count("documents", filter=active, distinct=True),
        n_chunks=Count("documents__chunks", filter=active),
    ).order_by("slug")
    embedder = get_embedder()
    return {
        "created_at": timezone.now().isoformat(),
        "collections": [{"slug": c.slug, "documents": c.n_documents, "chunks": c.n_chunks} for c in rows],
        "documents": Document.objects.filter(status=Document.Status.ACTIVE).count(),
        "chunks": Chunk.objects.filter(document__status=Document.Status.ACTIVE).count(),
        "embedding_model": embedder.name,
        "dim": embedder.dim,
    }


def backup_create(*, attempt: int = 1) -> Backup:
    """Snapshot the local Chroma directory and upload it; the record is `good` only after the upload succeeded."""
    if settings.CHROMA_HOST:
        reason = "CHROMA_HOST is set: back up the Chroma server's own volume (or rebuild with kb_reindex)"
        backup_record_skipped(kind=Backup.Kind.INDEX, reason=reason)
        raise BackupSkipped(reason)
    started = time.monotonic()
    storage = backup_storage_or_skip(kind=Backup.Kind.INDEX)
    key = f"{PREFIX}{timezone.now():%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}.tar.gz"
    backup = Backup.objects.create(kind=Backup.Kind.INDEX, key=key, attempts=attempt)
    try:
        with tempfile.TemporaryDirectory(prefix="nuz-backup-") as tmp:
            work = Path(tmp)
            source = Path(settings.CHROMA_DIR)
            with index_write_lock():  # no index write lands half-way through the copy
                if source.is_dir():
                    shutil.copytree(source, work / SNAPSHOT)
                else:
                    (work / SNAPSHOT).mkdir()
                manifest = _manifest()
            (work / MANIFEST).write_text(json.dumps(manifest, indent=2))
            archive = work / "backup.tar.gz"
            with tarfile.open(archive, "w:gz") as tar:
                tar.add(work / MANIFEST, arcname=MANIFEST)
                tar.add(work / SNAPSHOT, arcname=SNAPSHOT)
            backup.sha256 = file_sha256(archive)
            backup.size_bytes = archive.stat().st_size
            with open(archive, "rb") as handle:
                saved = storage.save(key, File(handle, name=key))
            if saved != key:
                raise BackupError(f"the bucket stored {saved!r} instead of {key!r}")
    except Exception as exc:
        backup_record_failed(backup, exc, started=started)
        logger.warning("index backup failed", extra={"key": key, "error": type(exc).__name__})
        raise
    backup.status = Backup.Status.GOOD
    backup.manifest = manifest
    backup.collections = len(manifest["collections"])
    backup.documents = manifest["documents"]
    backup.chunks = manifest["chunks"]
    backup.duration_ms = int((time.monotonic() - started) * 1000)
    backup.save()
    logger.info("index backup uploaded", extra={"key": key, "bytes": backup.size_bytes})
    backup_retention_apply(keep=settings.BACKUP_RETENTION)
    return backup


def backup_retention_apply(*, keep: int) -> list[str]:
    """Delete the objects of good backups older than the newest `keep`."""
    storage = backup_storage()
    good = Backup.objects.filter(kind=Backup.Kind.INDEX, status=Backup.Status.GOOD)
    old = list(good.order_by("-created_at", "-id")[keep:])
    removed = []
    for backup in old:
        storage.delete(backup.key)
        backup.status = Backup.Status.DELETED
        backup.save(update_fields=["status"])
        removed.append(backup.key)
    return removed


def _find(*, key: str | None, latest: bool) -> Backup:
    good = Backup.objects.filter(kind=Backup.Kind.INDEX, status=Backup.Status.GOOD)
    if latest:
        backup = good.order_by("-created_at", "-id").first()
        if backup is None:
            raise BackupUnknown("there is no good backup to restore")
        return backup
    backup = good.filter(key=key).first()
    if backup is None:
        raise BackupUnknown(f"unknown backup key: {key}")
    return backup


def backup_restore(*, key: str | None = None, latest: bool = False) -> Backup:
    """Download, verify the sha256, unpack beside the index and swap it in; the old index stays until the swap worked."""
    backup = _find(key=key, latest=latest)
    storage = backup_storage()
    target = Path(settings.CHROMA_DIR)
    stamp = f"{int(time.time())}-{uuid.uuid4().hex[:6]}"
    incoming = target.with_name(f"{target.name}.restore-{stamp}")
    with tempfile.TemporaryDirectory(prefix="nuz-restore-") as tmp:
        archive = Path(tmp) / "backup.tar.gz"
        with storage.open(backup.key, "rb") as remote, open(archive, "wb") as local:
            shutil.copyfileobj(remote, local)
        actual = file_sha256(archive)
        if actual != backup.sha256:
            raise BackupCorrupt(f"sha256 mismatch for {backup.key}: expected {backup.sha256}, got {actual}")
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(Path(tmp) / "unpacked", filter="data")
        shutil.move(str(Path(tmp) / "unpacked" / SNAPSHOT), incoming)
    previous = target.with_name(f"{target.name}.old-{stamp}")
    with index_write_lock():
        reset_client()  # release file handles on the old index
        if target.exists():
            target.rename(previous)
        try:
            incoming.rename(target)
        except OSError:
            if previous.exists():
                previous.rename(target)
            raise
        reset_client()
    CorpusState.bump()  # other processes reopen their client on the restored index at their next search
    shutil.rmtree(previous, ignore_errors=True)
    logger.info("index restored", extra={"key": backup.key})
    return backup
