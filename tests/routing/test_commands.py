import io
import json

import pytest
from django.core.management import CommandError, call_command

from routing.registry import LABELS
from routing.services import route_decision_correct

from .conftest import tiny_examples, write_jsonl
from .factories import RouteDecisionFactory

EVALUATION_KEYS = {"n", "accuracy", "p50_ms", "p95_ms", "per_tool", "model_version"}


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.slow
def test_train_router_trains_a_tiny_set_end_to_end_from_the_command_line(run_manage, tmp_path):
    train = write_jsonl(tmp_path / "train.jsonl", tiny_examples())
    out_dir = tmp_path / "router"

    result = run_manage(
        "train_router",
        "--train",
        str(train),
        "--no-dev",
        "--epochs",
        "2",
        "--threads",
        "1",
        "--out",
        str(out_dir),
        "--json",
    )

    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert metrics["n_train"] == len(tiny_examples())
    assert metrics["kind"] == "semantic+lexical"  # the default: the combination that measured best
    assert metrics["version"].startswith("semantic+lexical-")
    assert metrics["version"] == json.loads((out_dir / "metrics.json").read_text())["version"]
    assert not (out_dir / "config.json").exists() and not (out_dir / "model.safetensors").exists()  # no T5 trained

    evaluation = run_manage("evaluate_router", str(train), "--json", env={"ROUTER_MODEL_DIR": str(out_dir)})

    assert evaluation.returncode == 0, evaluation.stderr
    assert set(json.loads(evaluation.stdout)) == EVALUATION_KEYS


@pytest.mark.slow
def test_train_router_with_t5_saves_the_t5_beside_the_served_members(run_manage, tmp_path):
    train = write_jsonl(tmp_path / "train.jsonl", tiny_examples())
    out_dir = tmp_path / "router"
    args = ("--train", str(train), "--no-dev", "--epochs", "2", "--threads", "1", "--out", str(out_dir), "--json")

    result = run_manage("train_router", "--with-t5", *args)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["kind"] == "semantic+lexical"
    assert (out_dir / "config.json").is_file() and (out_dir / "model.safetensors").is_file()


@pytest.mark.slow
def test_train_router_exits_2_naming_the_malformed_line(run_manage, tmp_path):
    train = tmp_path / "train.jsonl"
    train.write_text('{"query": "hi", "tool": "smalltalk"}\n{"query": "oops"\n')

    result = run_manage("train_router", "--train", str(train), "--no-dev", "--out", str(tmp_path / "router"))

    assert result.returncode == 2
    assert "train.jsonl:2" in result.stderr
    assert not (tmp_path / "router").exists()


def test_train_router_refuses_a_base_model_that_is_not_a_model(tmp_path):
    with pytest.raises(CommandError, match="not a model directory") as error:
        _call("train_router", "--base-model", str(tmp_path), "--out", str(tmp_path / "router"))

    assert error.value.returncode == 2


def test_train_router_refuses_unknown_members(tmp_path):
    with pytest.raises(CommandError, match="--members") as error:
        _call("train_router", "--members", "t5,gpt", "--out", str(tmp_path / "router"))

    assert error.value.returncode == 2


def test_train_router_refuses_a_dev_set_that_overlaps_training(tmp_path):
    train = write_jsonl(tmp_path / "train.jsonl", tiny_examples())

    with pytest.raises(CommandError, match="unseen") as error:
        _call("train_router", "--train", str(train), "--dev", str(train), "--out", str(tmp_path / "router"))

    assert error.value.returncode == 2


def test_evaluate_router_prints_one_json_object_of_the_documented_shape(router_dir, tmp_path):
    data = write_jsonl(tmp_path / "eval.jsonl", tiny_examples())

    report = json.loads(_call("evaluate_router", str(data), "--json"))

    assert set(report) == EVALUATION_KEYS
    assert report["n"] == len(tiny_examples())
    assert report["accuracy"] >= 0.9
    assert 0 < report["p50_ms"] <= report["p95_ms"]
    assert set(report["per_tool"]) == set(LABELS)
    assert all(set(v) == {"precision", "recall"} for v in report["per_tool"].values())
    assert report["model_version"].startswith("t5-")


def test_evaluate_router_exits_2_naming_the_malformed_line(router_dir, tmp_path):
    data = tmp_path / "eval.jsonl"
    data.write_text('{"query": "hi", "tool": "smalltalk"}\n\n{"query": "x", "tool": "weather"}\n')

    with pytest.raises(CommandError, match="eval.jsonl:3") as error:
        _call("evaluate_router", str(data), "--json")

    assert error.value.returncode == 2


def test_evaluate_router_without_a_checkpoint_exits_2_saying_how_to_train(no_router, tmp_path):
    data = write_jsonl(tmp_path / "eval.jsonl", tiny_examples())

    with pytest.raises(CommandError, match="train_router") as error:
        _call("evaluate_router", str(data))

    assert error.value.returncode == 2


@pytest.mark.parametrize("query", ["", "   ", "x" * 2001])
def test_route_query_command_exits_2_on_a_bad_query(no_router, query):
    with pytest.raises(CommandError) as error:
        _call("route_query", query)

    assert error.value.returncode == 2


def test_route_query_command_prints_the_decision(router_dir):
    body = json.loads(_call("route_query", "how do I extend my KITAS", "--json"))

    assert body["tool"] == "visa"


@pytest.mark.django_db
def test_export_router_data_turns_corrections_into_training_lines(staff_user, tmp_path):
    decision = RouteDecisionFactory(query="quanto costa il KITAS con voi", tool="visa")
    route_decision_correct(
        decision=decision, tool="pricing", query_text="quanto costa il KITAS con voi", corrected_by=staff_user
    )
    RouteDecisionFactory(query="never reviewed")
    out = tmp_path / "corrections.jsonl"

    call_command("export_router_data", "--out", str(out), stderr=io.StringIO())

    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert lines == [{"query": "quanto costa il KITAS con voi", "tool": "pricing"}]


@pytest.mark.django_db
def test_export_router_data_leaves_out_dev_queries(staff_user, tmp_path):
    decision = RouteDecisionFactory(query="hello zantara", tool="visa")
    route_decision_correct(decision=decision, tool="smalltalk", query_text="hello zantara", corrected_by=staff_user)
    dev = write_jsonl(tmp_path / "dev.jsonl", [*tiny_examples()[:1]])
    dev.write_text(dev.read_text() + '{"query": "Hello Zantara", "tool": "smalltalk"}\n')

    assert _call("export_router_data", "--exclude", str(dev)) == ""


def test_training_uses_one_torch_thread_while_other_processes_keep_the_cores_busy():
    import os
    import subprocess
    import sys
    import time

    from routing.management.commands.train_router import _busy_cores, _default_threads

    cores = os.cpu_count() or 1
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(cores)]
    try:
        time.sleep(0.3)
        busy = _busy_cores()
        threads = _default_threads()
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()

    assert busy >= 0.5 * cores
    assert threads == 1
