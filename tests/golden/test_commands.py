"""golden_lookup and golden_load_demo."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from knowledge.golden.models import GoldenAnswer
from knowledge.golden.selectors import golden_answer_lookup


def test_golden_lookup_json_prints_exactly_the_documented_shape(overstay_answer):
    out = StringIO()

    call_command("golden_lookup", "How much is the overstay penalty per day?", "--json", stdout=out)

    body = json.loads(out.getvalue())
    assert list(body) == ["hit", "golden_answer_id", "similarity", "refused_by", "answer", "latency_ms"]
    assert body["hit"] is True and body["golden_answer_id"] == overstay_answer.pk


def test_golden_lookup_explains_a_refusal(remote_worker_answer):
    out = StringIO()

    call_command(
        "golden_lookup", "Can't I work for Indonesian clients on an E33G remote worker KITAS?", "--explain", stdout=out
    )

    assert (
        "MISS" in out.getvalue()
        and "refused by the negation guard" in out.getvalue()
        and "[negation]" in out.getvalue()
    )


def test_golden_lookup_queries_file_adds_the_served_and_nearest_keys_and_logs_nothing(overstay_answer, tmp_path):
    from knowledge.golden.models import GoldenLookup

    GoldenAnswer.objects.filter(pk=overstay_answer.pk).update(key="visa-overstay-fine")
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"q": "How much is the overstay penalty per day?"}\n{"q": "How do I open a bank account?"}\n')
    out = StringIO()

    call_command("golden_lookup", "--queries", str(queries), "--json", stdout=out)

    hit, miss = (json.loads(line) for line in out.getvalue().splitlines())
    assert hit["hit"] is True and hit["key"] == "visa-overstay-fine" and hit["nearest_key"] == "visa-overstay-fine"
    assert miss["hit"] is False and miss["key"] is None and miss["nearest_key"] == "visa-overstay-fine"
    assert {"golden_answer_id", "similarity", "refused_by", "answer", "latency_ms"} <= set(hit)
    assert not GoldenLookup.objects.exists()


def test_golden_lookup_queries_file_with_a_bad_line_exits_2(db, tmp_path):
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"q": "fine"}\n{"text": "no q"}\n')

    with pytest.raises(CommandError) as error:
        call_command("golden_lookup", "--queries", str(queries), "--json")

    assert error.value.returncode == 2 and "q.jsonl:2" in str(error.value)


@pytest.mark.parametrize("query", ["", "x" * 2001])
def test_golden_lookup_refuses_bad_input_with_exit_code_2(db, query):
    with pytest.raises(CommandError) as error:
        call_command("golden_lookup", query)

    assert error.value.returncode == 2


def test_golden_lookup_exits_2_in_a_real_process(run_manage):
    done = run_manage("golden_lookup", "   ", "--json")

    assert done.returncode == 2 and "empty" in done.stderr and done.stdout == ""


@pytest.mark.slow
def test_golden_load_demo_loads_40_plus_approved_answers_once_and_answers_demo_faqs(db):
    call_command("golden_load_demo", stdout=StringIO(), stderr=StringIO())
    loaded = GoldenAnswer.objects.filter(status="approved", origin="demo").count()

    out = StringIO()
    call_command("golden_load_demo", stdout=out, stderr=StringIO())

    assert loaded >= 40 and GoldenAnswer.objects.count() == loaded
    assert "0 created" in out.getvalue()
    assert golden_answer_lookup(query="How much is the fine for overstaying a visa in Bali?", log=False).hit
    assert golden_answer_lookup(query="Can foreigners buy property in Bali?", log=False).hit


def test_golden_warmup_prepares_the_encoder_and_the_matrix(overstay_answer):
    out = StringIO()

    call_command("golden_warmup", stdout=out)

    assert "encoder onnx" in out.getvalue() and "1 golden answers served, 2 phrasings" in out.getvalue()
    overstay_answer.refresh_from_db()
    assert overstay_answer.embedding is not None and "all-MiniLM-L6-v2" in overstay_answer.embedding_model
