"""Read the supported formats into markdown-like text (headings as `#` lines) plus metadata.

Every failure is a `RejectedFile` with a message meant for the person who uploaded the file.
"""

import datetime
import hashlib
import html
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import PurePath

import yaml

from knowledge.models import is_web_url
from knowledge.search.tokens import detect_language

FORMATS = {
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}
LANGUAGES = ("en", "id", "it")
FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
H1_RE = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML without implicit timestamps: a date stays text until clean_metadata checks it, so an impossible one
    (2026-02-30) is rejected naming its field instead of failing inside the YAML parser."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class RejectedFile(ValueError):
    """A file that cannot be ingested; str(exc) says why."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"{name}: {reason}")


class NoTextLayer(RejectedFile):
    """A file with no text to extract: a scanned PDF (pictures of pages) or an image; it needs OCR."""


# A PDF's pages are kept apart by a form feed on a line of its own, so chunks can be given the page they start on
# (knowledge.ingest.chunking.chunk_pages) from the stored text alone.
PAGE_BREAK = "\f"


@dataclass(frozen=True)
class ParsedFile:
    name: str
    file_format: str
    text: str
    checksum: str
    metadata: dict = field(default_factory=dict)  # title, collection, language, source, source_url, last_reviewed

    @property
    def pages(self) -> int | None:
        """A PDF's page count; None for formats without pages."""
        return self.text.count(PAGE_BREAK) + 1 if self.file_format == "pdf" else None

    @property
    def title(self) -> str:
        return self.metadata["title"]

    @property
    def language(self) -> str:
        return self.metadata["language"]


