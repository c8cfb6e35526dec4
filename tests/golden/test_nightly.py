"""The nightly drafting job against local stand-ins for the Llama worker (OpenAI-compatible) and Anthropic."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from knowledge.golden.models import GoldenAnswer, GoldenLookup, NightlyRun
from knowledge.golden.selectors import golden_answer_lookup
from knowledge.golden.tasks import golden_draft_nightly
from knowledge.models import Document
from tests.fakes.llm_servers import Behaviour, FakeAnthropic

from .factories import GoldenAnswerFactory

EXTEND = [
    "How do I extend my investor KITAS?",
    "How can I extend an investor KITAS?",
    "How to extend my investor KITAS?",
]
DRAFT = "Apply for the extension at least 30 days before the KITAS expires [1]."


def _missed(text: str, *, days_ago: float = 1, times: int = 1) -> None:
    when = timezone.now() - datetime.timedelta(days=days_ago)
    GoldenLookup.objects.bulk_create(GoldenLookup(query=text, hit=False, created_at=when) for _ in range(times))


@pytest.fixture
def no_llm(settings):
    settings.VLLM_BASE_URL = ""
    settings.ANTHROPIC_API_KEY = ""
    cache.delete_many(["breaker:vllm:failures", "breaker:vllm:open_until"])
    return settings


@pytest.fixture
def fake_vllm(no_llm, fake_vllm):
    fake_vllm.default = Behaviour(tokens=[DRAFT])
    no_llm.VLLM_TIMEOUT_S = 5.0
    return fake_vllm


@pytest.fixture
def missed_questions(knowledge_docs):
    for text in EXTEND:
        _missed(text)
    _missed("Do I need an NPWP?", times=2)  # asked twice only: below the minimum cluster size
    _missed("What is the corporate tax rate in Indonesia?", times=3)  # covered by an existing draft
    GoldenAnswerFactory(question="What is the corporate income tax rate in Indonesia?", status="draft")
    _missed("When is Nyepi this year?", days_ago=10, times=5)  # outside the 7-day window
    return knowledge_docs


def test_the_largest_uncovered_cluster_becomes_a_draft_citing_its_source(fake_vllm, missed_questions):
    result = golden_draft_nightly()

    run = NightlyRun.objects.get()
    assert result["status"] == run.status == NightlyRun.Status.SUCCEEDED and run.provider == "vllm"
    assert (run.questions, run.clusters, run.uncovered_clusters, run.drafts_created) == (5, 2, 1, 1)
    assert run.finished_at is not None and run.errors == []
    draft = GoldenAnswer.objects.get(origin=GoldenAnswer.Origin.NIGHTLY)
    assert draft.status == GoldenAnswer.Status.DRAFT and draft.nightly_run == run and draft.answer == DRAFT
    assert draft.question in EXTEND and {v.question for v in draft.variants.all()} == set(EXTEND) - {draft.question}
    assert list(draft.source_documents.all()) == [Document.objects.get(original_name="kitas-extension.md")]
    assert "3 questions asked" in draft.review_reason


def test_the_prompt_carries_the_question_and_the_retrieved_context(fake_vllm, missed_questions):
    golden_draft_nightly()

    (request,) = fake_vllm.requests
    assert request["path"] == "/v1/chat/completions" and not request["body"].get("stream")
    prompt = request["body"]["messages"][-1]["content"]
    assert "[1] Extending an investor KITAS (E28A)" in prompt and "30 days before it expires" in prompt
    assert any(question in prompt for question in EXTEND)


def test_drafts_are_never_served_before_review(fake_vllm, missed_questions):
    golden_draft_nightly()

    assert not golden_answer_lookup(query=GoldenAnswer.objects.get(origin="nightly").question, log=False).hit


def test_a_second_run_does_not_draft_the_same_cluster_again(fake_vllm, missed_questions):
    golden_draft_nightly()
    golden_draft_nightly()

    assert GoldenAnswer.objects.filter(origin="nightly").count() == 1
    assert NightlyRun.objects.order_by("-id").first().uncovered_clusters == 0


def test_without_any_llm_the_run_records_that_it_skipped_and_why(no_llm, missed_questions):
    golden_draft_nightly()

    run = NightlyRun.objects.get()
    assert run.status == NightlyRun.Status.SKIPPED and run.questions == 5
    assert "VLLM_BASE_URL" in run.skipped_reason and "ANTHROPIC_API_KEY" in run.skipped_reason
    assert not GoldenAnswer.objects.filter(origin="nightly").exists()


def test_a_failing_llm_is_recorded_as_a_failed_run(fake_vllm, missed_questions):
    fake_vllm.default = Behaviour(kind="error500")

    golden_draft_nightly()

    run = NightlyRun.objects.get()
    assert run.status == NightlyRun.Status.FAILED and run.drafts_created == 0
    assert run.errors and run.errors[0]["error"].startswith("vllm: http_500")


def test_with_no_llama_endpoint_anthropic_drafts_instead(no_llm, missed_questions):
    server = FakeAnthropic().start()
    server.default = Behaviour(tokens=["Apply 30 days ", "before expiry [1]."])
    no_llm.ANTHROPIC_API_KEY = "sk-test"
    no_llm.ANTHROPIC_BASE_URL = server.url
    no_llm.ANTHROPIC_MAX_RETRIES = 0
    try:
        golden_draft_nightly()
    finally:
        server.stop()

    run = NightlyRun.objects.get()
    assert run.provider == "anthropic" and run.drafts_created == 1
    assert GoldenAnswer.objects.get(origin="nightly").answer == "Apply 30 days before expiry [1]."
