"""The query encoder of the golden hit path: the project's embedding model as int8 ONNX on one thread.

int8 halves the embedding time again (cosine >= 0.985 to the model's vectors, checked after quantizing); golden answers
keep their own stored vectors keyed by the encoder's name, so they never mix with the float32 knowledge index. If the
int8 file can't be made (GOLDEN_ONNX_QUANTIZE off, no `onnx` package), the project embedder serves: same answers, slower.
"""

import logging
import threading

from django.conf import settings

from nuzantara.embeddings import get_embedder
from nuzantara.embeddings.onnx import OnnxEncoder, build_onnx_encoder

logger = logging.getLogger(__name__)


class ProjectEncoder:
    """The fallback: nuzantara.embeddings as it is configured (float32 ONNX or torch)."""

    def __init__(self) -> None:
        self._embedder = get_embedder()
        self.kind = getattr(self._embedder, "kind", "torch")
        self.name = self._embedder.name
        self.dim = self._embedder.dim

    def encode(self, texts: list[str]):  # noqa: ANN201
        return self._embedder.encode(texts)

    def encode_one(self, text: str):  # noqa: ANN201
        return self._embedder.encode_one(text)


def build_encoder(*, export: bool = True) -> OnnxEncoder | ProjectEncoder:
    if not getattr(settings, "GOLDEN_ONNX", True) or not getattr(settings, "GOLDEN_ONNX_QUANTIZE", True):
        return ProjectEncoder()
    try:
        return build_onnx_encoder(int8=True, threads=int(getattr(settings, "GOLDEN_ENCODER_THREADS", 1)), export=export)
    except Exception as exc:  # any failure: the slower encoder gives the same answers
        logger.warning("golden int8 encoder unavailable; using the project embedder", extra={"error": str(exc)[:300]})
        return ProjectEncoder()


_lock = threading.Lock()
_encoder: OnnxEncoder | ProjectEncoder | None = None


def get_encoder() -> OnnxEncoder | ProjectEncoder:
    """The process-wide query encoder (exported/loaded on first use)."""
    global _encoder
    if _encoder is None:
        with _lock:
            if _encoder is None:
                _encoder = build_encoder()
    return _encoder
