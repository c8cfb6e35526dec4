"""Routers beside the T5, and their averages, behind the T5Router surface.

- a semantic k-NN (semantic-router style): the bundled MiniLM embeds the query, and the 10 nearest training
  queries vote, weighted by similarity;
- a semantic model: logistic regression on the same MiniLM vectors (a trained head instead of a vote);
- a lexical model: character and word n-gram TF-IDF with logistic regression, robust to typos and code-switching.

`train_router --members` picks which of t5, knn, semantic and lexical are served; their probabilities are averaged with
MEMBER_WEIGHTS. The default is the combination that measured best (see DEFAULT_MEMBERS). The T5 is trained only when it
is served or asked for (`--with-t5`); a checkpoint of the other members alone has no T5 files and loads without torch's
T5.
"""

import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from .checkpoint import checkpoint_publish
from .dataset import Example
from .t5 import METRICS_FILE, CheckpointError

KNN_VECTORS_FILE = "knn_vectors.npy"
KNN_LABELS_FILE = "knn_labels.json"
LEXICAL_FILE = "lexical.joblib"
SEMANTIC_FILE = "semantic.joblib"
KNN_NEIGHBOURS = 10
KNN_TEMPERATURE = 0.05  # cosine similarities are close together; a low temperature lets the nearest count most
SEMANTIC_C = 10
MEMBERS = ("t5", "knn", "semantic", "lexical")
# Relative weights when members are averaged. 5-fold cross-validation on train.jsonl (6,599 lines; dev not used):
# lexical 0.904, semantic 0.743; semantic weight 0.25 of the average 0.912 (0.15 gave 0.909, 0.35 gave 0.910).
# On dev after training on 9,855 lines: lexical 0.962, semantic+lexical 0.967 (bench/router_compare.py).
MEMBER_WEIGHTS = {"t5": 1.0, "knn": 1.0, "semantic": 1.0, "lexical": 3.0}
DEFAULT_MEMBERS = ("semantic", "lexical")


class KnnScorer:
    def __init__(self, *, vectors: np.ndarray, label_ids: np.ndarray, n_labels: int) -> None:
        self.vectors = vectors
        self.label_ids = label_ids
        self.n_labels = n_labels

    def probabilities(self, query_vectors: np.ndarray) -> np.ndarray:
        similarities = query_vectors @ self.vectors.T
        k = min(KNN_NEIGHBOURS, similarities.shape[1])
        nearest = np.argpartition(-similarities, k - 1, axis=1)[:, :k]
        scores = np.zeros((len(query_vectors), self.n_labels), dtype=np.float64)
        for row, neighbours in enumerate(nearest):
            weights = np.exp((similarities[row, neighbours] - similarities[row, neighbours].max()) / KNN_TEMPERATURE)
            np.add.at(scores[row], self.label_ids[neighbours], weights)
        return scores / scores.sum(axis=1, keepdims=True)


def lexical_fit(*, examples: list[Example], labels: tuple[str, ...]):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    features = make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, strip_accents="unicode"),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode"),
    )
    model = make_pipeline(features, LogisticRegression(C=30, max_iter=5000))
    model.fit([e.query for e in examples], [labels.index(e.tool) for e in examples])
    for _, vectorizer in features.transformer_list:
        # scikit-learn caches id(stop_words) here to skip a re-check on refit: a memory address, different in every
        # process, which made the pickled model (and so the checkpoint version) differ between identical trainings.
        vars(vectorizer).pop("_stop_words_id", None)
    return model


