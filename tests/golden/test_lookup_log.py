"""Outside a transaction the lookup log is written by a background thread, off the hit path."""

import pytest
from django.utils import timezone

from knowledge.golden import lookup_log
from knowledge.golden.models import GoldenAnswer, GoldenLookup
from knowledge.golden.selectors import golden_answer_lookup

from .factories import GoldenAnswerFactory


@pytest.mark.django_db(transaction=True)
def test_lookups_outside_a_transaction_are_logged_by_the_writer_thread():
    golden = GoldenAnswerFactory(question="What happens on Nyepi in Bali?")

    for _ in range(3):
        golden_answer_lookup(query="What happens on Nyepi in Bali?")
    golden_answer_lookup(query="Where can I surf in Uluwatu?")
    lookup_log.flush()

    assert GoldenLookup.objects.count() == 4 and GoldenLookup.objects.filter(hit=True).count() == 3
    golden.refresh_from_db()
    assert golden.usage_count == 3 and golden.last_hit_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_write_failure_loses_log_rows_but_not_the_writer():
    lookup_log.record(
        lookup_log.LookupEntry(
            query="q", golden_answer_id=987654, similarity=1.0, cosine=None, coverage=None, hit=True, method="exact",
            refused_by="", refusal_detail="", threshold=0.8, latency_ms=1.0, created_at=timezone.now(),
        )
    )  # fmt: skip  # an answer that does not exist: the batch fails on the foreign key
    lookup_log.flush()
    golden = GoldenAnswerFactory(question="What happens on Nyepi in Bali?")

    golden_answer_lookup(query="What happens on Nyepi in Bali?")
    lookup_log.flush()

    assert not GoldenLookup.objects.filter(query="q").exists()
    assert GoldenLookup.objects.filter(golden_answer=golden).count() == 1
    assert GoldenAnswer.objects.get(pk=golden.pk).usage_count == 1
