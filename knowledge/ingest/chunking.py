"""Structure-aware chunking.

The text is first cut into sections along its headings (markdown `#` lines) and, for legal texts, along chapters
("BAB IV", "Chapter 2", "Capo III") and articles ("Pasal 5", "Article 5", "Articolo 5"): every article becomes its own
section whose heading path keeps the chapter above it. Sections longer than `max_tokens` are packed paragraph by
paragraph (then sentence by sentence) into chunks, each continuing with a small overlap from the previous one.
Tokens are counted as whitespace-separated words: cheap and close enough to the embedder's budget.
"""

import bisect
import re
from dataclasses import dataclass, replace

MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
FENCE_RE = re.compile(r"^\s*(```|~~~)")
CHAPTER_RE = re.compile(
    r"^\s*(?:\*\*)?(BAB|Bab|CHAPTER|Chapter|CAPO|Capo|TITOLO|Titolo|BAGIAN|Bagian|PART|Part)\s+"
    r"([IVXLCDM]+|\d+|[A-Z][a-z]+)\b(.*?)(?:\*\*)?\s*$"
)
ARTICLE_RE = re.compile(
    r"^\s*(?:\*\*)?(Pasal|PASAL|Article|ARTICLE|Articolo|ARTICOLO|Art\.)\s+(\d+[A-Za-z]?)\b(.*?)(?:\*\*)?\s*$"
)
SENTENCE_RE = re.compile(r"(?<=[.!?;:])\s+")
# Plain-text legal structure sits below any markdown heading: chapter, then article.
CHAPTER_LEVEL = 7
ARTICLE_LEVEL = 8
HEADING_SEPARATOR = " > "
MIN_INTRO_TOKENS = 30


@dataclass(frozen=True)
class ChunkDraft:
    ordinal: int
    text: str
    heading_path: str
    token_count: int
    page: int | None = None  # the PDF page the chunk starts on


@dataclass
class _Section:
    headings: tuple[str, ...]
    lines: list[str]


def count_tokens(text: str) -> int:
    return len(text.split())


def _article_heading(line: str) -> str | None:
    """ "Pasal 5" or "Article 5 - Definitions" as a line of its own; not "Article 5 of the law says..."."""
    match = ARTICLE_RE.match(line)
    if not match:
        return None
    rest = match.group(3).strip()
    if rest and (rest[0] not in "-–—:.(" or len(rest) > 80):
        return None
    return line.strip().strip("*").strip()


def _chapter_heading(line: str) -> str | None:
    match = CHAPTER_RE.match(line)
    if not match or len(line.strip()) > 100:
        return None
    rest = match.group(3).strip()
    if rest and rest[0] not in "-–—:.(" and not rest.isupper():
        return None
    return line.strip().strip("*").strip()


def split_sections(text: str) -> list[_Section]:
    stack: list[tuple[int, str]] = []
    sections: list[_Section] = [_Section(headings=(), lines=[])]
    in_fence = False
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if FENCE_RE.match(line):
            in_fence = not in_fence
        heading: tuple[int, str] | None = None
        if not in_fence:
            md = MD_HEADING_RE.match(line)
            if md:
                title = md.group(2).strip().strip("*").strip()
                level = len(md.group(1))
                if _article_heading(title):
                    level = max(level, ARTICLE_LEVEL)
                heading = (level, title)
            elif title := _article_heading(line):
                heading = (ARTICLE_LEVEL, title)
            elif title := _chapter_heading(line):
                # "BAB I" alone is usually followed by its name in capitals on the next line.
                following = lines[index].strip() if index < len(lines) else ""
                if following and following.isupper() and len(following) <= 80 and not _article_heading(following):
                    title = f"{title} {following}"
                    index += 1
                heading = (CHAPTER_LEVEL, title)
        if heading is None:
            sections[-1].lines.append(line)
            continue
        level, title = heading
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        sections.append(_Section(headings=tuple(t for _, t in stack), lines=[]))
    return [s for s in sections if any(line.strip() for line in s.lines)]


