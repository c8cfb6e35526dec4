import pytest

from knowledge.ingest.parsers import RejectedFile
from knowledge.models import Chunk, CorpusState, Document
from knowledge.search import index
from knowledge.search.index import IndexUnavailable
from knowledge.services import document_retire, documents_ingest, files_ingest
from knowledge.signals import document_changed
from tests.knowledge.factories import DocumentDraftFactory

pytestmark = pytest.mark.django_db

VISA_TEXT = (
    "# KITAS\n\nThe investor KITAS is a limited stay permit for foreigners who hold shares in an Indonesian company. "
    "It needs a sponsor company, a passport valid for eighteen months and proof of the investment made.\n\n"
    "## Fees\n\nThe fee is paid at the immigration office."
)


def indexed_ids(slug: str) -> set[int]:
    collection = index.get_client().get_collection(index.chroma_name(slug))
    return {int(i) for i in collection.get(include=[])["ids"]}


@pytest.fixture
def changes():
    received = []

    def receiver(sender, document, change, **kwargs):
        received.append((document.original_name, change))

    document_changed.connect(receiver)
    yield received
    document_changed.disconnect(receiver)


def test_ingest_writes_chunks_to_postgres_and_vectors_to_chroma(visa):
    draft = DocumentDraftFactory(collection=visa, text=VISA_TEXT, original_name="kitas.md")

    outcome = documents_ingest(drafts=[draft])[0]

    chunks = list(outcome.document.chunks.all())
    assert outcome.status == "created"
    assert [c.heading_path for c in chunks] == ["KITAS", "KITAS > Fees"]
    assert indexed_ids("visa_oracle") == {c.pk for c in chunks}


def test_reingesting_a_changed_document_replaces_its_chunks_and_index_entries(
    visa, django_capture_on_commit_callbacks, changes
):
    first = documents_ingest(drafts=[DocumentDraftFactory(collection=visa, text=VISA_TEXT, original_name="k.md")])[0]
    old_ids = set(first.document.chunks.values_list("pk", flat=True))
    changed = DocumentDraftFactory(collection=visa, text="# KITAS\n\nNow renewed online.", original_name="k.md")

    with django_capture_on_commit_callbacks(execute=True):
        outcome = documents_ingest(drafts=[changed])[0]

    new_ids = set(outcome.document.chunks.values_list("pk", flat=True))
    assert outcome.status == "updated"
    assert outcome.document.pk == first.document.pk
    assert Document.objects.count() == 1
    assert not old_ids & new_ids
    assert Chunk.objects.filter(pk__in=old_ids).count() == 0
    assert indexed_ids("visa_oracle") == new_ids
    assert changes == [("k.md", "updated")]


def test_an_unchanged_checksum_is_skipped_without_touching_anything(visa):
    draft = DocumentDraftFactory(collection=visa, text=VISA_TEXT, original_name="k.md")
    documents_ingest(drafts=[draft])
    version = CorpusState.current()
    chunk_ids = set(Chunk.objects.values_list("pk", flat=True))

    outcome = documents_ingest(
        drafts=[DocumentDraftFactory(collection=visa, text=VISA_TEXT, original_name="k.md", title=draft.title)]
    )[0]

    assert outcome.status == "unchanged"
    assert CorpusState.current() == version
    assert set(Chunk.objects.values_list("pk", flat=True)) == chunk_ids


def test_a_chroma_failure_rolls_back_postgres(visa, unreachable_chroma):
    draft = DocumentDraftFactory(collection=visa, text=VISA_TEXT)

    with pytest.raises(IndexUnavailable):
        documents_ingest(drafts=[draft])

    assert Document.objects.count() == 0
    assert Chunk.objects.count() == 0


def test_a_failed_replacement_keeps_the_previous_version_everywhere(visa, settings):
    first = documents_ingest(drafts=[DocumentDraftFactory(collection=visa, text=VISA_TEXT, original_name="k.md")])[0]
    old_ids = set(first.document.chunks.values_list("pk", flat=True))
    local_dir = settings.CHROMA_DIR
    settings.CHROMA_HOST, settings.CHROMA_PORT = "127.0.0.1", 9  # discard port: refused

    with pytest.raises(IndexUnavailable):
        documents_ingest(
            drafts=[DocumentDraftFactory(collection=visa, text="# New\n\nNew text.", original_name="k.md")]
        )

    settings.CHROMA_HOST, settings.CHROMA_DIR = "", local_dir
    assert set(Chunk.objects.values_list("pk", flat=True)) == old_ids
    assert indexed_ids("visa_oracle") == old_ids


