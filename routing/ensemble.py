"""Routers beside the T5, and their averages, behind the T5Router surface.

- a semantic k-NN (semantic-router style): the bundled MiniLM embeds the query, and the 10 nearest training
  queries vote, weighted by similarity;
- a lexical model: character and word n-gram TF-IDF with logistic regression, robust to typos and code-switching.

`train_router --members` picks which of t5, knn and lexical are served (their probabilities are averaged). The default
is the one that measured best on the dev set in bench/router_compare.py: the lexical model alone (see DEFAULT_MEMBERS).
"""

import json
from pathlib import Path

import numpy as np

from .dataset import Example
from .t5 import METRICS_FILE, CheckpointError

KNN_VECTORS_FILE = "knn_vectors.npy"
KNN_LABELS_FILE = "knn_labels.json"
LEXICAL_FILE = "lexical.joblib"
KNN_NEIGHBOURS = 10
KNN_TEMPERATURE = 0.05  # cosine similarities are close together; a low temperature lets the nearest count most
MEMBERS = ("t5", "knn", "lexical")
# bench/router_compare.py on dev (365 queries): lexical 0.890 at ~3 ms; T5 0.775; k-NN 0.773 at ~37 ms; all three 0.877.
DEFAULT_MEMBERS = ("lexical",)


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
    return model


def members_write(
    *,
    directory: Path,
    train: list[Example],
    labels: tuple[str, ...],
    t5,
    dev: list[Example] | None = None,
    members: tuple[str, ...] = DEFAULT_MEMBERS,
) -> dict:
    """Fit the k-NN and lexical members on `train`, write them beside the T5 files, and measure all on `dev`."""
    unknown = set(members) - set(MEMBERS)
    if not members or unknown:
        raise ValueError(f"members must be among {', '.join(MEMBERS)}")
    import joblib

    from nuzantara.embeddings import get_embedder

    embedder = get_embedder()
    vectors = embedder.encode([e.query for e in train])
    lexical = lexical_fit(examples=train, labels=labels)
    np.save(directory / KNN_VECTORS_FILE, vectors)
    (directory / KNN_LABELS_FILE).write_text(json.dumps([e.tool for e in train]))
    joblib.dump(lexical, directory / LEXICAL_FILE)
    metrics: dict = {"kind": "+".join(members), "members": list(members), "embedding_model": embedder.name}
    if dev:
        label_ids = np.array([labels.index(e.tool) for e in train])
        knn = KnnScorer(vectors=vectors, label_ids=label_ids, n_labels=len(labels))
        router = EnsembleRouter(t5=t5, knn=knn, lexical=lexical, metrics={"members": list(MEMBERS)})
        truth = np.array([labels.index(e.tool) for e in dev])
        scored = router.member_probabilities([e.query for e in dev])
        metrics["dev_accuracy_members"] = {
            name: round(float((p.argmax(axis=1) == truth).mean()), 4) for name, p in scored.items()
        }
        combined = sum(scored[name] for name in members)
        metrics["dev_accuracy"] = round(float((combined.argmax(axis=1) == truth).mean()), 4)
    return metrics


class EnsembleRouter:
    """Same surface as T5Router (`rank`, `probabilities`, `version`, `labels`, `metrics`)."""

    def __init__(self, *, t5, knn: KnnScorer, lexical, metrics: dict) -> None:
        self.t5 = t5
        self.knn = knn
        self.lexical = lexical
        self.labels = t5.labels
        self.metrics = metrics
        self.members = tuple(metrics.get("members") or MEMBERS)
        self.version = str(metrics.get("version", "unknown"))

    @classmethod
    def load(cls, directory: Path, *, labels: tuple[str, ...]) -> "EnsembleRouter":
        from .t5.model import T5Router

        directory = Path(directory)
        t5 = T5Router.load(directory, labels=labels)
        try:
            import joblib

            metrics = json.loads((directory / METRICS_FILE).read_text())
            vectors = np.load(directory / KNN_VECTORS_FILE)
            tools = json.loads((directory / KNN_LABELS_FILE).read_text())
            lexical = joblib.load(directory / LEXICAL_FILE)  # written by train_router into our own var dir
            label_ids = np.array([labels.index(tool) for tool in tools])
        except Exception as exc:  # missing file, bad pickle, a tool no longer in the registry
            raise CheckpointError(
                f"router ensemble in {directory} cannot be loaded: {type(exc).__name__}: {exc}"
            ) from exc
        if len(label_ids) != len(vectors):
            raise CheckpointError(f"router ensemble in {directory}: {len(vectors)} vectors for {len(label_ids)} labels")
        knn = KnnScorer(vectors=vectors, label_ids=label_ids, n_labels=len(labels))
        return cls(t5=t5, knn=knn, lexical=lexical, metrics=metrics)

    def member_probabilities(self, queries: list[str]) -> dict[str, np.ndarray]:
        """Each served member's (queries, labels) probabilities; MiniLM is only loaded when the k-NN is served."""
        scored: dict[str, np.ndarray] = {}
        if "t5" in self.members:
            scored["t5"] = self.t5.probabilities(queries).numpy().astype(np.float64)
        if "knn" in self.members:
            from nuzantara.embeddings import get_embedder

            embedder = get_embedder()
            one = len(queries) == 1
            vectors = np.stack([embedder.encode_one(queries[0])]) if one else embedder.encode(queries)
            scored["knn"] = self.knn.probabilities(vectors)
        if "lexical" in self.members:
            lexical = np.zeros((len(queries), len(self.labels)))
            lexical[:, self.lexical.classes_] = self.lexical.predict_proba(queries)
            scored["lexical"] = lexical
        return scored

    def probabilities(self, queries: list[str]) -> np.ndarray:
        scored = self.member_probabilities(queries)
        return sum(scored.values()) / len(scored)

    def rank(self, query: str) -> list[tuple[str, float]]:
        probabilities = self.probabilities([query])[0].tolist()
        return sorted(zip(self.labels, probabilities, strict=True), key=lambda pair: -pair[1])
