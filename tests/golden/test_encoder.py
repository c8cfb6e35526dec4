"""The hit-path encoder must give the project embedder's vectors (stored vectors and queries are interchangeable)."""

import numpy as np

from knowledge.golden.matching.encoder import build_encoder, get_encoder
from nuzantara.embeddings import get_embedder

SENTENCES = ["How do I extend my investor KITAS?", "Berapa denda overstay per hari?", "Posso comprare una villa?"]


def test_the_query_encoder_agrees_with_the_project_embedder():
    encoder = get_encoder()

    vectors = np.stack([encoder.encode_one(s) for s in SENTENCES])

    assert encoder.kind in {"onnx", "onnx-int8"}  # the fast path is really in use here
    reference = get_embedder().encode(SENTENCES)
    if encoder.kind == "onnx":
        assert np.abs(vectors - reference).max() < 1e-4
    else:
        assert np.sum(vectors * reference, axis=1).min() > 0.97 and encoder.name.endswith("+int8")
    assert np.allclose(encoder.encode(SENTENCES), vectors, atol=1e-5)


def test_without_quantization_the_float32_export_is_used_and_matches_exactly(settings):
    settings.GOLDEN_ONNX_QUANTIZE = False

    encoder = build_encoder()

    assert encoder.kind == "onnx" and not encoder.name.endswith("+int8")
    assert np.abs(encoder.encode(SENTENCES) - get_embedder().encode(SENTENCES)).max() < 1e-4


def test_case_and_spacing_share_one_cached_vector():
    encoder = get_encoder()

    assert encoder.encode_one("How do I  extend my KITAS?") is encoder.encode_one("how do i extend my kitas?")
