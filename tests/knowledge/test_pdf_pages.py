"""PDF chunks know their page: recorded at ingest from the page breaks the parser keeps, and returned by search."""

import pytest

from knowledge.ingest.chunking import chunk_text
from knowledge.ingest.drafts import draft_from_file
from knowledge.ingest.parsers import NoTextLayer, parse_file
from knowledge.selectors import knowledge_search, passage_on_page
from knowledge.services import documents_ingest
from tests.knowledge.crafted_files import pdf_with_pages

PAGES = [
    ["Residence permits for investors.", "The investor KITAS is valid for two years."],
    [],  # a page without text: the pages after it keep their numbers
    ["Overstay fines.", "Each day of overstay costs IDR 1,000,000, paid at the airport before departure."],
]


def test_a_pdf_keeps_its_pages_and_each_chunk_the_page_it_starts_on():
    parsed = parse_file(name="permits.pdf", raw=pdf_with_pages(PAGES))

    chunks = chunk_text(parsed.text, max_tokens=12, overlap=0, paged=True)

    assert parsed.pages == 3
    assert chunks[0].text.startswith("Residence") and chunks[1].text.startswith("Overstay")
    assert [chunk.page for chunk in chunks] == [1] + [3] * (len(chunks) - 1)


def test_other_formats_have_no_pages():
    parsed = parse_file(name="notes.txt", raw=b"One page\fand a form feed")

    assert parsed.pages is None
    assert "\f" not in parsed.text
    assert all(chunk.page is None for chunk in chunk_text(parsed.text))


def test_a_pdf_without_a_text_layer_is_refused_as_such():
    with pytest.raises(NoTextLayer, match="no extractable text"):
        parse_file(name="scan.pdf", raw=pdf_with_pages([[], []]))


@pytest.mark.django_db
def test_ingested_pdf_chunks_carry_their_page_into_search(visa, settings):
    settings.KNOWLEDGE_CHUNK_TOKENS, settings.KNOWLEDGE_CHUNK_OVERLAP = 12, 0  # one chunk per page of this file
    draft = draft_from_file(name="permits.pdf", raw=pdf_with_pages(PAGES), collection=visa)

    document = documents_ingest(drafts=[draft])[0].document

    pages = list(document.chunks.values_list("page", flat=True))
    assert pages[0] == 1 and set(pages[1:]) == {3}
    hit = next(h for h in knowledge_search(query="overstay fine per day", k=3) if h.document_id == document.pk)
    assert hit.page == 3


def test_the_cited_passage_is_found_on_its_page_with_the_text_around_it():
    parsed = parse_file(name="permits.pdf", raw=pdf_with_pages(PAGES))

    found = passage_on_page(text=parsed.text, passage="Each day of overstay costs IDR 1,000,000,")

    assert found.page == 3
    assert found.before == "Overstay fines.\n"
    assert found.passage == "Each day of overstay costs IDR 1,000,000,"
    assert found.after == " paid at the airport before departure."
