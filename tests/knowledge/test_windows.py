"""Every embedded window fits the embedder; a long Indonesian regulation is searchable to its last article."""

import pytest
from django.core.management import call_command

from knowledge.models import Chunk, Collection
from knowledge.search import index
from knowledge.search.embedding import ChunkText, chunk_windows
from knowledge.selectors import knowledge_search
from knowledge.services import documents_ingest
from nuzantara.embeddings.windows import max_wordpieces, windows, wordpiece_count
from tests.knowledge.factories import DocumentDraftFactory

pytestmark = pytest.mark.django_db

FILLER = (
    "Orang asing yang berada di wilayah Indonesia wajib memiliki dokumen perjalanan yang sah dan masih berlaku, "
    "serta mematuhi ketentuan peraturan perundang-undangan mengenai izin tinggal dan kegiatan yang diperbolehkan. "
)
LAST_ARTICLE = (
    "Pasal 99\n\nPenyelundupan kura-kura penyu hijau dipidana dengan denda paling banyak tujuh miliar rupiah."
)


def long_regulation() -> str:
    """One long Indonesian section (no headings to cut at): ~1,800 wordpieces, the key fact at the very end."""
    return "# Ketentuan umum\n\n" + FILLER * 12 + "\n\n" + LAST_ARTICLE


def test_windows_never_exceed_what_the_embedder_reads_and_cover_the_whole_text():
    text = FILLER * 12 + LAST_ARTICLE

    parts = windows(text)

    assert len(parts) > 1
    assert all(wordpiece_count(part) <= max_wordpieces() for part in parts)
    assert parts[0].startswith("Orang asing") and parts[-1].endswith("tujuh miliar rupiah.")


def test_an_indonesian_chunk_is_embedded_as_english_windows_each_with_its_title():
    chunk = ChunkText(
        title="Undang-Undang Keimigrasian", heading_path="Ketentuan umum", text=FILLER * 12, language="id"
    )

    parts = chunk_windows(chunk)

    assert len(parts) > 1
    assert all(wordpiece_count(part) <= max_wordpieces() for part in parts)
    assert len({part.split("\n")[0] for part in parts}) == 1  # every window starts with the same context line
    assert "immigration" in parts[0].split("\n")[0]
    assert "foreign" in parts[0] and "orang" not in parts[0]  # embedded in English


def test_the_last_article_of_a_long_indonesian_regulation_is_found_by_meaning(chroma_dir):
    legal = Collection.objects.get(slug="legal_architect")
    documents_ingest(
        drafts=[DocumentDraftFactory(collection=legal, language="id", title="Peraturan contoh", text=long_regulation())]
    )
    longest = max(Chunk.objects.all(), key=lambda c: wordpiece_count(c.text))

    hits = knowledge_search(query="penalty for smuggling green sea turtles", k=1)

    assert wordpiece_count(longest.text) > max_wordpieces()  # the chunk itself is longer than one window
    assert hits and "penyu hijau" in hits[0].text
    assert hits[0].vector_score is not None  # found by its vector, not only by the keyword index


def test_kb_reindex_missing_fills_only_collections_without_vectors(chroma_dir):
    legal = Collection.objects.get(slug="legal_architect")
    documents_ingest(drafts=[DocumentDraftFactory(collection=legal, language="id", text=long_regulation())])
    index.recreate(slug="legal_architect")  # as after an index recipe change: chunks in Postgres, no vectors

    call_command("kb_reindex", "--missing", verbosity=0)

    assert index.count(slug="legal_architect") > Chunk.objects.filter(document__collection=legal).count()
    assert index.count(slug="visa_oracle") == 0  # no documents there: left alone
