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


def pdf_with_pages(pages: list[list[str]]) -> bytes:
    """A PDF whose pages draw the given lines of text (laid out by hand: pypdf reads PDFs but does not write text);
    an empty list makes a page without text, like a scanned one."""
    fonts = b"<< /Font << /F1 %d 0 R >> >>"
    count = len(pages)
    font_number = 3 + 2 * count
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(count))
    objects.append(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count))
    for i, lines in enumerate(pages):
        drawn = " ".join(f"({line.replace('(', '').replace(')', '')}) Tj 0 -16 Td" for line in lines)
        stream = f"BT /F1 11 Tf 50 750 Td {drawn} ET".encode() if lines else b""
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R /Resources %s >>"
            % (4 + 2 * i, fonts % font_number)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()
