"""The curation screens end to end: review queue (approve, edit, retire), CSV import, test a query, hit rate."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from knowledge.golden.models import GoldenAnswer, GoldenLookup

from .factories import GoldenAnswerFactory


@pytest.fixture
def staff_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser(username="curator", password="correct-horse-battery")
    client.force_login(admin)
    client.admin = admin
    return client


def _form(golden: GoldenAnswer, **changes: object) -> dict:
    data = {
        "question": golden.question, "answer": golden.answer, "language": golden.language, "tool": golden.tool,
        "collection": "", "source_documents": "", "status": golden.status, "valid_until": "", "review_reason": "",
        "variants-TOTAL_FORMS": "0", "variants-INITIAL_FORMS": "0", "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    return {**data, **changes}


def test_the_review_queue_lists_drafts_and_answers_to_review_only(staff_client):
    GoldenAnswerFactory(question="A draft?", status="draft")
    GoldenAnswerFactory(question="Needs a look?", status="needs_review")
    GoldenAnswerFactory(question="Already approved?", status="approved")

    page = staff_client.get(reverse("admin:golden_goldenanswerreview_changelist")).content.decode()

    assert "A draft?" in page and "Needs a look?" in page and "Already approved?" not in page


def test_a_reviewer_edits_and_approves_a_draft_which_is_then_served(staff_client):
    draft = GoldenAnswerFactory(question="What happens on Nyepi in Bali?", answer="Draft text.", status="draft")
    url = reverse("admin:golden_goldenanswerreview_change", args=[draft.pk])

    response = staff_client.post(url, _form(draft, answer="Bali is silent for 24 hours.", _approve="1"))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "approved" and draft.answer == "Bali is silent for 24 hours."
    assert draft.approved_by == staff_client.admin
    from knowledge.golden.selectors import golden_answer_lookup

    assert (
        golden_answer_lookup(query="What happens on Nyepi in Bali?", log=False).answer == "Bali is silent for 24 hours."
    )


def test_a_reviewer_retires_from_the_queue(staff_client):
    draft = GoldenAnswerFactory(question="A wrong draft?", status="draft")

    staff_client.post(
        reverse("admin:golden_goldenanswerreview_changelist"),
        {"action": "retire", "_selected_action": [draft.pk]},
    )

    draft.refresh_from_db()
    assert draft.status == "retired"


def test_the_csv_import_screen_reports_the_bad_row_and_imports_nothing(staff_client):
    csv = b"question,answer,language\nWhat is a KITAP?,A permit.,en\nWhat is a KITAS?,A permit.,xx\n"

    page = staff_client.post(
        reverse("admin:golden_goldenanswer_import"), {"file": SimpleUploadedFile("g.csv", csv, "text/csv")}
    ).content.decode()

    assert "Nothing was imported" in page and "Row 3" in page
    assert not GoldenAnswer.objects.exists()


def test_the_test_a_query_screen_shows_the_refusing_guard_and_logs_nothing(staff_client, remote_worker_answer):
    page = staff_client.get(
        reverse("admin:golden_goldenanswer_test_query"),
        {"q": "Can't I work for Indonesian clients on an E33G remote worker KITAS?"},
    ).content.decode()

    assert "refused by negation" in page and remote_worker_answer.question in page
    assert not GoldenLookup.objects.exists()


def test_the_list_and_the_daily_hit_rate_show_hits(staff_client, overstay_answer):
    from knowledge.golden.selectors import golden_answer_lookup

    golden_answer_lookup(query="What is the fine for overstaying my visa in Indonesia?")
    golden_answer_lookup(query="Where do I surf in Bali?")

    listing = staff_client.get(reverse("admin:golden_goldenanswer_changelist")).content.decode()
    rate = staff_client.get(reverse("admin:golden_goldenanswer_hit_rate")).content.decode()

    assert overstay_answer.question in listing
    assert "50%" in rate


def test_the_lookup_log_and_nightly_runs_are_browsable(staff_client, overstay_answer):
    from knowledge.golden.selectors import golden_answer_lookup

    golden_answer_lookup(query="What is the fine for overstaying my visa in Indonesia?")

    assert staff_client.get(reverse("admin:golden_goldenlookup_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:golden_nightlyrun_changelist")).status_code == 200


def test_staff_write_a_golden_answer_with_variants_in_the_admin(staff_client):
    data = {
        "question": "What is a KITAP?", "answer": "A permanent stay permit.", "language": "en", "tool": "visa",
        "collection": "", "source_documents": "", "status": "approved", "valid_until": "", "review_reason": "",
        "variants-TOTAL_FORMS": "1", "variants-INITIAL_FORMS": "0", "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000", "variants-0-question": "KITAP meaning",
    }  # fmt: skip

    response = staff_client.post(reverse("admin:golden_goldenanswer_add"), data)

    assert response.status_code == 302
    golden = GoldenAnswer.objects.get()
    assert golden.created_by == golden.approved_by == staff_client.admin
    assert [v.question for v in golden.variants.all()] == ["KITAP meaning"]
    from knowledge.golden.selectors import golden_answer_lookup

    assert golden_answer_lookup(query="kitap meaning", log=False).hit
