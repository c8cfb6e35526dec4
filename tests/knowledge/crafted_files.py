"""Real DOCX and PDF files built in memory for the upload-limit tests: a zip bomb, many parts, many paragraphs, pages."""

import io
import zipfile

import docx
from pypdf import PdfWriter

TEXT = "The golden visa gives investors a stay of five or ten years without yearly renewals at all."


def docx_bytes(*, paragraphs: int = 2, text: str = TEXT, title: str = "Golden Visa") -> bytes:
    document = docx.Document()
    document.core_properties.title = title
    for i in range(paragraphs):
        document.add_paragraph(f"{text} ({i})" if text else "")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def with_extra_members(raw: bytes, members: dict[str, int]) -> bytes:
    """A copy of a DOCX with extra members, each `size` zero bytes, deflated (streamed: no big buffer in memory)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        block = bytes(1024 * 1024)
        for name, size in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            with target.open(info, "w", force_zip64=size > 2**31) as member:
                left = size
                while left > 0:
                    member.write(block[: min(left, len(block))])
                    left -= len(block)
    return out.getvalue()


def docx_bomb(*, unpacked: int) -> bytes:
    """A valid DOCX whose media part inflates `unpacked` zero bytes from a few hundred KB."""
    return with_extra_members(docx_bytes(), {"word/media/image1.bin": unpacked})


def pdf_bytes(*, pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
