"""The API answers as its OpenAPI schema says: schemathesis against a live daphne on the throwaway test database.

Positive and negative data for every documented operation; the run fails on a 5xx, an undocumented status code or a
response body that does not match its schema. Throttles are raised for the run; asking costs a pipeline run, so the
ask operations get few examples (schemathesis.toml beside this file).
"""

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.test import Client

from tests.chat.conftest import live_daphne  # noqa: F401 - the live server fixture

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]  # the server sees committed rows only

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"


@pytest.fixture
def conformance_server(monkeypatch, request) -> str:
    """The live server, with throttles high enough for a few thousand requests (read from the environment at start)."""
    for name in ("API_THROTTLE_USER", "API_THROTTLE_ANON", "API_THROTTLE_ASK"):
        monkeypatch.setenv(name, "100000/min")
    # No worker reads this server's broker: an attachment is answered (201, still pending) after a second, not 30.
    monkeypatch.setenv("CHAT_ATTACHMENT_WAIT_SECONDS", "1")
    return request.getfixturevalue("live_daphne")


@pytest.fixture
def staff_session(staff_user) -> dict[str, str]:
    """Cookie and CSRF headers of a signed-in staff user (sessions are committed: the test is transactional)."""
    staff_user.is_superuser = True
    staff_user.save()
    client = Client()
    client.force_login(staff_user)
    csrf = secrets.token_hex(16)  # a 32-character secret is accepted as cookie and header alike
    return {
        "Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
    }


@pytest.fixture
def known_ids(staff_user, knowledge_docs) -> dict[str, str]:
    """One object of each kind the staff user may read, so operations on an id also answer 200 (not only 404)."""
    from chat import services as chat
    from chat.models import Message
    from knowledge.models import Document
    from memory.services import memory_fact_create
    from tests.golden.factories import GoldenAnswerFactory

    conversation = chat.conversation_create(user=staff_user, title="KITAS extension")
    chat.user_message_save(conversation=conversation, text="How do I extend my KITAS?", language="en")
    answer = Message.objects.create(
        conversation=conversation, role=Message.Role.ASSISTANT, content="Apply 30 days before it expires."
    )
    fact = memory_fact_create(user=staff_user, text="Lives in Canggu", kind="other")
    handoff, _ = chat.handoff_request_create(user=staff_user, conversation=conversation, message=answer)
    golden = GoldenAnswerFactory()
    return {
        "ST_CONVERSATION_ID": str(conversation.pk),
        "ST_MESSAGE_ID": str(answer.pk),
        "ST_FACT_ID": str(fact.pk),
        "ST_GOLDEN_ID": str(golden.pk),
        "ST_HANDOFF_ID": str(handoff.pk),
        "ST_DOCUMENT_ID": str(Document.objects.order_by("pk").first().pk),
    }


def test_every_operation_answers_as_documented(staff_session, known_ids, conformance_server, tmp_path):
    schema = httpx.get(f"{conformance_server}/api/schema/", params={"format": "json"}, timeout=30)
    assert schema.status_code == 200
    location = tmp_path / "openapi.json"
    location.write_text(json.dumps(schema.json()))
    headers = [arg for name, value in staff_session.items() for arg in ("-H", f"{name}: {value}")]
    started = time.monotonic()

    run = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--config-file", str(HERE / "schemathesis.toml"), "run",
         str(location), "--url", conformance_server, "--checks", CHECKS, "--mode", "all",
         "--phases", "examples,coverage,fuzzing", "--workers", "1", "--seed", "14", "--no-color", *headers],
        capture_output=True, text=True, timeout=600, cwd=tmp_path, env={**os.environ, **known_ids, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip

    print(run.stdout[-20000:], run.stderr[-4000:])
    print(f"schemathesis took {time.monotonic() - started:.0f} s")
    assert run.returncode == 0, run.stdout[-6000:]