def members_write(
    *,
    directory: Path,
    train: list[Example],
    labels: tuple[str, ...],
    t5,
    dev: list[Example] | None = None,
    members: tuple[str, ...] = DEFAULT_MEMBERS,
    progress: bool = False,
) -> dict:
    """Fit the k-NN, semantic and lexical members on `train`, write them to `directory`, and measure them on `dev`.

    `t5` (a trained T5Router, or None when it was not trained) is measured on `dev` beside the others.
    """
    unknown = set(members) - set(MEMBERS)
    if not members or unknown:
        raise ValueError(f"members must be among {', '.join(MEMBERS)}")
    import joblib

    from nuzantara.embeddings import get_embedder

    embedder = get_embedder()
    vectors = embedder.encode([e.query for e in train], progress=progress)  # most of the training time
    label_ids = np.array([labels.index(e.tool) for e in train])
    lexical = lexical_fit(examples=train, labels=labels)
    semantic = semantic_fit(vectors=vectors, label_ids=label_ids)
    np.save(directory / KNN_VECTORS_FILE, vectors)
    (directory / KNN_LABELS_FILE).write_text(json.dumps([e.tool for e in train]))
    joblib.dump(lexical, directory / LEXICAL_FILE)
    joblib.dump(semantic, directory / SEMANTIC_FILE)
    metrics: dict = {
        "kind": "+".join(members),
        "members": list(members),
        "weights": {name: MEMBER_WEIGHTS[name] for name in members},
        "embedding_model": embedder.name,
    }
    if dev:
        knn = KnnScorer(vectors=vectors, label_ids=label_ids, n_labels=len(labels))
        measured = [name for name in MEMBERS if name != "t5" or t5 is not None]
        router = EnsembleRouter(
            labels=labels, t5=t5, knn=knn, semantic=semantic, lexical=lexical, metrics={"members": measured}
        )
        truth = np.array([labels.index(e.tool) for e in dev])
        scored = router.member_probabilities([e.query for e in dev])
        metrics["dev_accuracy_members"] = {
            name: round(float((p.argmax(axis=1) == truth).mean()), 4) for name, p in scored.items()
        }
        combined = members_combine({name: scored[name] for name in members}, metrics["weights"])
        metrics["dev_accuracy"] = round(float((combined.argmax(axis=1) == truth).mean()), 4)
    return metrics


def members_train(
    *,
    train: list[Example],
    labels: tuple[str, ...],
    out_dir: Path,
    dev: list[Example] | None = None,
    members: tuple[str, ...] = DEFAULT_MEMBERS,
    progress: bool = False,
) -> tuple[str, dict]:
    """Train the served members without the T5 and publish them as the checkpoint in `out_dir`: (version, metrics)."""
    if "t5" in members:
        raise ValueError("the t5 member is trained by routing.t5.training.router_train")
    unknown = sorted({example.tool for example in train} - set(labels))
    if unknown:
        raise ValueError(f"training examples use tools outside the registry: {', '.join(unknown)}")
    started = time.monotonic()
    metrics: dict = {"labels": list(labels), "n_train": len(train)}

    def write(staging: Path) -> dict:
        written = members_write(
            directory=staging, train=train, labels=labels, t5=None, dev=dev, members=members, progress=progress
        )
        return {
            **written,
            "train_seconds": round(time.monotonic() - started, 1),
            "n_dev": len(dev) if dev else 0,
            "machine": f"{platform.machine()} x{os.cpu_count()}",
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }

    version = checkpoint_publish(out_dir=out_dir, metrics=metrics, write=write)
    return version, metrics


def semantic_fit(*, vectors: np.ndarray, label_ids: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=SEMANTIC_C, max_iter=5000).fit(vectors, label_ids)


def classifier_probabilities(model, inputs, *, n_labels: int) -> np.ndarray:
    """A scikit-learn classifier's probabilities as (inputs, labels), zero for labels it never saw in training."""
    probabilities = np.zeros((len(inputs), n_labels))
    probabilities[:, model.classes_] = model.predict_proba(inputs)
    return probabilities


