"""Claude through the official `anthropic` SDK: `messages.stream`, SDK retries, prompt caching where it can apply.

A prefix is cached only from the model's minimum length (ANTHROPIC_CACHE_MIN_TOKENS: 4,096 tokens for Haiku 4.5);
below it a `cache_control` mark is silently ignored, so it is sent only when the static system prompt reaches it.
The SDK is imported when first used (about 3 s of imports), so processes that never call Claude start without it.
"""

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from django.conf import settings

from . import Completion, LLMInterrupted, LLMUnavailable, TextDelta, Usage

if TYPE_CHECKING:
    import anthropic

logger = logging.getLogger(__name__)

# One SDK client per event loop: its connection pool belongs to the loop that opened it.
_clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[tuple, anthropic.AsyncAnthropic]]" = (
    weakref.WeakKeyDictionary()
)


def is_configured() -> bool:
    return bool(settings.ANTHROPIC_API_KEY)


def _client() -> "anthropic.AsyncAnthropic":
    import anthropic

    loop = asyncio.get_running_loop()
    config = (
        settings.ANTHROPIC_API_KEY,
        settings.ANTHROPIC_BASE_URL,
        settings.ANTHROPIC_TIMEOUT_S,
        settings.ANTHROPIC_MAX_RETRIES,
    )
    cached = _clients.get(loop)
    if cached and cached[0] == config:
        return cached[1]
    client = anthropic.AsyncAnthropic(
        api_key=settings.ANTHROPIC_API_KEY,
        base_url=settings.ANTHROPIC_BASE_URL or None,
        timeout=settings.ANTHROPIC_TIMEOUT_S,
        max_retries=settings.ANTHROPIC_MAX_RETRIES,
    )
    _clients[loop] = (config, client)
    return client


CHARS_PER_TOKEN = 4  # a model-independent estimate; erring either way only costs a mark the API ignores


def cache_applies(system_static: str) -> bool:
    """Whether the static system prompt is long enough for Claude to cache it."""
    return len(system_static) // CHARS_PER_TOKEN >= settings.ANTHROPIC_CACHE_MIN_TOKENS


def _error_code(exc: Exception) -> str:
    import anthropic

    if isinstance(exc, anthropic.APITimeoutError):
        return "timeout"
    if isinstance(exc, anthropic.APIStatusError):
        return "overloaded" if exc.status_code == 529 else f"http_{exc.status_code}"
    if isinstance(exc, anthropic.APIConnectionError):
        return "connection"
    return type(exc).__name__


async def anthropic_stream(
    *, system_static: str, system_dynamic: str, messages: list[dict], max_tokens: int | None = None
) -> AsyncIterator[TextDelta | Completion]:
    """Stream a Claude answer. The static system block is marked for prompt caching when it is long enough."""
    system: list[dict] = [{"type": "text", "text": system_static}]
    if cache_applies(system_static):
        system[0]["cache_control"] = {"type": "ephemeral"}
    if system_dynamic:
        system.append({"type": "text", "text": system_dynamic})
    produced = False
    try:
        async with _client().messages.stream(
            model=settings.ANTHROPIC_MODEL,
            max_tokens=max_tokens or settings.ANTHROPIC_MAX_TOKENS,
            system=system,
            messages=messages,
        ) as stream:
            async for text in stream.text_stream:
                if text:
                    produced = True
                    yield TextDelta(text)
            final = await stream.get_final_message()
    except Exception as exc:  # SDK errors, and transport errors raised mid-stream (e.g. an incomplete chunked read)
        code = _error_code(exc)
        logger.warning("anthropic stream failed", extra={"code": code, "after_text": produced})
        error = LLMInterrupted if produced else LLMUnavailable
        raise error("anthropic", code, str(exc)[:200]) from exc
    usage = final.usage
    yield Completion(
        provider="anthropic",
        model=final.model or settings.ANTHROPIC_MODEL,
        usage=Usage(
            input_tokens=usage.input_tokens or 0,
            output_tokens=usage.output_tokens or 0,
            cache_read_tokens=getattr(usage, "cache_read_input_tokens", 0) or 0,
            cache_write_tokens=getattr(usage, "cache_creation_input_tokens", 0) or 0,
        ),
        stop_reason=final.stop_reason or "",
    )


def sync_client() -> "anthropic.Anthropic":
    """A blocking client for background jobs (drafts, memory extraction), configured like the streaming one."""
    import anthropic

    return anthropic.Anthropic(
        api_key=settings.ANTHROPIC_API_KEY,
        base_url=settings.ANTHROPIC_BASE_URL or None,
        timeout=settings.ANTHROPIC_TIMEOUT_S,
        max_retries=settings.ANTHROPIC_MAX_RETRIES,
    )
