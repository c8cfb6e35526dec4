"""What an extractor returns, and the interface both extractors (rules, LLM) implement."""

from dataclasses import dataclass
from typing import Literal, Protocol

KINDS = ("identity", "family", "location", "business", "immigration", "deadline", "preference", "other")

# Slots holding one value at a time: a new value supersedes the old one (UPDATE), an equal one is a duplicate (NONE).
SINGLE_VALUED_KEYS = {
    "name": "identity",
    "nationality": "identity",
    "occupation": "identity",
    "birthday": "identity",
    "phone": "identity",
    "email": "identity",
    "city": "location",
    "company": "business",
    "company_type": "business",
    "employer": "business",
    "visa_type": "immigration",
    "visa_expiry": "immigration",
    "marital_status": "family",
    "spouse": "family",
    "spouse_nationality": "family",
    "children": "family",
    "answer_language": "preference",
    "contact_channel": "preference",
}


@dataclass(frozen=True)
class FactCandidate:
    """One thing the user said about themselves, or a retraction of something said before."""

    kind: str
    text: str
    key: str = ""  # a slot from SINGLE_VALUED_KEYS, "deadline:<topic>", or "" for a free fact
    value: str = ""  # the slot's normalized value, compared to decide UPDATE vs NONE
    confidence: float = 0.8
    action: Literal["assert", "retract"] = "assert"  # retract: the user says it no longer holds
    targets: tuple[int, ...] = ()  # ids of existing facts this one replaces or retracts (LLM); () = decide by slot


@dataclass(frozen=True)
class ExistingFact:
    """What an extractor may see of the user's current facts (the most similar ones)."""

    id: int
    kind: str
    key: str
    text: str


class FactExtractor(Protocol):
    name: str

    def extract(self, *, user_text: str, assistant_text: str, existing: list[ExistingFact]) -> list[FactCandidate]: ...


class ExtractionUnavailable(Exception):
    """The extractor could not run (the LLM failed); the task retries, then falls back to the rules."""