def members_combine(scored: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """The weighted average of the members' (queries, labels) probabilities."""
    total = sum(weights[name] for name in scored)
    return sum(scored[name] * weights[name] for name in scored) / total


class EnsembleRouter:
    """Same surface as T5Router (`rank`, `probabilities`, `version`, `labels`, `metrics`)."""

    def __init__(self, *, labels: tuple[str, ...], t5, knn: KnnScorer, semantic, lexical, metrics: dict) -> None:
        self.t5 = t5  # None when the T5 is not served
        self.knn = knn
        self.semantic = semantic
        self.lexical = lexical
        self.labels = labels
        self.metrics = metrics
        self.members = tuple(metrics.get("members") or MEMBERS)
        weights = metrics.get("weights") or {}
        self.weights = {name: float(weights.get(name, 1.0)) for name in self.members}
        self.version = str(metrics.get("version", "unknown"))

    @classmethod
    def load(cls, directory: Path, *, labels: tuple[str, ...], with_t5: bool = False) -> "EnsembleRouter":
        """Load the served members; the T5 only when it is served or `with_t5` (comparisons) asks for it."""
        directory = Path(directory)
        try:
            metrics = json.loads((directory / METRICS_FILE).read_text())
        except Exception as exc:  # missing or unreadable metrics.json
            raise CheckpointError(
                f"router ensemble in {directory} cannot be loaded: {type(exc).__name__}: {exc}"
            ) from exc
        t5 = None
        if with_t5 or "t5" in (metrics.get("members") or MEMBERS):
            from .t5.model import T5Router

            t5 = T5Router.load(directory, labels=labels)
        try:
            import joblib

            vectors = np.load(directory / KNN_VECTORS_FILE)
            tools = json.loads((directory / KNN_LABELS_FILE).read_text())
            lexical = joblib.load(directory / LEXICAL_FILE)  # written by train_router into our own var dir
            semantic = joblib.load(directory / SEMANTIC_FILE)
            label_ids = np.array([labels.index(tool) for tool in tools])
        except Exception as exc:  # missing file, bad pickle, a tool no longer in the registry
            raise CheckpointError(
                f"router ensemble in {directory} cannot be loaded: {type(exc).__name__}: {exc}"
            ) from exc
        if len(label_ids) != len(vectors):
            raise CheckpointError(f"router ensemble in {directory}: {len(vectors)} vectors for {len(label_ids)} labels")
        knn = KnnScorer(vectors=vectors, label_ids=label_ids, n_labels=len(labels))
        return cls(labels=labels, t5=t5, knn=knn, semantic=semantic, lexical=lexical, metrics=metrics)

    def member_probabilities(self, queries: list[str]) -> dict[str, np.ndarray]:
        """Each served member's (queries, labels) probabilities; MiniLM is only loaded when k-NN or semantic is served."""
        scored: dict[str, np.ndarray] = {}
        if "t5" in self.members:
            scored["t5"] = self.t5.probabilities(queries).numpy().astype(np.float64)
        if {"knn", "semantic"} & set(self.members):
            from nuzantara.embeddings import get_embedder

            embedder = get_embedder()
            one = len(queries) == 1
            # encode_one is cached: in a chat turn knowledge search and memory recall reuse this vector
            vectors = np.stack([embedder.encode_one(queries[0])]) if one else embedder.encode(queries)
            if "knn" in self.members:
                scored["knn"] = self.knn.probabilities(vectors)
            if "semantic" in self.members:
                scored["semantic"] = classifier_probabilities(self.semantic, vectors, n_labels=len(self.labels))
        if "lexical" in self.members:
            scored["lexical"] = classifier_probabilities(self.lexical, queries, n_labels=len(self.labels))
        return scored

    def probabilities(self, queries: list[str]) -> np.ndarray:
        return members_combine(self.member_probabilities(queries), self.weights)

    def rank(self, query: str) -> list[tuple[str, float]]:
        probabilities = self.probabilities([query])[0].tolist()
        return sorted(zip(self.labels, probabilities, strict=True), key=lambda pair: -pair[1])
