import json

import numpy as np
import pytest

from routing.dataset import Example
from routing.ensemble import EnsembleRouter, KnnScorer, members_combine, members_train, members_write
from routing.registry import LABELS
from routing.t5 import CheckpointError
from routing.t5.training import TrainingConfig, router_train

from .conftest import TINY_CONFIG, tiny_examples

ALL = ("t5", "knn", "semantic", "lexical")


@pytest.fixture(scope="module")
def ensemble_checkpoint(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("ensemble") / "router"
    train = tiny_examples()
    dev = [Example(query="perpanjang kitas dong", tool="visa"), Example(query="grazie mille", tool="smalltalk")]

    def extras(directory, t5):
        return members_write(directory=directory, train=train, labels=LABELS, t5=t5, dev=dev, members=ALL)

    result = router_train(
        train=train, dev=dev, labels=LABELS, out_dir=out_dir, config=TrainingConfig(**TINY_CONFIG), extras=extras
    )
    return out_dir, result


@pytest.fixture(scope="module")
def members_checkpoint(tmp_path_factory):
    """The default served members alone, trained without a T5."""
    out_dir = tmp_path_factory.mktemp("members") / "router"
    dev = [Example(query="perpanjang kitas dong", tool="visa"), Example(query="grazie mille", tool="smalltalk")]
    version, metrics = members_train(train=tiny_examples(), dev=dev, labels=LABELS, out_dir=out_dir)
    return out_dir, version, metrics


def test_the_served_members_are_trained_and_published_without_a_t5(members_checkpoint):
    out_dir, version, metrics = members_checkpoint

    assert not (out_dir / "config.json").exists() and not (out_dir / "model.safetensors").exists()
    assert metrics["kind"] == "semantic+lexical" and version.startswith("semantic+lexical-")
    assert json.loads((out_dir / "metrics.json").read_text())["version"] == version
    assert set(metrics["dev_accuracy_members"]) == {"knn", "semantic", "lexical"}
    assert not list(out_dir.parent.glob(".router.*"))  # no staging directory left behind


def test_a_router_without_t5_files_loads_and_is_served_by_the_engine(members_checkpoint, settings, db):
    from routing.engine import router_reset
    from routing.services import route_query

    settings.ROUTER_MODEL_DIR = members_checkpoint[0]
    router_reset()

    prediction = route_query(query="berapa harga jasa kalian", log=False)

    assert prediction.tool == "pricing"
    assert prediction.model_version == members_checkpoint[1]
    router_reset()


def test_a_served_t5_is_still_required_to_load(members_checkpoint, tmp_path):
    import shutil

    broken = tmp_path / "t5-served"
    shutil.copytree(members_checkpoint[0], broken)
    metrics = json.loads((broken / "metrics.json").read_text())
    (broken / "metrics.json").write_text(json.dumps({**metrics, "members": ["t5", "lexical"]}))

    with pytest.raises(CheckpointError, match="no router checkpoint"):
        EnsembleRouter.load(broken, labels=LABELS)


def test_the_t5_member_is_not_trained_by_members_train(tmp_path):
    with pytest.raises(ValueError, match="router_train"):
        members_train(train=tiny_examples(), labels=LABELS, out_dir=tmp_path / "r", members=("t5", "lexical"))


def test_ensemble_checkpoint_records_its_kind_and_each_members_dev_accuracy(ensemble_checkpoint):
    out_dir, result = ensemble_checkpoint
    metrics = json.loads((out_dir / "metrics.json").read_text())

    assert metrics["kind"] == "t5+knn+semantic+lexical"
    assert metrics["members"] == list(ALL)
    assert metrics["weights"] == {"t5": 1.0, "knn": 1.0, "semantic": 1.0, "lexical": 3.0}
    assert metrics["version"] == result.version and result.version.startswith("t5+knn+semantic+lexical-")
    assert set(metrics["dev_accuracy_members"]) == set(ALL)
    assert 0.0 <= metrics["dev_accuracy"] <= 1.0


def test_ensemble_ranks_every_label_with_probabilities_that_sum_to_one(ensemble_checkpoint):
    router = EnsembleRouter.load(ensemble_checkpoint[0], labels=LABELS)

    ranked = router.rank("how do I extend my KITAS")

    assert ranked[0][0] == "visa"
    assert sorted(label for label, _ in ranked) == sorted(LABELS)
    assert sum(p for _, p in ranked) == pytest.approx(1.0)


def test_engine_serves_the_ensemble_behind_the_same_interface(ensemble_checkpoint, settings, db):
    from routing.engine import router_reset
    from routing.services import route_query

    settings.ROUTER_MODEL_DIR = ensemble_checkpoint[0]
    router_reset()

    prediction = route_query(query="berapa harga jasa kalian", log=False)

    assert prediction.tool == "pricing"
    assert prediction.model_version.startswith("t5+knn+semantic+lexical-")
    router_reset()


def test_an_ensemble_missing_a_member_file_is_a_checkpoint_error(ensemble_checkpoint, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(ensemble_checkpoint[0], broken)
    (broken / "lexical.joblib").unlink()

    with pytest.raises(CheckpointError, match="cannot be loaded"):
        EnsembleRouter.load(broken, labels=LABELS)


def test_knn_votes_for_the_label_of_the_nearest_neighbours():
    vectors = np.eye(3, dtype=np.float32)
    knn = KnnScorer(vectors=vectors, label_ids=np.array([0, 1, 1]), n_labels=2)

    probabilities = knn.probabilities(np.array([[0.9, 0.1, 0.0]], dtype=np.float32))

    assert probabilities.argmax() == 0
    assert probabilities.sum() == pytest.approx(1.0)


def test_only_the_served_members_are_scored(ensemble_checkpoint):
    router = EnsembleRouter.load(ensemble_checkpoint[0], labels=LABELS)
    router.members = ("lexical",)

    assert set(router.member_probabilities(["hello"])) == {"lexical"}
    assert router.rank("hello")[0][0] in LABELS


def test_unknown_members_are_refused(tmp_path):
    with pytest.raises(ValueError, match="members"):
        members_write(directory=tmp_path, train=tiny_examples(), labels=LABELS, t5=None, members=("gpt",))


def test_members_are_averaged_with_their_weights():
    scored = {"lexical": np.array([[0.6, 0.4]]), "semantic": np.array([[0.0, 1.0]])}

    combined = members_combine(scored, {"lexical": 3.0, "semantic": 1.0})

    # 3 x 0.6 + 1 x 0.0 = 1.8 and 3 x 0.4 + 1 x 1.0 = 2.2, over a total weight of 4: the lexical vote is not enough alone.
    assert combined[0].tolist() == pytest.approx([0.45, 0.55])


def test_the_semantic_member_scores_from_the_query_vector(ensemble_checkpoint):
    router = EnsembleRouter.load(ensemble_checkpoint[0], labels=LABELS)
    router.members = ("semantic",)
    router.weights = {"semantic": 1.0}

    probabilities = router.probabilities(["what do you know about me", "book a consultation"])

    assert probabilities.sum(axis=1) == pytest.approx([1.0, 1.0])
    assert [LABELS[i] for i in probabilities.argmax(axis=1)] == ["memory", "handoff"]


def test_a_subset_of_members_is_measured_on_dev_with_its_own_weights(ensemble_checkpoint, tmp_path):
    router = EnsembleRouter.load(ensemble_checkpoint[0], labels=LABELS)
    dev = [
        Example(query="perpanjang kitas dong", tool="visa"),
        Example(query="what do you know about me", tool="memory"),
    ]

    metrics = members_write(
        directory=tmp_path, train=tiny_examples(), labels=LABELS, t5=router.t5, dev=dev, members=("semantic", "lexical")
    )

    assert metrics["kind"] == "semantic+lexical"
    assert metrics["weights"] == {"semantic": 1.0, "lexical": 3.0}
    assert set(metrics["dev_accuracy_members"]) == set(ALL)
    assert 0.0 <= metrics["dev_accuracy"] <= 1.0


def test_the_lexical_member_pickles_to_the_same_bytes_in_two_processes():
    # The checkpoint version is a hash of the member files: identical trainings must give identical bytes.
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import hashlib, pickle\n"
        "from routing.ensemble import lexical_fit\n"
        "from routing.registry import LABELS\n"
        "from tests.routing.conftest import tiny_examples\n"
        "print(hashlib.sha256(pickle.dumps(lexical_fit(examples=tiny_examples(), labels=LABELS))).hexdigest())\n"
    )
    root = Path(__file__).resolve().parents[2]
    digests = {
        subprocess.run(
            [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    }

    assert len(digests) == 1
