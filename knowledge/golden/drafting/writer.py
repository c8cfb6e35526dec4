"""Ask a model to draft an answer from retrieved context: the Llama worker (vLLM), else Anthropic, else nothing."""

import re
from dataclasses import dataclass

from django.conf import settings

from nuzantara.llm import LLMUnavailable, anthropic_client, vllm_client

NO_ANSWER = "NO_ANSWER"
MAX_DRAFT_TOKENS = 700
SYSTEM = (
    "You draft answers for ZANTARA, the assistant of Bali Zero, a consultancy for foreigners in Indonesia (visas, "
    "companies, tax, property). A human reviews every draft before it is used. Answer the user's question only from "
    "the numbered sources. Be concise and practical, use markdown (short paragraphs, bullet lists), and cite the "
    "sources you use as [1], [2]. Write in the language of the question. If the sources do not answer the question, "
    f"reply with exactly {NO_ANSWER}."
)
_CITATION = re.compile(r"\[(\d{1,2})\]")


@dataclass(frozen=True)
class ContextChunk:
    n: int
    document_id: int
    title: str
    source: str
    text: str


def provider_available() -> tuple[str | None, str]:
    """("vllm" | "anthropic" | None, why not when None)."""
    if vllm_client.is_configured():
        return "vllm", ""
    if anthropic_client.is_configured():
        return "anthropic", ""
    return None, "no LLM configured: VLLM_BASE_URL (Llama worker) and ANTHROPIC_API_KEY are both empty"


def build_messages(question: str, context: list[ContextChunk]) -> list[dict]:
    sources = "\n\n".join(f"[{c.n}] {c.title} ({c.source or 'no source'})\n{c.text}" for c in context)
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"Sources:\n\n{sources}\n\nQuestion: {question}"},
    ]


def _anthropic_complete(messages: list[dict], max_tokens: int) -> str:
    """The sync SDK client (the app's Anthropic module is async, for chat); streamed, so a long draft never hits the
    SDK's non-streaming timeout guard, and collected into the whole text."""
    import anthropic

    from nuzantara.llm.anthropic_client import sync_client

    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    turns = [m for m in messages if m["role"] != "system"]
    try:
        with sync_client() as client:
            with client.messages.stream(
                model=settings.ANTHROPIC_MODEL, max_tokens=max_tokens, system=system, messages=turns
            ) as stream:
                return stream.get_final_text()
    except anthropic.APIError as exc:
        code = f"http_{exc.status_code}" if isinstance(exc, anthropic.APIStatusError) else type(exc).__name__
        raise LLMUnavailable("anthropic", code, str(exc)[:200]) from exc


def complete(provider: str, messages: list[dict], max_tokens: int = MAX_DRAFT_TOKENS) -> str:
    """The model's text; LLMUnavailable when the provider fails."""
    if provider == "vllm":
        return vllm_client.vllm_complete(messages=messages, max_tokens=max_tokens)
    return _anthropic_complete(messages, max_tokens)


def cited_numbers(text: str, available: int) -> list[int]:
    """The source numbers a draft cites, in order of first citation, within 1..available."""
    seen: dict[int, None] = {}
    for match in _CITATION.finditer(text):
        n = int(match.group(1))
        if 1 <= n <= available:
            seen.setdefault(n, None)
    return list(seen)
