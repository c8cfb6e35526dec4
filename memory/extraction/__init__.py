"""Fact extraction: the LLM extractor when a model and a structured client are configured, else the offline rules.

The lead wires the structured client by naming a zero-argument factory in settings.MEMORY_LLM_CLIENT
(e.g. "nuzantara.llm.structured.memory_client"); it returns a callable (see memory/extraction/llm.py) or None.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from .base import ExistingFact, ExtractionUnavailable, FactCandidate, FactExtractor
from .llm import LLMFactExtractor, LLMSummarizer, StructuredClient
from .rules import RuleBasedExtractor, extract_candidates

logger = logging.getLogger(__name__)

__all__ = [
    "ExistingFact",
    "ExtractionUnavailable",
    "FactCandidate",
    "FactExtractor",
    "LLMFactExtractor",
    "LLMSummarizer",
    "RuleBasedExtractor",
    "extract_candidates",
    "fact_extractor_get",
    "llm_configured",
    "structured_client_get",
]


def llm_configured() -> bool:
    return bool(settings.ANTHROPIC_API_KEY or settings.VLLM_BASE_URL)


def structured_client_get() -> StructuredClient | None:
    if not llm_configured():
        return None
    path = getattr(settings, "MEMORY_LLM_CLIENT", "")
    if not path:
        logger.info("memory: an LLM is configured but MEMORY_LLM_CLIENT is not set; using the rule-based extractor")
        return None
    return import_string(path)()


def fact_extractor_get() -> FactExtractor:
    client = structured_client_get()
    return LLMFactExtractor(client=client) if client is not None else RuleBasedExtractor()
