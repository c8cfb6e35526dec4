"""Clients for the language models: Anthropic (primary) and the OpenAI-compatible Llama worker (vLLM / RunPod).

Both stream the same two item types, so the chat pipeline treats them alike:
`TextDelta` for each piece of text, then one `Completion` with the usage. A failure before any text raises
`LLMUnavailable` (the caller falls back); a failure after some text raises `LLMInterrupted` (the caller keeps the partial).
"""

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

logger = logging.getLogger(__name__)
_unpriced_warned: set[str] = set()


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0


@dataclass(frozen=True)
class Completion:
    provider: str  # "anthropic" | "vllm"
    model: str
    usage: Usage = field(default_factory=Usage)
    stop_reason: str = ""


class LLMError(Exception):
    def __init__(self, provider: str, code: str, message: str) -> None:
        super().__init__(f"{provider}: {code}: {message}")
        self.provider = provider
        self.code = code


class LLMUnavailable(LLMError):
    """Nothing was produced: the caller should try the next model in the chain."""


class LLMInterrupted(LLMError):
    """The stream broke after some text was produced."""


def model_prices(model: str) -> dict | None:
    """The price row of a model id: exact, else the longest alias the id extends ("claude-haiku-4-5-20251001")."""
    table = settings.LLM_PRICES_PER_MTOK
    if model in table:
        return table[model]
    aliases = [alias for alias in table if model.startswith(alias + "-")]
    return table[max(aliases, key=len)] if aliases else None


def cost_usd(model: str, usage: Usage) -> Decimal:
    prices = model_prices(model)
    if not prices:
        if model not in _unpriced_warned:  # once per model and process: an unpriced model would read as free
            _unpriced_warned.add(model)
            logger.warning("no price for this model: its answers are recorded at cost 0", extra={"model": model})
        return Decimal("0")
    total = (
        usage.input_tokens * prices["input"]
        + usage.output_tokens * prices["output"]
        + usage.cache_read_tokens * prices["cache_read"]
        + usage.cache_write_tokens * prices["cache_write"]
    )
    return (Decimal(str(total)) / Decimal(1_000_000)).quantize(Decimal("0.000001"))
