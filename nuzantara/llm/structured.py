"""Structured output for background jobs: one callable `client(*, system, messages, tool) -> dict`.

Anthropic: tool use forced on `tool["name"]`, returning the tool's input. Otherwise the Llama worker: guided JSON with
the tool's input schema. Used by memory extraction and summaries (settings.MEMORY_LLM_CLIENT names `structured_client`).
"""

import json
from collections.abc import Callable

from django.conf import settings

from . import LLMUnavailable, anthropic_client, vllm_client

StructuredClient = Callable[..., dict]


def _anthropic(*, system: str, messages: list[dict], tool: dict) -> dict:
    import anthropic  # imported when first used, as in anthropic_client

    try:
        with anthropic_client.sync_client() as client:
            response = client.messages.create(
                model=settings.ANTHROPIC_MODEL,
                max_tokens=settings.ANTHROPIC_MAX_TOKENS,
                system=system,
                messages=messages,
                tools=[tool],
                tool_choice={"type": "tool", "name": tool["name"]},
            )
    except anthropic.AnthropicError as exc:
        raise LLMUnavailable("anthropic", type(exc).__name__, str(exc)[:200]) from exc
    for block in response.content:
        if block.type == "tool_use" and block.name == tool["name"]:
            return dict(block.input)
    raise LLMUnavailable("anthropic", "no_tool_use", "the model did not call the tool")


def _vllm(*, system: str, messages: list[dict], tool: dict) -> dict:
    text = vllm_client.vllm_complete(
        messages=[{"role": "system", "content": system}, *messages], json_schema=tool["input_schema"]
    )
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LLMUnavailable("vllm", "bad_json", "the model did not return JSON") from exc
    if not isinstance(value, dict):
        raise LLMUnavailable("vllm", "bad_json", "the model did not return an object")
    return value


def structured_client() -> StructuredClient:
    """The configured structured-output client: Anthropic when its key is set, else the Llama worker."""
    return _anthropic if anthropic_client.is_configured() else _vllm