def test_a_document_with_headings_only_is_rejected_before_any_write(visa):
    good = DocumentDraftFactory(collection=visa, text=VISA_TEXT)
    empty = DocumentDraftFactory(collection=visa, text="# Only\n\n## Headings")

    with pytest.raises(RejectedFile, match="no text to index"):
        documents_ingest(drafts=[good, empty])

    assert Document.objects.count() == 0
    assert index.count(slug="visa_oracle") == 0


def test_bad_files_are_rejected_with_a_reason_and_the_good_ones_are_ingested(tmp_path, visa, settings):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.md").write_text(VISA_TEXT)
    (folder / "bad.pdf").write_bytes(b"%PDF-1.4 garbage")
    (folder / "photo.png").write_bytes(b"\x89PNG")

    report = files_ingest(paths=sorted(folder.iterdir()), collection=visa)

    assert [p.rsplit("/", 1)[-1] for p in report.created] == ["good.md"]
    reasons = {p.rsplit("/", 1)[-1]: r for p, r in report.rejected}
    assert reasons["bad.pdf"].startswith("cannot read the PDF")
    assert reasons["photo.png"].startswith("unsupported file type '.png'")
    assert list(Document.objects.values_list("original_name", flat=True)) == ["good.md"]
    assert Chunk.objects.filter(document__original_name="bad.pdf").count() == 0
    assert [p.name for p in settings.MEDIA_ROOT.rglob("*.*")] == ["good.md"]


def test_a_file_naming_an_unknown_collection_is_rejected(tmp_path, db):
    (tmp_path / "nowhere.md").write_text("---\ncollection: no_such_collection\n---\nText.")
    (tmp_path / "orphan.txt").write_text("Text without a collection.")

    report = files_ingest(paths=sorted(tmp_path.iterdir()))

    assert {p.rsplit("/", 1)[-1]: r for p, r in report.rejected} == {
        "nowhere.md": "unknown collection 'no_such_collection'",
        "orphan.txt": "no collection: add `collection:` to the front matter or pass --collection",
    }
    assert Document.objects.count() == 0


def test_ingested_files_keep_their_original(tmp_path, visa, settings):
    path = tmp_path / "kitas.md"
    path.write_text(f"---\ncollection: visa_oracle\n---\n{VISA_TEXT}")

    files_ingest(paths=[path])

    document = Document.objects.get()
    assert document.original_file.read().decode() == path.read_text()
    assert document.body.startswith("# KITAS")


def test_retiring_removes_a_document_from_the_index_but_keeps_its_chunks(
    visa, django_capture_on_commit_callbacks, changes
):
    document = documents_ingest(drafts=[DocumentDraftFactory(collection=visa, text=VISA_TEXT, original_name="k.md")])[
        0
    ].document

    with django_capture_on_commit_callbacks(execute=True):
        document_retire(document=document)

    document.refresh_from_db()
    assert document.status == Document.Status.RETIRED
    assert document.chunks.count() == 2
    assert indexed_ids("visa_oracle") == set()
    assert changes == [("k.md", "retired")]


def test_reingesting_a_retired_document_with_new_content_reactivates_it(visa):
    document = documents_ingest(drafts=[DocumentDraftFactory(collection=visa, text=VISA_TEXT, original_name="k.md")])[
        0
    ].document
    document_retire(document=document)

    outcome = documents_ingest(
        drafts=[DocumentDraftFactory(collection=visa, text="# New\n\nNew.", original_name="k.md")]
    )[0]

    assert outcome.document.status == Document.Status.ACTIVE
    assert indexed_ids("visa_oracle") == set(outcome.document.chunks.values_list("pk", flat=True))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://files.example.org/guide.pdf"])
def test_a_draft_with_a_source_url_that_is_not_http_is_rejected_before_any_write(visa, url):
    with pytest.raises(RejectedFile) as caught:
        documents_ingest(drafts=[DocumentDraftFactory(collection=visa, original_name="x.md", source_url=url)])

    assert caught.value.reason == f"source_url {url!r} is not an http:// or https:// URL"
    assert Document.objects.count() == 0
