"""A real Celery worker process against Redis (not eager), end to end: the memory extraction task writes facts."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real broker); .ci/run sets it"),
]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(tmp_path):
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        database_url = f"sqlite:///{db['NAME']}"
    else:
        database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    queue = f"test-{os.getpid()}"
    env = {**os.environ, "DATABASE_URL": database_url, "VAR_DIR": str(tmp_path / "var"), "ANTHROPIC_API_KEY": ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "nuzantara", "worker", "-P", "solo", "-Q", queue, "--without-heartbeat",
         "--without-gossip", "--without-mingle", "-l", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    yield queue
    process.terminate()
    process.wait(timeout=20)


def test_memory_extraction_runs_on_a_real_worker(worker, user):
    from chat import services
    from chat.models import Message
    from chat.tasks import exchange_memory_extract
    from memory.models import MemoryFact

    assert not settings.CELERY_TASK_ALWAYS_EAGER
    conversation = services.conversation_create(user=user)
    question = services.user_message_save(
        conversation=conversation, text="Hi, my name is Marco and I live in Canggu.", language="en"
    )
    answer = Message.objects.create(
        conversation=conversation, role=Message.Role.ASSISTANT, content="Nice to meet you, Marco."
    )
    result = exchange_memory_extract.apply_async(args=[question.pk, answer.pk], queue=worker)

    result.get(timeout=60)
    deadline = time.monotonic() + 10
    while not MemoryFact.objects.filter(user=user).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    texts = " ".join(MemoryFact.objects.filter(user=user).values_list("text", flat=True))
    assert "Marco" in texts
    assert "Canggu" in texts
