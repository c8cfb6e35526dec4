"""Limits on what an uploaded file may unpack to, checked from its structure before any text is extracted.

A DOCX is a zip: its central directory gives every member's declared size, and zipfile never inflates a member past
its declared size (a lying header fails the CRC check), so the declared sizes bound the memory the parser can use.
A PDF's page tree gives its page count without extracting any text.
"""

import io
import re
import zipfile

from django.conf import settings

from knowledge.ingest.parsers import RejectedFile, file_format

DOCX_BODY = "word/document.xml"
# A paragraph is a w:p element; w:pPr, w:pStyle... are not (the character after "p" must end the name).
PARAGRAPH_TAG_RE = re.compile(rb"<w:p[\s/>]")
SCAN_BYTES = 1024 * 1024


class UploadOverLimit(RejectedFile):
    """A file over one of the KNOWLEDGE_* limits; `limit` names the setting."""

    def __init__(self, name: str, reason: str, *, limit: str) -> None:
        self.limit = limit
        super().__init__(name, f"{reason} ({limit})")


def megabytes(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    return f"{max(1, size // 1024)} KB"


def upload_size_check(name: str, size: int) -> None:
    if size > settings.KNOWLEDGE_MAX_UPLOAD_BYTES:
        raise UploadOverLimit(
            name,
            f"the file is larger than {megabytes(settings.KNOWLEDGE_MAX_UPLOAD_BYTES)}",
            limit="KNOWLEDGE_MAX_UPLOAD_BYTES",
        )


def docx_container_check(name: str, raw: bytes) -> zipfile.ZipFile:
    """The open zip if its member count, unpacked size and compression ratio are within the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise RejectedFile(name, f"cannot read the Word document ({type(exc).__name__})") from None
    members = archive.infolist()
    if len(members) > settings.KNOWLEDGE_DOCX_MAX_MEMBERS:
        raise UploadOverLimit(
            name,
            f"the Word document has {len(members)} parts; the limit is {settings.KNOWLEDGE_DOCX_MAX_MEMBERS}",
            limit="KNOWLEDGE_DOCX_MAX_MEMBERS",
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > settings.KNOWLEDGE_DOCX_MAX_UNCOMPRESSED_BYTES:
        raise UploadOverLimit(
            name,
            f"the Word document unpacks to {megabytes(unpacked)}; "
            f"the limit is {megabytes(settings.KNOWLEDGE_DOCX_MAX_UNCOMPRESSED_BYTES)}",
            limit="KNOWLEDGE_DOCX_MAX_UNCOMPRESSED_BYTES",
        )
    ratio = unpacked / max(1, sum(member.compress_size for member in members))
    if ratio > settings.KNOWLEDGE_DOCX_MAX_COMPRESSION_RATIO:
        raise UploadOverLimit(
            name,
            f"the Word document is compressed {ratio:.0f} to 1, like a zip bomb; "
            f"the limit is {settings.KNOWLEDGE_DOCX_MAX_COMPRESSION_RATIO} to 1",
            limit="KNOWLEDGE_DOCX_MAX_COMPRESSION_RATIO",
        )
    return archive


def docx_paragraph_check(name: str, count: int) -> None:
    if count > settings.KNOWLEDGE_DOCX_MAX_PARAGRAPHS:
        raise UploadOverLimit(
            name,
            f"the Word document has more than {settings.KNOWLEDGE_DOCX_MAX_PARAGRAPHS} paragraphs",
            limit="KNOWLEDGE_DOCX_MAX_PARAGRAPHS",
        )


def docx_paragraph_count(archive: zipfile.ZipFile) -> int:
    """w:p elements in the body (table cells included), counted in a streamed pass without parsing the XML."""
    count, tail = 0, b""
    try:
        with archive.open(DOCX_BODY) as body:
            while block := body.read(SCAN_BYTES):
                data = tail + block
                count += len(PARAGRAPH_TAG_RE.findall(data))
                tail = data[-4:]  # shorter than a match: a tag cut at the block edge is counted once, with the next
    except KeyError:
        return 0  # no body: the parser rejects the file
    return count


def pdf_page_check(name: str, pages: int) -> None:
    if pages > settings.KNOWLEDGE_PDF_MAX_PAGES:
        raise UploadOverLimit(
            name,
            f"the PDF has {pages} pages; the limit is {settings.KNOWLEDGE_PDF_MAX_PAGES}",
            limit="KNOWLEDGE_PDF_MAX_PAGES",
        )


def pdf_page_count(name: str, raw: bytes) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise RejectedFile(name, "the PDF is encrypted")
        return len(reader.pages)
    except RejectedFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise RejectedFile(name, f"cannot read the PDF ({type(exc).__name__})") from None


def upload_limits_check(name: str, raw: bytes) -> None:
    """Raise UploadOverLimit (or RejectedFile for a broken container) before the file is stored or parsed."""
    upload_size_check(name, len(raw))
    fmt = file_format(name)
    if fmt == "docx":
        archive = docx_container_check(name, raw)
        docx_paragraph_check(name, docx_paragraph_count(archive))
    elif fmt == "pdf":
        pdf_page_check(name, pdf_page_count(name, raw))
