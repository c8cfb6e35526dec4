"""Backups of the Chroma index against a real S3-compatible server (moto in server mode)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from knowledge.backup.models import Backup
from knowledge.backup.services import BackupCorrupt, backup_create, backup_restore
from knowledge.models import CorpusState
from tests.backup.conftest import BUCKET

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def top_results(query: str) -> list[tuple[int, float]]:
    from knowledge.selectors import knowledge_search

    return [(hit.chunk_id, round(hit.score, 4)) for hit in knowledge_search(query=query, k=3)]


def test_backup_delete_restore_gives_the_same_search_results(r2, knowledge_docs, settings):
    import shutil

    from knowledge.search.index import reset_client

    before = top_results("extend investor KITAS")
    call_command("backup_index")
    backup = Backup.objects.get()
    reset_client()
    shutil.rmtree(settings.CHROMA_DIR)
    version = CorpusState.current()

    call_command("restore_index", "--latest")

    assert CorpusState.current() != version  # other processes reopen their client on the restored index
    assert backup.status == "good" and backup.chunks > 0 and len(backup.sha256) == 64
    assert backup.manifest["embedding_model"] and backup.manifest["dim"] == 384
    assert r2.head_object(Bucket=BUCKET, Key=backup.key)["ContentLength"] == backup.size_bytes
    assert top_results("extend investor KITAS") == before


def test_corrupted_download_is_refused_and_the_old_index_is_untouched(r2, knowledge_docs, settings):
    backup = backup_create()
    r2.put_object(Bucket=BUCKET, Key=backup.key, Body=b"not the archive we uploaded")
    before = sorted(p.name for p in settings.CHROMA_DIR.iterdir())

    with pytest.raises(BackupCorrupt):
        backup_restore(key=backup.key)

    assert sorted(p.name for p in settings.CHROMA_DIR.iterdir()) == before
    assert top_results("NPWP registration")


def test_retention_keeps_the_newest_good_backups(r2, knowledge_docs, settings):
    settings.BACKUP_RETENTION = 2
    keys = [backup_create().key for _ in range(3)]

    stored = {item["Key"] for item in r2.list_objects_v2(Bucket=BUCKET)["Contents"]}

    assert stored == set(keys[1:])
    assert Backup.objects.get(key=keys[0]).status == "deleted"


def test_unreachable_s3_is_recorded_failed_and_never_listed_good(settings, knowledge_docs):
    settings.R2_ENDPOINT = "http://127.0.0.1:1"
    settings.R2_ACCESS_KEY_ID, settings.R2_SECRET_ACCESS_KEY, settings.R2_BUCKET = "k", "s", BUCKET

    with pytest.raises(Exception):  # noqa: B017 - any transport error: the point is what was recorded
        backup_create()

    backup = Backup.objects.get()
    assert backup.status == "failed"
    assert backup.error


def test_restore_of_an_unknown_key_exits_2_naming_it(r2):
    with pytest.raises(CommandError) as failed:
        call_command("restore_index", "--key", "knowledge-index/nope.tar.gz")

    assert failed.value.returncode == 2
    assert "knowledge-index/nope.tar.gz" in str(failed.value)


def test_index_writes_wait_while_a_snapshot_holds_the_lock(knowledge_docs):
    import threading
    import time

    import numpy as np

    from knowledge.search import index
    from knowledge.search.writelock import index_write_lock

    finished = threading.Event()

    def write() -> None:
        index.upsert(slug="visa_oracle", chunk_ids=[999_999], vectors=np.ones((1, 384), np.float32) / 384**0.5,
                     metadatas=[{"language": "en"}])  # fmt: skip
        finished.set()

    with index_write_lock():
        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.5)
        blocked = not finished.is_set()
    writer.join(timeout=30)

    assert blocked
    assert finished.is_set()
