"""What is embedded for a chunk (the index recipe): English in, windows the embedder reads whole.

Indonesian and Italian chunks are embedded by their English gloss (knowledge.search.lexicon), since the bundled
embedder reads English; every chunk is embedded as one or more windows of at most the embedder's 254 wordpieces, each
starting with the chunk's title and headings. A change here changes INDEX_RECIPE: the index is then kept in Chroma
collections of another name, so a process never mixes vectors of two recipes; `kb_reindex` (and `load_demo`) fill them.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.search.lexicon import gloss

INDEX_RECIPE = 2  # 1: the searchable text as it is, cut by the embedder at 256 wordpieces
MIN_WINDOW = 64  # wordpieces of body a window keeps at least, however long the title and headings


@dataclass(frozen=True)
class ChunkText:
    title: str
    heading_path: str
    text: str
    language: str


def english(text: str, language: str, *, question: bool = False) -> str:
    """The English gloss of an Indonesian or Italian text (other texts as they are); a `question` also loses its
    grammar words (lexicon.grammar)."""
    return gloss(text, language, question=question) if language in ("id", "it") and text else text


def searchable_text(*, title: str, heading_path: str, text: str) -> str:
    """What is lexically indexed for a chunk: its context (title, headings) then its text."""
    return "\n".join(part for part in (title, heading_path, text) if part)


def chunk_gloss(*, title: str, heading_path: str, text: str, language: str) -> str:
    """The English gloss of an Indonesian or Italian chunk's searchable text, stored as `Chunk.gloss`; "" otherwise."""
    if language not in ("id", "it"):
        return ""
    return english(searchable_text(title=title, heading_path=heading_path, text=text), language)


def chunk_windows(chunk: ChunkText) -> list[str]:
    """The texts embedded for one chunk: its (glossed) context line, then a window of its (glossed) body."""
    from nuzantara.embeddings.windows import max_wordpieces, windows, wordpiece_count

    context = english("\n".join(part for part in (chunk.title, chunk.heading_path) if part), chunk.language)
    body = english(chunk.text, chunk.language)
    budget = max(MIN_WINDOW, max_wordpieces() - wordpiece_count(context) - 1)
    return [f"{context}\n{window}" if context else window for window in windows(body, budget=budget)]


def embed_chunks(chunks: Sequence[ChunkText], *, progress: bool = False) -> tuple[np.ndarray, list[int]]:
    """One vector per window of each chunk, and for each vector the index of its chunk in `chunks`."""
    from nuzantara.embeddings import get_embedder

    texts: list[str] = []
    owners: list[int] = []
    for position, chunk in enumerate(chunks):
        for window in chunk_windows(chunk):
            texts.append(window)
            owners.append(position)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32), []
    return get_embedder().encode(texts, progress=progress), owners
