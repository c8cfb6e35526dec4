"""No log line and no broker message carries a question or an answer: tasks get ids and load the texts themselves."""

import logging
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection

from chat.models import Message
from chat.pipeline.run import answer_events

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
ROOT = Path(__file__).resolve().parents[2]


def marker_question() -> tuple[str, str]:
    marker = f"zq{uuid.uuid4().hex[:10]}"
    return marker, f"I live in Canggu, reference {marker}. How do I extend my investor KITAS?"


async def ask(user, text: str) -> list[dict]:
    return [event async for event in answer_events(user=user, conversation_id=None, text=text)]


def json_lines(records: list[logging.LogRecord]) -> list[str]:
    """The records as the console handler writes them (one JSON object a line, with every `extra` field)."""
    from pythonjsonlogger.json import JsonFormatter

    formatter = JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    return [formatter.format(record) for record in records]


async def answer_text(events: list[dict]) -> str:
    message = await Message.objects.aget(pk=events[-1]["message_id"])
    return message.content


async def test_an_eager_task_trace_at_info_logs_neither_the_question_nor_the_answer(
    user, knowledge_docs, no_router, offline, settings, caplog
):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # as in `make run` without Redis: the web process runs the task
    caplog.set_level(logging.INFO)
    marker, question = marker_question()

    events = await ask(user, question)

    assert events[-1]["type"] == "done"
    answer = await answer_text(events)
    assert answer
    lines = json_lines(caplog.records)
    assert any("succeeded" in line and "celery.app.trace" in line for line in lines)  # the trace was captured
    assert not [line for line in lines if marker in line]
    assert not [line for line in lines if answer[:60] in line]


def _purge(queue: str) -> None:
    import redis

    redis.Redis.from_url(settings.REDIS_URL).delete(queue)


def _queued(queue: str) -> list[str]:
    """Each waiting message as it sits in Redis, with its base64 body decoded beside it."""
    import base64
    import json

    import redis

    messages = []
    for raw in redis.Redis.from_url(settings.REDIS_URL).lrange(queue, 0, -1):
        envelope = json.loads(raw)
        messages.append(raw.decode() + base64.b64decode(envelope["body"]).decode())
    return messages


@pytest.fixture
def info_worker(tmp_path):
    """A real worker on the default queue at INFO, its log in a file; the queue is emptied of older tests' tasks."""
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": database_url, "VAR_DIR": str(tmp_path / "var"), "ANTHROPIC_API_KEY": ""}
    log = tmp_path / "worker.log"

    def start() -> subprocess.Popen:
        with open(log, "wb") as out:
            return subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "nuzantara", "worker", "-P", "solo", "-Q", "celery",
                 "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "INFO"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip

    _purge("celery")
    processes: list[subprocess.Popen] = []
    yield lambda: processes.append(start()) or log
    for process in processes:
        process.terminate()
        process.wait(timeout=20)
    _purge("celery")


@pytest.mark.slow
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real broker); .ci/run sets it")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker process shares the PostgreSQL test database")
async def test_the_broker_and_a_real_workers_info_log_carry_ids_not_texts(
    user, knowledge_docs, no_router, offline, info_worker
):
    from memory.models import MemoryFact

    assert not settings.CELERY_TASK_ALWAYS_EAGER
    marker, question = marker_question()

    events = await ask(user, question)

    answer = await answer_text(events)
    queued = _queued("celery")
    assert queued  # the extraction waits in Redis for a worker
    assert not [body for body in queued if marker in body or answer[:60] in body]
    log = info_worker()
    deadline = time.monotonic() + 60
    while not await MemoryFact.objects.filter(user=user).aexists() and time.monotonic() < deadline:
        await sync_to_async(time.sleep)(0.3)
    assert await MemoryFact.objects.filter(user=user, text="Lives in Canggu").aexists()  # the worker loaded the texts
    while "succeeded" not in log.read_text() and time.monotonic() < deadline:  # logged just after the fact commits
        await sync_to_async(time.sleep)(0.1)
    worker_log = log.read_text()
    assert "succeeded" in worker_log
    assert marker not in worker_log and answer[:60] not in worker_log
