"""The backups page: 'Back up now' always there, skipped and failed backups shown."""

import pytest

from knowledge.backup.models import Backup

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)
    return client


def test_back_up_now_is_offered_when_there_is_no_backup_yet(staff_client):
    response = staff_client.get("/admin/backup/backup/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Back up now" in page and 'action="/admin/backup/backup/back-up-now/"' in page
    assert "Database: no backup yet." in page


def test_back_up_now_without_r2_records_three_skipped_backups_and_shows_why(staff_client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # no worker here: the tasks run inline
    settings.R2_ENDPOINT = ""

    staff_client.post("/admin/backup/backup/back-up-now/")
    page = staff_client.get("/admin/backup/backup/").content.decode()

    skipped = Backup.objects.filter(status=Backup.Status.SKIPPED)
    assert sorted(skipped.values_list("kind", flat=True)) == ["database", "index", "media"]
    assert all("R2_ENDPOINT" in b.error for b in skipped)
    assert "Database: the last backup" in page and "skipped: backups need R2_ENDPOINT" in page


def test_back_up_now_answers_only_post(staff_client):
    assert staff_client.get("/admin/backup/backup/back-up-now/").status_code == 405
