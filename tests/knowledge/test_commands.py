import io
import json
import shutil

import pytest
from django.core.management import CommandError, call_command

from knowledge.models import Document
from knowledge.search import index

pytestmark = pytest.mark.django_db

VISA = (
    "---\ntitle: Retirement KITAS\ncollection: visa_oracle\nlanguage: en\nsource: Permenkumham\n---\n# Retirement\n\n"
    + ("Foreigners aged 60 or more can get the retirement KITAS E33F with a sponsor agency and health insurance.")
)
TAX = (
    "---\ntitle: PPh 21\ncollection: tax_genius\nlanguage: en\n---\n# PPh 21\n\nEmployers withhold income tax monthly."
)
PASAL = "---\ntitle: UU Keimigrasian\ncollection: legal_architect\nlanguage: id\n---\nBAB I\nVISA\n\nPasal 1\nVisa diberikan.\n"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "kb"
    (root / "visa").mkdir(parents=True)
    (root / "visa" / "retirement.md").write_text(VISA)
    (root / "tax.md").write_text(TAX)
    (root / "law.md").write_text(PASAL)
    (root / "README.md").write_text("# Not a document")
    return root


def test_kb_ingest_takes_collections_from_front_matter_and_is_idempotent(folder):
    first = json.loads(run("kb_ingest", str(folder), "--json"))
    second = json.loads(run("kb_ingest", str(folder), "--json"))

    assert (first["created"], first["unchanged"], first["rejected"]) == (3, 0, [])
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 3)
    assert dict(Document.objects.values_list("original_name", "collection__slug")) == {
        "retirement.md": "visa_oracle",
        "tax.md": "tax_genius",
        "law.md": "legal_architect",
    }


def test_kb_ingest_collection_option_forces_the_collection(folder):
    run("kb_ingest", str(folder / "tax.md"), "--collection", "zantara_books")

    assert Document.objects.get().collection.slug == "zantara_books"


def test_kb_ingest_reports_rejected_files_and_exits_2(folder):
    (folder / "broken.pdf").write_bytes(b"not a pdf")

    with pytest.raises(CommandError) as caught:
        run("kb_ingest", str(folder))

    assert caught.value.returncode == 2
    assert Document.objects.count() == 3
    assert not Document.objects.filter(original_name="broken.pdf").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["kb_ingest", "/no/such/path"], "no such file or folder: /no/such/path"),
        (["kb_ingest", ".", "--collection", "atlantis"], "Unknown collection 'atlantis'."),
        (["kb_search", ""], "The query is empty."),
        (["kb_search", "visa", "--collection", "atlantis"], "Unknown collection: atlantis."),
        (["kb_reindex", "--collection", "atlantis"], "Unknown collection 'atlantis'."),
    ],
)
def test_bad_command_input_exits_2_with_a_reason(args, message):
    with pytest.raises(CommandError) as caught:
        run(*args)

    assert caught.value.returncode == 2
    assert str(caught.value) == message


def test_kb_search_json_has_the_documented_shape(folder):
    run("kb_ingest", str(folder))

    rows = json.loads(run("kb_search", "retirement KITAS for people over 60", "--k", "2", "--json"))

    assert len(rows) == 2
    assert set(rows[0]) == {
        "collection", "document_id", "title", "source", "chunk", "score", "vector_score", "lexical_score"
    }  # fmt: skip
    assert rows[0]["title"] == "Retirement KITAS"
    assert rows[0]["source"] == "Permenkumham"
    assert rows[0]["vector_score"] is not None and rows[0]["lexical_score"] is not None


def test_kb_search_queries_file_prints_one_line_per_query_with_the_single_query_results(folder, tmp_path):
    run("kb_ingest", str(folder))
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"q": "retirement KITAS for people over 60"}\n\n{"q": "withholding on salaries", "collection": "tax_genius"}\n'
    )

    lines = [json.loads(line) for line in run("kb_search", "--queries", str(queries), "--json").splitlines()]
    single = json.loads(run("kb_search", "retirement KITAS for people over 60", "--json"))

    assert [line["query"] for line in lines] == ["retirement KITAS for people over 60", "withholding on salaries"]
    assert lines[0]["results"] == single
    assert {row["collection"] for row in lines[1]["results"]} == {"tax_genius"}


@pytest.mark.parametrize("content", ['{"q": 5}\n', "not json\n", '["q"]\n', '{"q": "ok", "collection": 3}\n'], ids=str)
def test_kb_search_queries_file_with_a_bad_line_exits_2_naming_it(tmp_path, content):
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"q": "fine"}\n' + content)

    with pytest.raises(CommandError) as raised:
        run("kb_search", "--queries", str(queries), "--json")

    assert raised.value.returncode == 2
    assert "q.jsonl:2" in str(raised.value)


def test_kb_search_collection_filter(folder):
    run("kb_ingest", str(folder))

    rows = json.loads(
        run("kb_search", "KITAS", "--collection", "tax_genius", "--collection", "legal_architect", "--json")
    )

    assert {row["collection"] for row in rows} <= {"tax_genius", "legal_architect"}


def test_kb_stats_json_lists_the_14_collections_with_counts(folder):
    run("kb_ingest", str(folder))

    stats = json.loads(run("kb_stats", "--json"))

    assert set(stats) == {"collections", "embedding_model", "dim"}
    assert len(stats["collections"]) == 14
    counts = {c["slug"]: (c["documents"], c["chunks"]) for c in stats["collections"]}
    assert counts["visa_oracle"] == (1, 1)
    assert counts["legal_architect"] == (1, 1)
    assert counts["kb_indonesian"] == (0, 0)
    assert stats["embedding_model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert stats["dim"] == 384


def test_kb_reindex_after_losing_the_chroma_directory_gives_the_same_results(folder, settings):
    run("kb_ingest", str(folder))
    before = json.loads(run("kb_search", "retirement KITAS sponsor", "--json"))
    index.reset_client()
    shutil.rmtree(settings.CHROMA_DIR)

    run("kb_reindex")

    after = json.loads(run("kb_search", "retirement KITAS sponsor", "--json"))
    assert [(r["document_id"], r["chunk"]) for r in after] == [(r["document_id"], r["chunk"]) for r in before]
    assert [r["score"] for r in after] == pytest.approx([r["score"] for r in before])
    assert index.count(slug="visa_oracle") == 1


def test_kb_ingest_rejects_an_impossible_date_naming_the_field_and_exits_2(folder):
    (folder / "feb30.md").write_text(TAX.replace("language: en\n", "language: en\nlast_reviewed: 2026-02-30\n"))
    stderr = io.StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("kb_ingest", str(folder), stdout=io.StringIO(), stderr=stderr)

    assert caught.value.returncode == 2
    assert "feb30.md: last_reviewed '2026-02-30' is not a valid date" in stderr.getvalue()
    assert Document.objects.count() == 3


def test_kb_ingest_rejects_a_javascript_source_url_and_exits_2(folder):
    (folder / "xss.md").write_text(TAX.replace("language: en\n", 'language: en\nsource_url: "javascript:alert(1)"\n'))
    stderr = io.StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("kb_ingest", str(folder), stdout=io.StringIO(), stderr=stderr)

    assert caught.value.returncode == 2
    assert "xss.md: source_url 'javascript:alert(1)' is not an http:// or https:// URL" in stderr.getvalue()
    assert not Document.objects.filter(original_name="xss.md").exists()
