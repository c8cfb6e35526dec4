import datetime
import io

import docx
import pytest

from knowledge.ingest.parsers import RejectedFile, parse_file


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF whose page draws `text` (written by hand: pypdf reads PDFs but does not lay out text)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO(b"%PDF-1.4\n")
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


def test_markdown_front_matter_gives_the_metadata():
    raw = (
        b"---\ntitle: Golden Visa\ncollection: visa_oracle\nlanguage: en\nsource: Permenkumham 22/2023\n"
        b"source_url: https://www.imigrasi.go.id/\nlast_reviewed: 2025-06-11\n---\n\n# The Golden Visa\n\nText."
    )

    parsed = parse_file(name="golden-visa.md", raw=raw)

    assert parsed.metadata == {
        "title": "Golden Visa",
        "collection": "visa_oracle",
        "language": "en",
        "source": "Permenkumham 22/2023",
        "source_url": "https://www.imigrasi.go.id/",
        "last_reviewed": datetime.date(2025, 6, 11),
    }
    assert parsed.text.startswith("# The Golden Visa")
    assert "collection:" not in parsed.text


def test_text_without_metadata_gets_a_title_and_a_detected_language():
    raw = b"Dalam hal ini, warga negara asing yang tinggal di Indonesia wajib memiliki izin tinggal dan sponsor."

    parsed = parse_file(name="izin_tinggal.txt", raw=raw)

    assert parsed.title == "izin tinggal"
    assert parsed.language == "id"


def test_html_headings_become_markdown_headings():
    raw = (
        b"<html lang='it'><head><title>Permesso</title><style>p{}</style></head><body>"
        b"<h1>Il permesso</h1><p>Serve uno sponsor.</p><h2>Costi</h2><ul><li>Tassa</li></ul>"
        b"<script>alert(1)</script></body></html>"
    )

    parsed = parse_file(name="permesso.html", raw=raw)

    assert parsed.title == "Permesso"
    assert parsed.language == "it"
    assert "# Il permesso" in parsed.text
    assert "## Costi" in parsed.text
    assert "alert" not in parsed.text


def test_docx_heading_styles_become_headings():
    document = docx.Document()
    document.core_properties.title = "Tax guide"
    document.add_heading("PPh 21", level=1)
    document.add_paragraph("Employers withhold income tax monthly.")
    buffer = io.BytesIO()
    document.save(buffer)

    parsed = parse_file(name="tax.docx", raw=buffer.getvalue())

    assert parsed.title == "Tax guide"
    assert "# PPh 21" in parsed.text
    assert "Employers withhold income tax monthly." in parsed.text


def test_pdf_text_is_extracted():
    parsed = parse_file(name="law.pdf", raw=minimal_pdf("Pasal 1 Visa diberikan oleh pejabat"))

    assert "Visa diberikan oleh pejabat" in parsed.text
    assert parsed.file_format == "pdf"


@pytest.mark.parametrize(
    ("name", "raw", "reason"),
    [
        ("photo.png", b"\x89PNG", "unsupported file type '.png'"),
        ("broken.pdf", b"%PDF-1.4 this is not a pdf", "cannot read the PDF"),
        ("broken.docx", b"PK\x03\x04 not a zip", "cannot read the Word document"),
        ("empty.md", b"", "the file is empty"),
        ("bad.md", b"---\ntitle: [unclosed\n---\ntext", "invalid YAML front matter"),
        ("binary.txt", b"abc\x00def", "binary"),
        ("lang.md", b"---\nlanguage: fr\n---\nBonjour", "language 'fr' is not one of en, id, it"),
        ("only-front-matter.md", b"---\ntitle: x\n---\n", "no text"),
    ],
)
def test_unreadable_files_are_rejected_with_a_reason(name, raw, reason):
    with pytest.raises(RejectedFile) as caught:
        parse_file(name=name, raw=raw)

    assert reason in str(caught.value)
    assert str(caught.value).startswith(name)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-06-11", datetime.date(2025, 6, 11)),
        ("2025-06-11 09:30:00", datetime.date(2025, 6, 11)),
        ("'2025-06-11'", datetime.date(2025, 6, 11)),
        ("", None),
    ],
)
def test_front_matter_dates_are_read_as_dates(value, expected):
    raw = f"---\ntitle: T\nlast_reviewed: {value}\n---\nSome text.".encode()

    assert parse_file(name="t.md", raw=raw).metadata["last_reviewed"] == expected


@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-01", "'2026-02-30'", "next week"])
def test_an_impossible_front_matter_date_is_rejected_naming_the_field(value):
    raw = f"---\ntitle: T\nlast_reviewed: {value}\n---\nSome text.".encode()

    with pytest.raises(RejectedFile) as caught:
        parse_file(name="t.md", raw=raw)

    assert caught.value.reason.startswith(f"last_reviewed {value.strip(chr(39))!r} is not a valid date")


@pytest.mark.parametrize(
    "url", ["javascript:alert(document.cookie)", "JavaScript:alert(1)", "ftp://files.example.org/a", "data:,x", "/x"]
)
def test_a_front_matter_source_url_that_is_not_http_is_rejected_naming_the_field(url):
    raw = f'---\ntitle: T\nsource_url: "{url}"\n---\nSome text.'.encode()

    with pytest.raises(RejectedFile) as caught:
        parse_file(name="t.md", raw=raw)

    assert caught.value.reason == f"source_url {url!r} is not an http:// or https:// URL"


def test_a_word_documents_language_property_outside_en_id_it_is_only_a_hint():
    document = docx.Document()
    document.core_properties.language = "de-DE"  # Word's editing language, whatever the text is written in
    document.add_paragraph("Izin tinggal terbatas diberikan kepada orang asing yang bekerja di Indonesia.")
    raw = io.BytesIO()
    document.save(raw)

    parsed = parse_file(name="izin.docx", raw=raw.getvalue())

    assert parsed.language == "id"
