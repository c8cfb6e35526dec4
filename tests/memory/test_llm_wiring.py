"""The project's structured-output client drives memory extraction through the Llama worker (a local fake server)."""

import json

import pytest

from memory.models import MemoryFact
from memory.services import memory_apply_extraction
from tests.fakes.llm_servers import Behaviour

pytestmark = pytest.mark.django_db


@pytest.fixture
def llama(settings, fake_vllm):
    settings.ANTHROPIC_API_KEY = ""
    return fake_vllm


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
