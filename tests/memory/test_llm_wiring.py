"""The project's structured-output client drives memory extraction through the Llama worker (a local fake server)."""

import json

import pytest

from memory.models import MemoryFact
from memory.services import memory_apply_extraction
from nuzantara.llm import vllm_client
from tests.fakes.llm_servers import Behaviour, FakeOpenAI

pytestmark = pytest.mark.django_db


@pytest.fixture
def llama(settings):
    server = FakeOpenAI().start()
    settings.ANTHROPIC_API_KEY = ""
    settings.VLLM_BASE_URL = server.url + "/v1"
    settings.VLLM_MAX_RETRIES = 0
    vllm_client.breaker.record_success()
    yield server
    server.stop()
    vllm_client.breaker.record_success()


def test_extraction_uses_the_llm_with_guided_json_when_configured(user, llama):
    operations = {
        "operations": [{"op": "ADD", "kind": "location", "key": "city", "value": "Sanur", "text": "Lives in Sanur"}]
    }
    llama.default = Behaviour(tokens=[json.dumps(operations)])

    memory_apply_extraction(user=user, user_text="We just settled in Sanur.", source_message_id=None)

    body = llama.requests[-1]["body"]
    assert body["response_format"]["type"] == "json_schema"
    assert body["messages"][0]["role"] == "system"
    assert list(MemoryFact.objects.filter(user=user).values_list("text", flat=True)) == ["Lives in Sanur"]