def _pieces(paragraph: str, max_tokens: int) -> list[str]:
    """A paragraph as pieces of at most max_tokens: sentences, and words for a sentence that is still too long."""
    if count_tokens(paragraph) <= max_tokens:
        return [paragraph]
    pieces: list[str] = []
    for sentence in SENTENCE_RE.split(paragraph):
        words = sentence.split()
        for start in range(0, len(words), max_tokens):
            pieces.append(" ".join(words[start : start + max_tokens]))
    return pieces


def _pack(body: str, max_tokens: int, overlap: int) -> list[str]:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    pieces = [piece for paragraph in paragraphs for piece in _pieces(paragraph, max_tokens)]
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for piece in pieces:
        tokens = count_tokens(piece)
        if current and size + tokens > max_tokens:
            chunks.append("\n\n".join(current))
            tail = chunks[-1].split()[-overlap:] if overlap else []
            # The overlap never pushes the next chunk over the limit.
            tail = tail[: max(0, max_tokens - tokens)]
            current, size = ([" ".join(tail)], len(tail)) if tail else ([], 0)
        current.append(piece)
        size += tokens
    if current:
        chunks.append("\n\n".join(current))
    return chunks


def chunk_text(text: str, *, max_tokens: int = 350, overlap: int = 40, paged: bool = False) -> list[ChunkDraft]:
    """Cut a document into chunks that follow its headings and legal articles; each keeps its heading path.

    `paged`: the text is a PDF's, its pages kept apart by form feeds; each chunk gets the page it starts on.
    """
    if max_tokens < 1:
        raise ValueError("max_tokens must be positive")
    overlap = max(0, min(overlap, max_tokens // 4))
    drafts: list[ChunkDraft] = []
    sections = split_sections(text)
    carried = ""
    for position, section in enumerate(sections):
        body = "\n".join(section.lines).strip()
        if carried:
            body, carried = f"{carried}\n\n{body}", ""
        following = sections[position + 1] if position + 1 < len(sections) else None
        if (
            following is not None
            and count_tokens(body) < MIN_INTRO_TOKENS
            and following.headings[: len(section.headings)] == section.headings
            and len(following.headings) > len(section.headings)
        ):
            # A short intro under a parent heading (a preamble, a one-line note) travels with its first child
            # instead of becoming a chunk too small to mean anything. Sibling articles never merge.
            carried = body
            continue
        heading_path = HEADING_SEPARATOR.join(section.headings)[:1000]
        for piece in _pack(body, max_tokens, overlap):
            drafts.append(
                ChunkDraft(ordinal=len(drafts), text=piece, heading_path=heading_path, token_count=count_tokens(piece))
            )
    if paged:
        return [replace(draft, page=page) for draft, page in zip(drafts, chunk_pages(text, drafts), strict=True)]
    return drafts


PAGE_BREAK = "\f"
LOCATING_WORDS = 12


def passage_span(text: str, passage: str, start: int = 0) -> tuple[int, int] | None:
    """Where `passage` is in `text` (from `start`), whatever whitespace separates its words there; None if absent.

    Chunking only cuts and joins text at whitespace, so a chunk's words appear in its document in the same order.
    """
    words = passage.split()
    if not words:
        return None
    match = re.compile(r"\s+".join(re.escape(word) for word in words)).search(text, start)
    return match.span() if match else None


def page_of(text: str, offset: int, breaks: list[int] | None = None) -> int:
    """The page (from 1) that `offset` of a paged text falls on."""
    if breaks is None:
        breaks = [match.start() for match in re.finditer(PAGE_BREAK, text)]
    return bisect.bisect_right(breaks, offset) + 1


def chunk_pages(text: str, drafts: list[ChunkDraft]) -> list[int | None]:
    """The page each chunk starts on, found by its first words (a chunk may start with the previous one's overlap)."""
    breaks = [match.start() for match in re.finditer(PAGE_BREAK, text)]
    pages: list[int | None] = []
    cursor = 0
    for draft in drafts:
        words = draft.text.split()
        span = None
        for count in (LOCATING_WORDS, 3):  # fewer words where a removed heading line sits among the first ones
            span = passage_span(text, " ".join(words[:count]), cursor) or passage_span(text, " ".join(words[:count]))
            if span:
                break
        if span is None:
            pages.append(pages[-1] if pages else None)
            continue
        cursor = span[0]
        pages.append(page_of(text, span[0], breaks))
    return pages