def file_format(name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    if suffix not in FORMATS:
        supported = ", ".join(sorted(set(FORMATS)))
        raise RejectedFile(name, f"unsupported file type {suffix or '(none)'!r}; supported: {supported}")
    return FORMATS[suffix]


def checksum_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def read_front_matter(name: str, raw: bytes) -> dict:
    """The YAML front matter of a markdown file ({} for other formats or when absent), without parsing the body."""
    if file_format(name) != "md":
        return {}
    match = FRONT_MATTER_RE.match(_decode_text(name, raw))
    if not match:
        return {}
    try:
        data = yaml.load(match.group(1), Loader=_FrontMatterLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark else ""
        raise RejectedFile(name, f"invalid YAML front matter{where}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RejectedFile(name, "front matter must be a YAML mapping of fields")
    return data


def parse_file(*, name: str, raw: bytes) -> ParsedFile:
    """Parse one file's bytes; raise RejectedFile if the format is unsupported or the content unreadable/empty."""
    fmt = file_format(name)
    if not raw:
        raise RejectedFile(name, "the file is empty")
    metadata: dict = {}
    if fmt == "md":
        front = read_front_matter(name, raw)
        text = FRONT_MATTER_RE.sub("", _decode_text(name, raw), count=1)
        metadata.update(front)
    elif fmt == "txt":
        text = _decode_text(name, raw)
    elif fmt == "html":
        text, metadata = _parse_html(_decode_text(name, raw))
    elif fmt == "pdf":
        text, metadata = _parse_pdf(name, raw)
    else:
        text, metadata = _parse_docx(name, raw)
    text = _normalize_whitespace(text, paged=fmt == "pdf")
    if not re.search(r"\w", text):
        raise RejectedFile(name, "no text could be extracted from the file")
    return ParsedFile(
        name=PurePath(name).name,
        file_format=fmt,
        text=text,
        checksum=checksum_of(raw),
        metadata=clean_metadata(name, metadata, text),
    )


def clean_metadata(name: str, metadata: dict, text: str) -> dict:
    """Validate and complete metadata: a title always, language en/id/it, last_reviewed a date or None."""
    title = str(metadata.get("title") or "").strip()
    if not title:
        match = H1_RE.search(text)
        title = match.group(1).strip() if match else PurePath(name).stem.replace("-", " ").replace("_", " ").strip()
    language = str(metadata.get("language") or "").strip().lower()[:2]
    if language and language not in LANGUAGES:
        raise RejectedFile(name, f"language {metadata.get('language')!r} is not one of {', '.join(LANGUAGES)}")
    last_reviewed = _review_date(name, metadata.get("last_reviewed"))
    source_url = str(metadata.get("source_url") or "").strip()[:1000]
    if source_url and not is_web_url(source_url):
        raise RejectedFile(name, source_url_rejection(source_url))
    collection = metadata.get("collection")
    return {
        "title": title[:300],
        "collection": str(collection).strip() if collection else "",
        "language": language or detect_language(text),
        "source": str(metadata.get("source") or "").strip()[:500],
        "source_url": source_url,
        "last_reviewed": last_reviewed,
    }


def source_url_rejection(url: str) -> str:
    return f"source_url {url!r} is not an http:// or https:// URL"


def _review_date(name: str, value: object) -> datetime.date | None:
    """last_reviewed as a date: YYYY-MM-DD (a time after it is ignored); empty is None, anything else is rejected."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    try:
        return datetime.datetime.fromisoformat(text).date()
    except ValueError:
        raise RejectedFile(name, f"last_reviewed {text!r} is not a valid date (YYYY-MM-DD)") from None


def _decode_text(name: str, raw: bytes) -> str:
    if b"\x00" in raw[:8192]:
        raise RejectedFile(name, "looks like a binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            raise RejectedFile(name, "text is neither UTF-8 nor Windows-1252") from None


def _normalize_whitespace(text: str, *, paged: bool = False) -> str:
    """Unix line ends, no trailing blanks, at most one empty line in a row; `paged`: each page on its own, the pages
    kept apart by PAGE_BREAK lines (an empty page stays, so the page numbers stay right)."""
    if paged:
        return f"\n{PAGE_BREAK}\n".join(_normalize_whitespace(page) for page in text.split(PAGE_BREAK))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace(PAGE_BREAK, "\n\n")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


class _HtmlToText(HTMLParser):
    BLOCKS = {"p", "div", "section", "article", "li", "tr", "br", "table", "ul", "ol", "blockquote", "pre", "dd", "dt"}
    SKIP = {"script", "style", "noscript", "head", "nav", "footer", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self.language = ""
        self._skip_depth = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.language = dict(attrs).get("lang") or ""
        if tag == "title":
            self._in_title = True
        if tag in self.SKIP:
            self._skip_depth += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self.parts.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in self.BLOCKS:
            self.parts.append("\n- " if tag == "li" else "\n")
        elif tag in {"td", "th"}:
            self.parts.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in self.SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif re.fullmatch(r"h[1-6]", tag) or tag in {"p", "div", "table", "ul", "ol", "section", "article"}:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._skip_depth:
            return
        self.parts.append(re.sub(r"\s+", " ", data))


def _parse_html(source: str) -> tuple[str, dict]:
    parser = _HtmlToText()
    try:
        parser.feed(source)
        parser.close()
    except Exception as exc:  # html.parser is lenient; anything raised means the markup is hopeless
        raise RejectedFile("html", f"cannot parse HTML ({exc})") from None
    text = "".join(parser.parts)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return html.unescape(text), {"title": parser.title.strip(), "language": parser.language}


def _parse_pdf(name: str, raw: bytes) -> tuple[str, dict]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    from knowledge.ingest.limits import pdf_page_check

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise RejectedFile(name, "the PDF is encrypted")
        pdf_page_check(name, len(reader.pages))
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or ""
    except RejectedFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise RejectedFile(name, f"cannot read the PDF ({type(exc).__name__}: {exc})") from None
    if not any(page.strip() for page in pages):
        raise NoTextLayer(name, "the PDF has no extractable text (a scan? run OCR first)")
    return PAGE_BREAK.join(page.replace(PAGE_BREAK, " ") for page in pages), {"title": str(title)}


def _parse_docx(name: str, raw: bytes) -> tuple[str, dict]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.oxml.ns import qn

    from knowledge.ingest.limits import docx_container_check, docx_paragraph_check

    docx_container_check(name, raw)  # before python-docx inflates any part
    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, ValueError, KeyError, OSError) as exc:
        raise RejectedFile(name, f"cannot read the Word document ({type(exc).__name__})") from None
    except Exception as exc:  # zipfile.BadZipFile and lxml errors for files that only claim to be .docx
        raise RejectedFile(name, f"cannot read the Word document ({type(exc).__name__})") from None
    docx_paragraph_check(name, sum(1 for _ in document.element.body.iter(qn("w:p"))))
    lines: list[str] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        level = re.fullmatch(r"Heading (\d)", style)
        if style == "Title":
            lines.append(f"# {text}")
        elif level:
            lines.append("#" * min(int(level.group(1)), 6) + f" {text}")
        else:
            lines.append(text)
        lines.append("")
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text.strip() for cell in row.cells))
        lines.append("")
    properties = document.core_properties
    # Word fills in the author's editing language ("de-DE"), not the text's: a hint, detected from the text otherwise.
    language = (properties.language or "")[:2].lower()
    return "\n".join(lines), {"title": properties.title or "", "language": language if language in LANGUAGES else ""}
