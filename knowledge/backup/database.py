"""Back up the database (the source of truth) to R2 and restore it.

PostgreSQL is dumped with `pg_dump --format=custom` and restored with `pg_restore`; SQLite (the embedded default) goes
through its online backup API. Each archive has a `<key>.json` sidecar (engine, sha256, counts), so a restore needs only
the bucket: the database that would list the backups may be the one that was lost.
"""

import json
import logging
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

import dj_database_url
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from psycopg import sql
from storages.backends.s3 import S3Storage

from knowledge.models import Chunk, Document

from .models import Backup
from .services import (
    BackupCorrupt,
    BackupError,
    BackupUnknown,
    backup_record_failed,
    backup_storage_or_skip,
    file_sha256,
)
from .storage import backup_storage

logger = logging.getLogger(__name__)
PREFIX = "database/"
SUFFIXES = {"postgresql": ".pgdump", "sqlite3": ".sqlite3"}
SIDECAR = ".json"


class TargetNotEmpty(BackupError):
    pass


@dataclass(frozen=True)
class DatabaseTarget:
    """Where a dump comes from or a restore goes: the engine and its connection parameters."""

    engine: str  # "postgresql" or "sqlite3"
    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = field(default="", repr=False)
    sslmode: str = ""  # e.g. "require" for a managed PostgreSQL

    @classmethod
    def from_settings(cls, config: dict) -> "DatabaseTarget":
        engine = str(config["ENGINE"]).rsplit(".", 1)[-1]
        if engine not in SUFFIXES:
            raise BackupError(f"database engine {config['ENGINE']!r} is not supported (PostgreSQL or SQLite)")
        return cls(
            engine=engine,
            name=str(config["NAME"]),
            host=str(config.get("HOST") or ""),
            port=str(config.get("PORT") or ""),
            user=str(config.get("USER") or ""),
            password=str(config.get("PASSWORD") or ""),
            sslmode=str((config.get("OPTIONS") or {}).get("sslmode") or ""),
        )

    @classmethod
    def from_url(cls, url: str) -> "DatabaseTarget":
        try:
            return cls.from_settings(dj_database_url.parse(url))
        except ValueError as exc:
            raise BackupError(f"the target database URL is malformed ({exc})") from None

    @classmethod
    def default(cls) -> "DatabaseTarget":
        # The connection's own settings: under tests they name the test database.
        return cls.from_settings(connections[DEFAULT_DB_ALIAS].settings_dict)

    def with_name(self, name: str) -> "DatabaseTarget":
        return replace(self, name=name)

    def url(self) -> str:
        """A DATABASE_URL for a child process (passed in its environment, never logged)."""
        if self.engine == "sqlite3":
            return f"sqlite:///{Path(self.name).resolve()}"
        auth = quote(self.user, safe="") + (f":{quote(self.password, safe='')}" if self.password else "")
        query = f"?sslmode={quote(self.sslmode)}" if self.sslmode else ""
        return f"postgres://{auth}@{self.host or 'localhost'}:{self.port or 5432}/{quote(self.name, safe='')}{query}"

    def pg_env(self) -> dict[str, str]:
        """libpq's variables: the password never appears on a command line (`ps` shows those)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        given = {
            "PGHOST": self.host,
            "PGPORT": self.port,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGSSLMODE": self.sslmode,
        }
        env.update({k: v for k, v in given.items() if v})
        env["PGDATABASE"] = self.name
        env["PGCONNECT_TIMEOUT"] = "10"
        return env

    def pg_connect(self, *, dbname: str | None = None):  # noqa: ANN201 - a psycopg connection
        import psycopg

        params = {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "sslmode": self.sslmode,
        }
        try:
            return psycopg.connect(
                dbname=dbname or self.name,
                connect_timeout=10,
                autocommit=True,
                **{k: v for k, v in params.items() if v},
            )
        except psycopg.OperationalError as exc:
            raise BackupError(f"cannot connect to database {dbname or self.name!r}: {exc}".strip()) from None


@dataclass(frozen=True)
class DatabaseRestored:
    key: str
    engine: str
    database: str
    download_seconds: float
    restore_seconds: float
    manifest: dict


def _run(command: list[str], *, env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (the PostgreSQL 15 client tools)") from None
    if done.returncode != 0:
        tail = " ".join(done.stderr.strip().splitlines()[-3:])
        raise BackupError(f"{command[0]} failed with exit code {done.returncode}: {tail}")


def _dump(source: DatabaseTarget, path: Path) -> None:
    if source.engine == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"], env=source.pg_env())
        return
    reader = sqlite3.connect(f"file:{source.name}?mode=ro", uri=True)
    writer = sqlite3.connect(path)
    try:
        reader.backup(writer)  # consistent even while the application writes
    finally:
        writer.close()
        reader.close()


def _stamp() -> str:
    now = timezone.now()
    return f"{now:%Y%m%dT%H%M%S}.{now:%f}Z-{uuid.uuid4().hex[:8]}"


def database_backup_create(*, attempt: int = 1) -> Backup:
    """Dump the database and upload it with its sidecar; the record is `good` only after both uploads succeeded."""
    started = time.monotonic()
    storage = backup_storage_or_skip(kind=Backup.Kind.DATABASE)
    source = DatabaseTarget.default()
    key = f"{PREFIX}{_stamp()}{SUFFIXES[source.engine]}"
    backup = Backup.objects.create(kind=Backup.Kind.DATABASE, key=key, attempts=attempt)
    try:
        with tempfile.TemporaryDirectory(prefix="nuz-dbbackup-") as tmp:
            dump = Path(tmp) / f"dump{SUFFIXES[source.engine]}"
            _dump(source, dump)
            active = Document.objects.filter(status=Document.Status.ACTIVE)
            manifest = {
                "key": key,
                "engine": source.engine,
                "created_at": timezone.now().isoformat(),
                "sha256": file_sha256(dump),
                "size_bytes": dump.stat().st_size,
                "documents": active.count(),
                "chunks": Chunk.objects.filter(document__in=active).count(),
            }
            with open(dump, "rb") as handle:
                _save(storage, key, File(handle, name=key))
            _save(storage, key + SIDECAR, ContentFile(json.dumps(manifest, indent=2).encode()))
    except Exception as exc:
        backup_record_failed(backup, exc, started=started)
        logger.warning("database backup failed", extra={"key": key, "error": type(exc).__name__})
        raise
    backup.status = Backup.Status.GOOD
    backup.manifest = manifest
    backup.sha256 = manifest["sha256"]
    backup.size_bytes = manifest["size_bytes"]
    backup.documents = manifest["documents"]
    backup.chunks = manifest["chunks"]
    backup.duration_ms = int((time.monotonic() - started) * 1000)
    backup.save()
    logger.info("database backup uploaded", extra={"key": key, "bytes": backup.size_bytes})
    database_retention_apply(keep=settings.BACKUP_RETENTION)
    return backup


def _save(storage: S3Storage, key: str, content: File) -> None:
    saved = storage.save(key, content)
    if saved != key:
        raise BackupError(f"the bucket stored {saved!r} instead of {key!r}")


def database_backup_keys(*, storage: S3Storage | None = None) -> list[str]:
    """The database archives in the bucket, newest first (keys start with their UTC time)."""
    storage = storage or backup_storage()
    _, names = storage.listdir(PREFIX.rstrip("/"))
    archives = [PREFIX + n for n in names if n.endswith(tuple(SUFFIXES.values()))]
    return sorted((k for k in archives if f"{k.rsplit('/', 1)[-1]}{SIDECAR}" in names), reverse=True)


def database_retention_apply(*, keep: int) -> list[str]:
    """Delete the archives (and sidecars) of good database backups older than the newest `keep`."""
    storage = backup_storage()
    good = Backup.objects.filter(kind=Backup.Kind.DATABASE, status=Backup.Status.GOOD)
    removed = []
    for backup in good.order_by("-created_at", "-id")[keep:]:
        storage.delete(backup.key)
        storage.delete(backup.key + SIDECAR)
        backup.status = Backup.Status.DELETED
        backup.save(update_fields=["status"])
        removed.append(backup.key)
    return removed


def _resolve(storage: S3Storage, *, key: str | None, latest: bool) -> str:
    if latest:
        keys = database_backup_keys(storage=storage)
        if not keys:
            raise BackupUnknown("there is no database backup in the bucket")
        return keys[0]
    known = (
        bool(key)
        and key.startswith(PREFIX)
        and key.endswith(tuple(SUFFIXES.values()))
        and storage.exists(key)
        and storage.exists(key + SIDECAR)
    )
    if not known:
        raise BackupUnknown(f"unknown database backup key: {key}")
    return key


def database_has_tables(target: DatabaseTarget) -> bool:
    if target.engine == "sqlite3":
        if not Path(target.name).exists():
            return False
        with sqlite3.connect(f"file:{target.name}?mode=ro", uri=True) as db:
            return db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0
    with target.pg_connect() as db:
        row = db.execute(
            "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()
    return row[0] > 0


def database_restore(
    *, key: str | None = None, latest: bool = False, target: DatabaseTarget | None = None, force: bool = False
) -> DatabaseRestored:
    """Download a database archive, verify its sha256 and restore it into `target` (default: the configured database).

    A target that already has tables is refused unless `force`; PostgreSQL restores in one transaction, so a failed
    restore leaves the target as it was.
    """
    storage = backup_storage()
    key = _resolve(storage, key=key, latest=latest)
    with storage.open(key + SIDECAR, "rb") as handle:
        manifest = json.loads(handle.read())
    target = target or DatabaseTarget.default()
    if manifest["engine"] != target.engine:
        raise BackupError(f"{key} is a {manifest['engine']} backup; the target database is {target.engine}")
    if not force and database_has_tables(target):
        raise TargetNotEmpty(f"the target database {target.name!r} already has tables; pass --force to replace them")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nuz-dbrestore-") as tmp:
        archive = Path(tmp) / f"restore{SUFFIXES[target.engine]}"
        with storage.open(key, "rb") as remote, open(archive, "wb") as local:
            for block in iter(lambda: remote.read(1 << 20), b""):
                local.write(block)
        actual = file_sha256(archive)
        if actual != manifest["sha256"]:
            raise BackupCorrupt(f"sha256 mismatch for {key}: expected {manifest['sha256']}, got {actual}")
        downloaded = time.monotonic()
        if target.name == DatabaseTarget.default().name:
            connections.close_all()  # our own idle connections must not hold locks on what is replaced
        if target.engine == "postgresql":
            command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
            if force:
                command += ["--clean", "--if-exists"]
            _run([*command, f"--dbname={target.name}", str(archive)], env=target.pg_env())
        else:
            reader, writer = sqlite3.connect(archive), sqlite3.connect(target.name)
            try:
                reader.backup(writer)
            finally:
                writer.close()
                reader.close()
    restored = time.monotonic()
    logger.info("database restored", extra={"key": key, "database": target.name})
    return DatabaseRestored(
        key=key,
        engine=target.engine,
        database=target.name,
        download_seconds=round(downloaded - started, 2),
        restore_seconds=round(restored - downloaded, 2),
        manifest=manifest,
    )


@dataclass(frozen=True)
class DrillReport:
    key: str
    engine: str
    documents: int
    chunks_in_backup: int
    chunks_indexed: int
    download_seconds: float
    restore_seconds: float
    reindex_seconds: float
    total_seconds: float

    @property
    def complete(self) -> bool:
        return self.chunks_indexed == self.chunks_in_backup


def restore_drill(*, key: str | None = None) -> DrillReport:
    """Restore a backup into a new, empty database, rebuild the Chroma index from it in a separate process (as a fresh
    deployment would) and time each step; the drill database and index are removed afterwards."""
    started = time.monotonic()
    source = DatabaseTarget.default()
    with tempfile.TemporaryDirectory(prefix="nuz-drill-") as tmp:
        if source.engine == "sqlite3":
            drill = source.with_name(str(Path(tmp) / "drill.sqlite3"))
        else:
            drill = source.with_name(f"{source.name[:40]}_drill_{uuid.uuid4().hex[:8]}")
            with source.pg_connect() as admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(drill.name)))
        try:
            restored = database_restore(key=key, latest=key is None, target=drill)
            indexed = time.monotonic()
            env = {
                **os.environ,
                "DATABASE_URL": drill.url(),
                "CHROMA_DIR": str(Path(tmp) / "chroma"),
                "CHROMA_HOST": "",
            }
            command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "kb_reindex", "--json"]
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                tail = " ".join(done.stderr.strip().splitlines()[-3:])
                raise BackupError(f"kb_reindex on the restored database failed: {tail}")
            result = json.loads(done.stdout.strip().splitlines()[-1])
            reindex_seconds = time.monotonic() - indexed
        finally:
            if drill.engine == "postgresql":
                with source.pg_connect() as admin:
                    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(drill.name)))
    report = DrillReport(
        key=restored.key,
        engine=restored.engine,
        documents=restored.manifest["documents"],
        chunks_in_backup=restored.manifest["chunks"],
        chunks_indexed=sum(row["chunks"] for row in result["collections"]),
        download_seconds=restored.download_seconds,
        restore_seconds=restored.restore_seconds,
        reindex_seconds=round(reindex_seconds, 2),
        total_seconds=round(time.monotonic() - started, 2),
    )
    logger.info("restore drill finished", extra={"key": report.key, "seconds": report.total_seconds})
    return report
