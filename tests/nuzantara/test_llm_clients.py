"""The production LLM clients against local stand-in servers, reached by base_url."""

import asyncio
from decimal import Decimal

import pytest
from django.core.cache import cache

from nuzantara.llm import (
    Completion,
    LLMInterrupted,
    LLMUnavailable,
    TextDelta,
    Usage,
    anthropic_client,
    cost_usd,
    vllm_client,
)
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


def test_anthropic_marks_a_static_prompt_for_caching_only_from_the_minimum_length(fake_anthropic, settings):
    settings.ANTHROPIC_CACHE_MIN_TOKENS = 100
    messages = [{"role": "user", "content": "q"}]

    short = drain(anthropic_client.anthropic_stream(system_static="s" * 396, system_dynamic="", messages=messages))
    short_request = fake_anthropic.requests[-1]["body"]
    long = drain(anthropic_client.anthropic_stream(system_static="s" * 400, system_dynamic="", messages=messages))
    long_request = fake_anthropic.requests[-1]["body"]

    assert "cache_control" not in short_request["system"][0] and short[-1].usage.cache_read_tokens == 0
    assert long_request["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert long[-1].usage.cache_read_tokens == 200


def test_a_dated_model_id_is_priced_as_the_alias_it_extends():
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000, cache_read_tokens=1_000_000)

    assert cost_usd("claude-haiku-4-5-20251001", usage) == cost_usd("claude-haiku-4-5", usage) == Decimal("6.1")
    assert cost_usd("claude-haiku-4-50", usage) == 0  # another model that merely shares the characters
    assert cost_usd("meta-llama/Llama-3.1-8B-Instruct", usage) == 0


def test_an_anthropic_answer_with_a_dated_model_id_has_a_cost(fake_anthropic):
    items = drain(
        anthropic_client.anthropic_stream(
            system_static="s", system_dynamic="", messages=[{"role": "user", "content": "q"}]
        )
    )

    completion = items[-1]
    assert completion.model == "claude-haiku-4-5-20251001"
    assert cost_usd(completion.model, completion.usage) > 0
