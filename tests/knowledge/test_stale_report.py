import datetime

import pytest
from django.core import mail
from django.utils import timezone

from knowledge.services import document_ingest
from knowledge.tasks import stale_knowledge_report

pytestmark = pytest.mark.django_db


def test_weekly_report_lists_documents_not_reviewed_for_a_year(visa, settings):
    settings.MANAGERS = [("Curators", "curators@example.com")]
    today = timezone.localdate()
    old = document_ingest(
        collection=visa, title="Old overstay rules", text="# Overstay\nThe old daily fine.", language="en",
        original_name="old.md", last_reviewed=today - datetime.timedelta(days=400),
    )  # fmt: skip
    document_ingest(
        collection=visa, title="Fresh KITAS guide", text="# KITAS\nApply 30 days before expiry.", language="en",
        original_name="fresh.md", last_reviewed=today - datetime.timedelta(days=30),
    )  # fmt: skip

    report = stale_knowledge_report()

    assert report["stale"] == 1
    assert report["documents"][0]["id"] == old.pk
    assert len(mail.outbox) == 1 and "Old overstay rules" in mail.outbox[0].body
