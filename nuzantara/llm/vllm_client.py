"""The Llama worker: an OpenAI-compatible chat-completions endpoint (vLLM, RunPod) through the `openai` SDK.

Timeouts and retries come from the SDK; a circuit breaker (shared through the cache) stops callers from hammering a dead
endpoint: while it is open, calls fail at once with LLMUnavailable("circuit_open") and callers fall back.
"""

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from django.conf import settings

from . import Completion, LLMInterrupted, LLMUnavailable, TextDelta, Usage
from .breaker import CircuitBreaker

if TYPE_CHECKING:
    import openai  # imported when first used: processes that never call the Llama worker start without the SDK

logger = logging.getLogger(__name__)
breaker = CircuitBreaker("vllm")
_async_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[tuple, openai.AsyncOpenAI]]" = (
    weakref.WeakKeyDictionary()
)


def is_configured() -> bool:
    return bool(settings.VLLM_BASE_URL)


def _config() -> tuple:
    return (settings.VLLM_BASE_URL, settings.VLLM_API_KEY, settings.VLLM_TIMEOUT_S, settings.VLLM_MAX_RETRIES)


def _client_kwargs() -> dict:
    return {
        "base_url": settings.VLLM_BASE_URL,
        "api_key": settings.VLLM_API_KEY or "not-needed",  # vLLM without --api-key accepts any
        "timeout": settings.VLLM_TIMEOUT_S,
        "max_retries": settings.VLLM_MAX_RETRIES,
    }


def _async_client() -> "openai.AsyncOpenAI":
    import openai

    loop = asyncio.get_running_loop()
    cached = _async_clients.get(loop)
    if cached and cached[0] == _config():
        return cached[1]
    client = openai.AsyncOpenAI(**_client_kwargs())
    _async_clients[loop] = (_config(), client)
    return client


def _error_code(exc: Exception) -> str:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIStatusError):
        return f"http_{exc.status_code}"
    if isinstance(exc, openai.APIConnectionError):
        return "connection"
    return type(exc).__name__


def _check_available() -> None:
    if not is_configured():
        raise LLMUnavailable("vllm", "not_configured", "VLLM_BASE_URL is not set")
    if breaker.is_open():
        raise LLMUnavailable("vllm", "circuit_open", "the Llama endpoint failed repeatedly; waiting before retrying")


async def vllm_stream(*, messages: list[dict], max_tokens: int = 1024) -> AsyncIterator[TextDelta | Completion]:
    """Stream a chat completion from the Llama worker (messages in OpenAI format, system first)."""
    _check_available()
    produced = False
    usage = Usage()
    model = settings.VLLM_MODEL
    try:
        stream = await _async_client().chat.completions.create(
            model=settings.VLLM_MODEL,
            messages=messages,
            max_tokens=max_tokens,
            stream=True,
            stream_options={"include_usage": True},
        )
        async for chunk in stream:
            model = chunk.model or model
            if chunk.usage:
                usage = Usage(input_tokens=chunk.usage.prompt_tokens, output_tokens=chunk.usage.completion_tokens)
            for choice in chunk.choices:
                text = choice.delta.content if choice.delta else None
                if text:
                    produced = True
                    yield TextDelta(text)
    except Exception as exc:  # SDK errors and transport errors raised mid-stream
        breaker.record_failure()
        code = _error_code(exc)
        logger.warning("vllm stream failed", extra={"code": code, "after_text": produced})
        raise (LLMInterrupted if produced else LLMUnavailable)("vllm", code, str(exc)[:200]) from exc
    breaker.record_success()
    yield Completion(provider="vllm", model=model, usage=usage, stop_reason="stop")


def vllm_complete(*, messages: list[dict], max_tokens: int = 1024, json_schema: dict | None = None) -> str:
    """A whole (non-streamed) completion for background jobs. `json_schema` asks vLLM for guided JSON output."""
    _check_available()
    import openai

    extra: dict = {}
    if json_schema is not None:
        extra["response_format"] = {"type": "json_schema", "json_schema": {"name": "output", "schema": json_schema}}
    try:
        with openai.OpenAI(**_client_kwargs()) as client:
            response = client.chat.completions.create(
                model=settings.VLLM_MODEL, messages=messages, max_tokens=max_tokens, **extra
            )
    except openai.OpenAIError as exc:
        breaker.record_failure()
        logger.warning("vllm completion failed", extra={"code": _error_code(exc)})
        raise LLMUnavailable("vllm", _error_code(exc), str(exc)[:200]) from exc
    breaker.record_success()
    return response.choices[0].message.content or ""
