"""The answer's sources say when the vector index was down and the chunks were found by the lexical half alone."""

import socket

import pytest

from chat.pipeline.steps import retrieve
from knowledge.search import index

pytestmark = pytest.mark.django_db


def test_sources_found_while_chroma_is_down_say_they_are_lexical_only(knowledge_docs, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        settings.CHROMA_HOST, settings.CHROMA_PORT = "127.0.0.1", probe.getsockname()[1]  # nothing listens there
    index.reset_client()

    chunks, _ = retrieve("How do I extend my investor KITAS?", ("visa_oracle",))

    assert chunks[0].title == "Extending an investor KITAS (E28A)"
    assert chunks[0].citation()["search"] == "lexical only: the vector index was unavailable"


def test_sources_of_a_healthy_search_carry_no_notice(knowledge_docs):
    chunks, _ = retrieve("How do I extend my investor KITAS?", ("visa_oracle",))

    assert "search" not in chunks[0].citation()
