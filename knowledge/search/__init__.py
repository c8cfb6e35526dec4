"""Hybrid search: Chroma vectors (index.py) + in-memory BM25 (lexical.py), fused by reciprocal rank (hybrid.py)."""
