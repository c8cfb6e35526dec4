"""Group missed questions by meaning: DBSCAN on cosine distance, each question weighted by how often it was asked."""

from dataclasses import dataclass

import numpy as np

MAX_DISTANCE = 0.3  # cosine distance: questions at similarity >= 0.7 are neighbours (MiniLM paraphrases: ~0.7-0.9)
MIN_SIZE = 3  # times asked, summed over a cluster's questions


@dataclass(frozen=True)
class QuestionCluster:
    members: list[int]  # indexes into the questions, most asked first
    weight: int  # times asked in total
    representative: int  # the member closest to all the others (weighted medoid)


def cluster_questions(
    vectors: np.ndarray, counts: list[int], *, max_distance: float = MAX_DISTANCE, min_size: int = MIN_SIZE
) -> list[QuestionCluster]:
    """Clusters of at least `min_size` asks, largest first. `vectors` are L2-normalised."""
    if len(counts) == 0:
        return []
    from sklearn.cluster import DBSCAN

    weights = np.asarray(counts, dtype=float)
    labels = DBSCAN(eps=max_distance, min_samples=min_size, metric="cosine").fit_predict(vectors, sample_weight=weights)
    clusters = []
    for label in sorted(set(labels) - {-1}):
        members = [int(i) for i in np.flatnonzero(labels == label)]
        members.sort(key=lambda i: -counts[i])
        weight = int(sum(counts[i] for i in members))
        if weight < min_size:
            continue
        block = vectors[members]
        centrality = (block @ block.T) @ weights[members]
        representative = members[int(np.argmax(centrality))]
        clusters.append(QuestionCluster(members=members, weight=weight, representative=representative))
    clusters.sort(key=lambda c: -c.weight)
    return clusters
