import numpy as np

from nuzantara.embeddings import get_embedder, get_torch_embedder

SENTENCES = [
    "How do I extend my investor KITAS?",
    "Berapa denda overstay per hari?",
    "Posso comprare una villa a Bali?",
]


def test_the_project_embedder_is_onnx_and_gives_the_models_vectors():
    embedder = get_embedder()
    reference = get_torch_embedder().encode(SENTENCES)

    batched = embedder.encode(SENTENCES)
    single = np.stack([embedder.encode_one(s) for s in SENTENCES])

    assert embedder.kind == "onnx"
    assert embedder.name == get_torch_embedder().name and embedder.dim == 384
    assert np.abs(batched - reference).max() < 1e-4
    assert np.abs(single - reference).max() < 1e-4
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
