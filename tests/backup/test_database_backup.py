"""Database backups to a real S3-compatible server (moto), restored into real, throwaway PostgreSQL databases."""

import json
import uuid
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from knowledge.backup.database import DatabaseTarget
from knowledge.backup.models import Backup
from knowledge.models import Chunk
from tests.backup.conftest import BUCKET

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]  # pg_dump sees only committed rows


@pytest.fixture
def throwaway_database() -> Iterator[DatabaseTarget]:
    """A new, empty database beside the test database, dropped afterwards."""
    from psycopg import sql

    source = DatabaseTarget.default()
    if source.engine != "postgresql":
        pytest.skip("restores into a throwaway database need PostgreSQL (DATABASE_URL)")
    target = source.with_name(f"nuz_restore_{uuid.uuid4().hex[:8]}")
    with source.pg_connect() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.name)))
    yield target
    with source.pg_connect() as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target.name)))


def _count(target: DatabaseTarget, table: str) -> int:
    with target.pg_connect() as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - a fixed table name


def _backup(capsys) -> dict:  # noqa: ANN001
    call_command("backup_database", "--json")
    return json.loads(capsys.readouterr().out)


def test_a_dump_restores_into_an_empty_database_with_every_row(r2, knowledge_docs, user, throwaway_database, capsys):
    result = _backup(capsys)

    call_command("restore_database", "--key", result["key"], "--target", throwaway_database.url())

    backup = Backup.objects.get(kind=Backup.Kind.DATABASE)
    assert backup.status == "good" and backup.key.endswith(".pgdump") and len(backup.sha256) == 64
    assert r2.head_object(Bucket=BUCKET, Key=backup.key)["ContentLength"] == backup.size_bytes
    assert json.loads(r2.get_object(Bucket=BUCKET, Key=f"{backup.key}.json")["Body"].read())["sha256"] == backup.sha256
    assert _count(throwaway_database, "knowledge_chunk") == Chunk.objects.count() > 0
    assert _count(throwaway_database, "auth_user WHERE username = 'alice'") == 1


def test_restore_refuses_a_database_that_has_tables_unless_forced(r2, knowledge_docs, throwaway_database, capsys):
    _backup(capsys)
    call_command("restore_database", "--latest", "--target", throwaway_database.url())

    with pytest.raises(CommandError) as refused:
        call_command("restore_database", "--latest", "--target", throwaway_database.url())
    call_command("restore_database", "--latest", "--target", throwaway_database.url(), "--force")

    assert refused.value.returncode == 2
    assert "already has tables" in str(refused.value) and "--force" in str(refused.value)
    assert _count(throwaway_database, "knowledge_chunk") == Chunk.objects.count()


def test_restore_of_an_unknown_key_exits_2_naming_it(r2):
    with pytest.raises(CommandError) as failed:
        call_command("restore_database", "--key", "database/nope.pgdump")

    assert failed.value.returncode == 2
    assert "database/nope.pgdump" in str(failed.value)


def test_a_corrupted_archive_is_refused_and_the_target_stays_empty(r2, knowledge_docs, throwaway_database, capsys):
    result = _backup(capsys)
    r2.put_object(Bucket=BUCKET, Key=result["key"], Body=b"not the dump we uploaded")

    with pytest.raises(CommandError) as failed:
        call_command("restore_database", "--latest", "--target", throwaway_database.url())

    assert failed.value.returncode == 1 and "sha256 mismatch" in str(failed.value)
    with throwaway_database.pg_connect() as db:
        assert db.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0


def test_retention_deletes_the_dump_and_its_sidecar(r2, settings, capsys):
    settings.BACKUP_RETENTION = 1
    first, second = _backup(capsys)["key"], _backup(capsys)["key"]

    stored = {item["Key"] for item in r2.list_objects_v2(Bucket=BUCKET, Prefix="database/")["Contents"]}

    assert stored == {second, f"{second}.json"}
    assert Backup.objects.get(key=first).status == "deleted"


def test_restore_drill_rebuilds_the_index_from_an_empty_database_and_reports_times(r2, knowledge_docs, capsys):
    from knowledge.backup.database import DatabaseTarget

    backup = _backup(capsys)

    call_command("restore_drill", "--json")
    report = json.loads(capsys.readouterr().out)

    assert report["key"] == backup["key"] and report["complete"] is True
    assert report["chunks_indexed"] == report["chunks_in_backup"] == Chunk.objects.count() > 0
    assert report["total_seconds"] >= report["reindex_seconds"] > 0
    with DatabaseTarget.default().pg_connect() as db:
        left = db.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", ["%\\_drill\\_%"]).fetchone()[0]
    assert left == 0


def test_a_backup_without_r2_settings_is_recorded_skipped_and_exits_2(settings):
    settings.R2_ENDPOINT = ""

    with pytest.raises(CommandError) as skipped:
        call_command("backup_database")

    backup = Backup.objects.get()
    assert skipped.value.returncode == 2
    assert (backup.kind, backup.status) == ("database", "skipped")
    assert "R2_ENDPOINT" in backup.error


def test_the_embedded_sqlite_database_is_backed_up_restored_and_drilled(r2, s3_server, run_manage, tmp_path):
    env = {
        "DATABASE_URL": "",  # the embedded default: SQLite under VAR_DIR
        "REDIS_URL": "",
        "VAR_DIR": str(tmp_path / "var"),
        "R2_ENDPOINT": s3_server,
        "R2_ACCESS_KEY_ID": "test-access-key",
        "R2_SECRET_ACCESS_KEY": "test-secret-key",
        "R2_BUCKET": BUCKET,
        "R2_REGION": "us-east-1",
    }
    assert run_manage("migrate", "--noinput", "-v0", env=env).returncode == 0

    backup = run_manage("backup_database", "--json", env=env)
    refused = run_manage("restore_database", "--latest", env=env)
    drill = run_manage("restore_drill", "--json", env=env, timeout=300)

    assert backup.returncode == 0, backup.stderr
    assert json.loads(backup.stdout)["key"].endswith(".sqlite3")
    assert refused.returncode == 2 and "already has tables" in refused.stderr
    assert drill.returncode == 0, drill.stderr
    assert json.loads(drill.stdout)["complete"] is True


def test_a_target_keeps_sslmode_for_child_processes_and_hides_its_password():
    target = DatabaseTarget.from_url("postgres://zantara:s3cret%40pw@db.example:6543/nuz?sslmode=require")

    assert (
        target.with_name("nuz_drill").url()
        == "postgres://zantara:s3cret%40pw@db.example:6543/nuz_drill?sslmode=require"
    )
    assert target.pg_env()["PGSSLMODE"] == "require" and target.pg_env()["PGPASSWORD"] == "s3cret@pw"
    assert "s3cret" not in repr(target)
