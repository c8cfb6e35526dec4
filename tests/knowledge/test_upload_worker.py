"""Production's path: the web process stores the upload and a real Celery worker (not eager) parses and indexes it."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from rest_framework.test import APIClient

from knowledge.models import Document
from knowledge.search import index
from tests.conftest import ensure_collections
from tests.knowledge.crafted_files import docx_bytes

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real broker); .ci/run sets it"),
]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(settings, tmp_path):
    """A worker on the default queue, sharing this test's database, media folder and Chroma directory."""
    settings.MEDIA_ROOT = tmp_path / "var" / "media"  # where the worker's VAR_DIR puts it
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "VAR_DIR": str(tmp_path / "var"),
        "CHROMA_DIR": str(settings.CHROMA_DIR),
    }
    redis.Redis.from_url(settings.REDIS_URL).delete("celery")  # nothing left over from another test
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "nuzantara", "worker", "-P", "solo", "-Q", "celery",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    yield process
    process.terminate()
    process.wait(timeout=20)
    redis.Redis.from_url(settings.REDIS_URL).delete("celery")


def test_an_uploaded_docx_is_parsed_and_indexed_by_a_real_worker(worker, staff_user):
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    ensure_collections()
    client = APIClient()
    client.force_authenticate(staff_user)
    upload = SimpleUploadedFile("golden.docx", docx_bytes(title="Golden Visa"))

    response = client.post("/api/v1/knowledge/documents", {"file": upload, "collection": "visa_oracle"})

    assert response.status_code == 202
    assert response.json()["ingest_status"] == "pending"
    document = Document.objects.get(pk=response.json()["id"])
    deadline = time.monotonic() + 120
    while document.ingest_status == "pending" and time.monotonic() < deadline:
        time.sleep(0.5)
        document.refresh_from_db()
    assert document.ingest_status == "ready", document.ingest_error
    assert document.title == "Golden Visa"
    assert document.chunks.count() >= 1
    assert index.count(slug="visa_oracle") >= 1
    assert not document.pending_file
