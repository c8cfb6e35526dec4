"""The production LLM clients against local stand-in servers, reached by base_url."""

import asyncio

import pytest
from django.core.cache import cache

from nuzantara.llm import Completion, LLMInterrupted, LLMUnavailable, TextDelta, anthropic_client, vllm_client
from tests.fakes.llm_servers import Behaviour


def drain(stream) -> list:
    async def run() -> list:
        return [item async for item in stream]

    return asyncio.run(run())


def test_vllm_streaming_yields_text_then_usage(fake_vllm):
    items = drain(vllm_client.vllm_stream(messages=[{"role": "user", "content": "hi"}]))

    assert [i.text for i in items if isinstance(i, TextDelta)] == ["Hello", " from", " the", " model", " [1]."]
    completion = items[-1]
    assert isinstance(completion, Completion) and completion.provider == "vllm"
    assert completion.usage.output_tokens == 5
    assert fake_vllm.requests[-1]["headers"]["authorization"] == "Bearer vllm-test-key"
    assert fake_vllm.requests[-1]["body"]["model"] == "meta-llama/Llama-3.1-8B-Instruct"


def test_vllm_non_streaming_completion(fake_vllm):
    text = vllm_client.vllm_complete(messages=[{"role": "user", "content": "draft"}], json_schema={"type": "object"})

    assert text == "Hello from the model [1]."
    assert fake_vllm.requests[-1]["body"]["response_format"]["type"] == "json_schema"


def test_vllm_stream_cut_mid_answer_is_interrupted(fake_vllm):
    fake_vllm.script(Behaviour(kind="break", break_after=2))

    with pytest.raises(LLMInterrupted):
        drain(vllm_client.vllm_stream(messages=[{"role": "user", "content": "hi"}]))


def test_circuit_opens_after_repeated_failures_and_stops_calls(fake_vllm, client, db):
    fake_vllm.default = Behaviour(kind="error500")
    for _ in range(vllm_client.breaker.failure_threshold):
        with pytest.raises(LLMUnavailable):
            vllm_client.vllm_complete(messages=[{"role": "user", "content": "hi"}])
    calls = len(fake_vllm.requests)

    with pytest.raises(LLMUnavailable) as opened:
        vllm_client.vllm_complete(messages=[{"role": "user", "content": "hi"}])

    assert opened.value.code == "circuit_open"
    assert len(fake_vllm.requests) == calls  # the dead endpoint was not called again
    assert client.get("/health").json()["checks"]["llama"] == "circuit open"


def test_circuit_closes_again_after_a_success(fake_vllm):
    fake_vllm.script(*[Behaviour(kind="error500")] * 2)
    for _ in range(2):
        with pytest.raises(LLMUnavailable):
            vllm_client.vllm_complete(messages=[{"role": "user", "content": "hi"}])

    vllm_client.vllm_complete(messages=[{"role": "user", "content": "hi"}])

    assert vllm_client.breaker.state() == "closed"
    assert cache.get("breaker:vllm:failures") is None


def test_anthropic_overload_before_any_text_is_unavailable(fake_anthropic):
    fake_anthropic.script(Behaviour(kind="overload"))

    with pytest.raises(LLMUnavailable) as failed:
        drain(
            anthropic_client.anthropic_stream(
                system_static="s", system_dynamic="", messages=[{"role": "user", "content": "q"}]
            )
        )

    assert failed.value.code == "overloaded"


def test_anthropic_sends_the_key_and_the_model(fake_anthropic, settings):
    drain(
        anthropic_client.anthropic_stream(
            system_static="s", system_dynamic="d", messages=[{"role": "user", "content": "q"}]
        )
    )

    request = fake_anthropic.requests[-1]
    headers = request["headers"]
    assert "sk-ant-test" in headers.get("x-api-key", "") + headers.get("authorization", "")
    assert request["body"]["model"] == settings.ANTHROPIC_MODEL
    assert request["body"]["stream"] is True
