"""CSV import/export: all rows or none, errors name the row."""

import pytest

from knowledge.golden.models import GoldenAnswer, GoldenAnswerVariant
from knowledge.golden.services import CsvImportError, golden_answers_export_csv, golden_answers_import_csv

from .factories import DocumentFactory, GoldenAnswerFactory

HEADER = "question,answer,language,tool,variants,source_document_ids\n"


def test_rows_are_imported_as_drafts_with_variants_and_sources(db, staff_user):
    document = DocumentFactory()
    text = (
        HEADER
        + f'"How long is a KITAP valid?","Five years.",en,visa,"KITAP validity | How many years does a KITAP last?",{document.pk}\n'
    )

    imported = golden_answers_import_csv(text=text, user=staff_user)

    golden = imported[0]
    assert golden.status == GoldenAnswer.Status.DRAFT and golden.origin == "csv" and golden.created_by == staff_user
    assert sorted(v.question for v in golden.variants.all()) == ["How many years does a KITAP last?", "KITAP validity"]
    assert list(golden.source_documents.all()) == [document]


def test_a_bad_row_refuses_the_whole_import_and_names_the_row(db):
    text = (
        HEADER
        + '"Good question one?","Answer one.",en,visa,,\n'
        + '"Good question two?","Answer two.",en,tax,,\n'
        + '"A row with an unknown language?","Answer.",fr,visa,,\n'
    )

    with pytest.raises(CsvImportError) as error:
        golden_answers_import_csv(text=text)

    assert error.value.row == 4 and "Row 4" in str(error.value) and "language" in str(error.value)
    assert not GoldenAnswer.objects.exists() and not GoldenAnswerVariant.objects.exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ('"Q?","",en,visa,,', "answer is empty"),
        ('"Q?","A.",en,visa,,999999', "unknown source document"),
        ('"Q?","A.",en,visa,,abc', "not numbers"),
        ('"Q?","A.",en,visa,"Q",', None),  # a variant equal to the question is dropped, not an error
    ],
)
def test_each_kind_of_bad_row_is_reported(db, row, message):
    if message is None:
        assert golden_answers_import_csv(text=HEADER + row + "\n")[0].variants.count() == 0
        return
    with pytest.raises(CsvImportError, match=message):
        golden_answers_import_csv(text=HEADER + row + "\n")
    assert not GoldenAnswer.objects.exists()


def test_a_phrasing_used_by_two_rows_is_refused(db):
    text = HEADER + '"Q one?","A.",en,,"shared phrasing",\n"Q two?","B.",en,,"Shared phrasing!",\n'

    with pytest.raises(CsvImportError, match="Row 3.*already used on row 2"):
        golden_answers_import_csv(text=text)


def test_a_missing_column_is_refused(db):
    with pytest.raises(CsvImportError, match="missing column"):
        golden_answers_import_csv(text="question,language\nQ?,en\n")


def test_export_then_import_updates_the_same_answers(db, staff_user):
    golden = GoldenAnswerFactory(question="What is a KITAP?", answer="A permanent stay permit.", variants=["KITAP?"])
    exported = golden_answers_export_csv(answers=GoldenAnswer.objects.all())

    golden_answers_import_csv(
        text=exported.replace("A permanent stay permit.", "The permanent stay permit."), user=staff_user
    )

    assert GoldenAnswer.objects.count() == 1
    golden.refresh_from_db()
    assert golden.answer == "The permanent stay permit." and golden.status == "approved"
    assert [v.question for v in golden.variants.all()] == ["KITAP?"]
