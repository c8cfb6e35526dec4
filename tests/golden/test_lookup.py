"""golden_answer_lookup: exact and semantic hits, the guards, the log and the usage counters."""

import datetime

from django.utils import timezone

from knowledge.golden.models import GoldenAnswer, GoldenLookup
from knowledge.golden.selectors import golden_answer_explain, golden_answer_lookup
from knowledge.golden.services import golden_answer_update

from .factories import GoldenAnswerFactory


def test_the_same_question_written_differently_is_an_exact_hit(overstay_answer):
    result = golden_answer_lookup(query="what is the FINE for overstaying my visa in indonesia")

    assert result.hit and result.golden_answer_id == overstay_answer.pk
    assert result.similarity == 1.0 and result.refused_by is None
    assert result.answer == overstay_answer.answer
    assert GoldenLookup.objects.get().method == "exact"


def test_a_paraphrase_is_a_semantic_hit_with_its_sources(overstay_answer):
    result = golden_answer_lookup(query="How much is the fine for overstaying a visa in Indonesia?")

    assert result.hit and result.golden_answer_id == overstay_answer.pk
    assert 0.8 <= result.similarity < 1.0
    document = overstay_answer.source_documents.get()
    assert result.sources == [
        {"document_id": document.pk, "title": document.title, "source": document.source, "chunk_id": None}
    ]
    assert GoldenLookup.objects.get().method == "semantic"


def test_an_unrelated_question_is_a_logged_miss_with_the_nearest_similarity(overstay_answer):
    result = golden_answer_lookup(query="What should I wear to visit a temple in Bali?")

    assert not result.hit and result.answer == "" and result.sources == []
    assert result.golden_answer_id == overstay_answer.pk and result.similarity < 0.8
    logged = GoldenLookup.objects.get()
    assert not logged.hit and logged.similarity == result.similarity and logged.query.startswith("What should I wear")


def test_negation_on_one_side_only_refuses_the_hit(remote_worker_answer):
    result = golden_answer_lookup(query="Can't I work for Indonesian clients on an E33G remote worker KITAS?")

    assert not result.hit and result.refused_by == "negation"
    assert result.similarity >= 0.8  # above the threshold: only the guard refused it
    assert GoldenLookup.objects.get().refused_by == "negation"


def test_another_visa_index_refuses_the_hit(remote_worker_answer):
    result = golden_answer_lookup(query="Can I work for Indonesian clients on an E28A KITAS?")

    assert not result.hit and result.refused_by == "code"


def test_another_kbli_code_refuses_the_hit(db):
    villa = GoldenAnswerFactory(question="What is KBLI 55193 for villa rental?", variants=["KBLI code for a villa"])

    result = golden_answer_lookup(query="What is KBLI 55130 for villa rental?")

    assert not result.hit and result.refused_by == "code" and result.golden_answer_id == villa.pk


def test_another_year_refuses_the_hit(vat_answer):
    result = golden_answer_lookup(query="What was the VAT rate in Indonesia in 2022?")

    assert not result.hit and result.refused_by == "number"


def test_another_amount_refuses_the_hit(overstay_answer):
    result = golden_answer_lookup(query="Is the fine for overstaying my visa in Indonesia IDR 2,000,000?")

    assert not result.hit and result.refused_by == "number"


def test_a_hit_counts_on_the_answer_and_a_miss_does_not(overstay_answer):
    golden_answer_lookup(query="What is the fine for overstaying my visa in Indonesia?")
    golden_answer_lookup(query="How much is the overstay penalty per day?")
    golden_answer_lookup(query="Where is the immigration office in Denpasar?")

    overstay_answer.refresh_from_db()
    assert overstay_answer.usage_count == 2 and overstay_answer.last_hit_at is not None
    assert GoldenLookup.objects.count() == 3 and GoldenLookup.objects.filter(hit=True).count() == 2


def test_log_false_writes_nothing(overstay_answer):
    golden_answer_lookup(query="What is the fine for overstaying my visa in Indonesia?", log=False)

    assert not GoldenLookup.objects.exists()
    overstay_answer.refresh_from_db()
    assert overstay_answer.usage_count == 0


def test_drafts_and_answers_to_review_are_not_served(db):
    GoldenAnswerFactory(question="What is the fine for overstaying my visa in Indonesia?", status="draft")
    GoldenAnswerFactory(question="How much is the overstay penalty per day?", status="needs_review")

    assert not golden_answer_lookup(query="What is the fine for overstaying my visa in Indonesia?").hit
    assert not golden_answer_lookup(query="How much is the overstay penalty per day?").hit


def test_an_answer_past_its_valid_until_is_not_served(overstay_answer):
    overstay_answer.valid_until = timezone.localdate() - datetime.timedelta(days=1)
    overstay_answer.save()

    assert not golden_answer_lookup(query="What is the fine for overstaying my visa in Indonesia?").hit


def test_an_edit_is_served_on_the_next_lookup(overstay_answer):
    golden_answer_lookup(query="What is the fine for overstaying my visa in Indonesia?")  # builds the matrix

    golden_answer_update(golden_answer=overstay_answer, answer="Now IDR 1,000,000 per day, says the new answer.")

    assert golden_answer_lookup(query="What is the fine for overstaying my visa in Indonesia?").answer.startswith("Now")


def test_an_approval_is_served_on_the_next_lookup(db):
    draft = GoldenAnswerFactory(question="What happens on Nyepi in Bali?", status=GoldenAnswer.Status.DRAFT)
    assert not golden_answer_lookup(query="What happens on Nyepi in Bali?").hit

    golden_answer_update(golden_answer=draft, status=GoldenAnswer.Status.APPROVED)

    assert golden_answer_lookup(query="What happens on Nyepi in Bali?").hit


def test_empty_and_over_long_queries_are_misses_not_errors(overstay_answer):
    assert not golden_answer_lookup(query="   ").hit
    assert not golden_answer_lookup(query="overstay " * 300).hit
    assert not GoldenLookup.objects.exists()


def test_explain_lists_nearest_answers_with_the_guard_that_refused_them(remote_worker_answer, overstay_answer):
    reports = golden_answer_explain(query="Can't I work for Indonesian clients on an E33G remote worker KITAS?")

    first = reports[0]
    assert first.golden_answer_id == remote_worker_answer.pk and first.refused_by == "negation"
    assert first.above_threshold and not first.served
    assert {r.golden_answer_id for r in reports} == {remote_worker_answer.pk, overstay_answer.pk}
    assert not GoldenLookup.objects.exists()
