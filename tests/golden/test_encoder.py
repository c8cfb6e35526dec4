"""The hit-path encoder must give the project embedder's vectors (stored vectors and queries are interchangeable)."""

import numpy as np

from knowledge.golden.matching.encoder import get_encoder
from nuzantara.embeddings import get_embedder

SENTENCES = ["How do I extend my investor KITAS?", "Berapa denda overstay per hari?", "Posso comprare una villa?"]


def test_the_query_encoder_matches_the_project_embedder():
    encoder = get_encoder()

    vectors = np.stack([encoder.encode_one(s) for s in SENTENCES])

    assert encoder.kind == "onnx"  # the fast path is really in use here
    assert np.abs(vectors - get_embedder().encode(SENTENCES)).max() < 1e-4
    assert np.allclose(encoder.encode(SENTENCES), vectors, atol=1e-5)


def test_case_and_spacing_share_one_cached_vector():
    encoder = get_encoder()

    assert encoder.encode_one("How do I  extend my KITAS?") is encoder.encode_one("how do i extend my kitas?")
