"""Cut a text into windows the embedder reads whole, counting with the embedder's own tokenizer.

all-MiniLM-L6-v2 reads 256 wordpieces (254 plus its two markers) and silently drops the rest: a 350-word Indonesian
chunk is ~900 wordpieces, so two thirds of it was never embedded. A chunk keeps its structural boundaries for citation;
what is embedded for it is one vector per window.
"""

from functools import lru_cache

WINDOW_OVERLAP = 24  # wordpieces repeated at the start of the next window, so a sentence cut in two is seen whole once


@lru_cache(maxsize=1)
def _tokenizer():  # noqa: ANN202
    from tokenizers import Tokenizer

    from nuzantara.embeddings.onnx import onnx_location

    _, tokenizer_path, _, _, max_length = onnx_location()
    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer, max_length


def max_wordpieces() -> int:
    """How many wordpieces of a text the embedder reads (its sequence length less the two special tokens)."""
    return _tokenizer()[1] - 2


def wordpiece_count(text: str) -> int:
    return len(_tokenizer()[0].encode(text, add_special_tokens=False).ids)


def windows(text: str, *, budget: int | None = None, overlap: int = WINDOW_OVERLAP) -> list[str]:
    """The text in windows of at most `budget` wordpieces (default: what the embedder reads), cut between words."""
    tokenizer, _ = _tokenizer()
    budget = budget or max_wordpieces()
    encoding = tokenizer.encode(text, add_special_tokens=False)
    offsets, word_ids = encoding.offsets, encoding.word_ids
    total = len(offsets)
    if total <= budget:
        return [text]
    out: list[str] = []
    start = 0
    while start < total:
        end = min(start + budget, total)
        while end < total and end > start + 1 and word_ids[end] == word_ids[end - 1]:
            end -= 1  # do not split a word
        out.append(text[offsets[start][0] : offsets[end - 1][1]])
        if end == total:
            break
        next_start = max(end - overlap, start + 1)
        while 0 < next_start < end and word_ids[next_start] == word_ids[next_start - 1]:
            next_start -= 1  # start on a word
        start = max(next_start, start + 1)
    return out
