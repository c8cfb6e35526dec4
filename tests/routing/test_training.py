import json

import pytest

from routing.dataset import Example
from routing.registry import LABELS
from routing.t5.model import T5Router
from routing.t5.training import TrainingConfig, checkpoint_write, router_train

from .conftest import TINY_CONFIG, tiny_examples

FAST = TrainingConfig(**{**TINY_CONFIG, "epochs": 2})


def test_tiny_training_writes_a_loadable_checkpoint_with_metrics(tiny_checkpoint):
    files = {path.name for path in tiny_checkpoint.iterdir()}
    metrics = json.loads((tiny_checkpoint / "metrics.json").read_text())

    assert {"config.json", "model.safetensors", "tokenizer.json", "metrics.json"} <= files
    assert metrics["version"].startswith("t5-")
    assert metrics["labels"] == list(LABELS)
    assert metrics["seed"] == TrainingConfig().seed
    assert metrics["train_seconds"] >= 0
    assert T5Router.load(tiny_checkpoint, labels=LABELS).version == metrics["version"]


def test_tiny_training_learns_its_training_queries(tiny_checkpoint):
    router = T5Router.load(tiny_checkpoint, labels=LABELS)
    examples = tiny_examples()

    best = router.probabilities([e.query for e in examples]).argmax(dim=-1).tolist()
    hits = sum(LABELS[i] == e.tool for i, e in zip(best, examples, strict=True))

    assert hits / len(examples) >= 0.9


def test_same_seed_gives_the_same_model_version(tmp_path):
    first = router_train(train=tiny_examples(), labels=LABELS, out_dir=tmp_path / "a", config=FAST)
    second = router_train(train=tiny_examples(), labels=LABELS, out_dir=tmp_path / "b", config=FAST)
    other_seed = router_train(
        train=tiny_examples(),
        labels=LABELS,
        out_dir=tmp_path / "c",
        config=TrainingConfig(**{**TINY_CONFIG, "epochs": 2, "seed": 7}),
    )

    assert first.version == second.version
    assert other_seed.version != first.version


def test_dev_accuracy_is_measured_on_the_dev_examples(tmp_path):
    dev = [Example(query="hello", tool="smalltalk"), Example(query="npwp", tool="tax")]

    result = router_train(train=tiny_examples(), dev=dev, labels=LABELS, out_dir=tmp_path / "m", config=FAST)

    assert result.metrics["n_dev"] == 2
    assert 0.0 <= result.metrics["dev_accuracy"] <= 1.0


def test_retraining_replaces_the_checkpoint_and_leaves_no_temporary_directory(tmp_path):
    out_dir = tmp_path / "router"
    router_train(train=tiny_examples(), labels=LABELS, out_dir=out_dir, config=FAST)

    result = router_train(
        train=tiny_examples(), labels=LABELS, out_dir=out_dir, config=TrainingConfig(**{**TINY_CONFIG, "epochs": 1})
    )

    assert json.loads((out_dir / "metrics.json").read_text())["version"] == result.version
    assert [path.name for path in tmp_path.iterdir()] == ["router"]


class _FailingTokenizer:
    """Stands in for a disk that fills up half-way through writing the checkpoint."""

    def save_pretrained(self, directory) -> None:
        (directory / "tokenizer.json").write_text("{half")
        raise OSError(28, "No space left on device")


def test_a_failed_write_keeps_the_previous_checkpoint_intact(tmp_path, tiny_checkpoint):
    import shutil

    out_dir = tmp_path / "router"
    shutil.copytree(tiny_checkpoint, out_dir)
    before = (out_dir / "metrics.json").read_text()
    model = T5Router.load(out_dir, labels=LABELS).model

    with pytest.raises(OSError, match="No space"):
        checkpoint_write(model=model, tokenizer=_FailingTokenizer(), metrics={}, out_dir=out_dir)

    assert (out_dir / "metrics.json").read_text() == before
    assert [path.name for path in tmp_path.iterdir()] == ["router"]


def test_training_refuses_tools_outside_the_registry(tmp_path):
    examples = [*tiny_examples(), Example(query="weather in ubud", tool="weather")]

    with pytest.raises(ValueError, match="weather"):
        router_train(train=examples, labels=LABELS, out_dir=tmp_path / "m", config=FAST)

    assert not (tmp_path / "m").exists()


def test_without_epochs_the_step_budget_sets_the_passes(tmp_path):
    # 40 tiny examples in batches of 8 are 5 steps a pass: a budget of 12 steps gives 2 passes, never fewer than 1.
    two = router_train(
        train=tiny_examples(),
        labels=LABELS,
        out_dir=tmp_path / "a",
        config=TrainingConfig(**{**TINY_CONFIG, "epochs": None, "step_budget": 12}),
    )
    one = router_train(
        train=tiny_examples(),
        labels=LABELS,
        out_dir=tmp_path / "b",
        config=TrainingConfig(**{**TINY_CONFIG, "epochs": None, "step_budget": 1}),
    )

    assert (two.metrics["epochs"], one.metrics["epochs"]) == (2, 1)
