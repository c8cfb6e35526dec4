"""Backups of the uploaded originals to a real S3-compatible server (moto), and their download by staff."""

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError

from knowledge.backup.media import media_backup_create
from knowledge.backup.models import Backup
from tests.backup.conftest import BUCKET
from tests.knowledge.factories import DocumentFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
TEXT = b"# KITAS\n\nThe original, as uploaded.\n"


def _document_with_original(name: str = "kitas.md", content: bytes = TEXT):
    from tests.conftest import ensure_collections

    ensure_collections()
    document = DocumentFactory(original_name=name)
    document.original_file.save(name, ContentFile(content))
    return document


def _objects(r2, prefix: str) -> set[str]:  # noqa: ANN001
    return {item["Key"] for item in r2.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])}


def test_a_lost_original_comes_back_with_the_same_bytes(r2, media_root):
    document = _document_with_original()
    call_command("backup_media")
    (media_root / document.original_file.name).unlink()

    call_command("restore_media", "--latest")

    assert (media_root / document.original_file.name).read_bytes() == TEXT
    backup = Backup.objects.get(kind=Backup.Kind.MEDIA)
    assert (backup.status, backup.documents, backup.size_bytes) == ("good", 1, len(TEXT))


def test_unchanged_originals_are_uploaded_once(r2):
    _document_with_original()

    first, second = media_backup_create(), media_backup_create()

    assert (first.manifest["uploaded"], second.manifest["uploaded"]) == (1, 0)
    assert len(_objects(r2, "media/objects/")) == 1


def test_retention_removes_old_manifests_and_the_files_only_they_named(r2, settings):
    settings.BACKUP_RETENTION = 1
    document = _document_with_original(content=b"first version")
    old = media_backup_create()
    document.original_file.delete(save=False)
    document.original_file.save("kitas.md", ContentFile(b"second version"))

    new = media_backup_create()

    assert _objects(r2, "media/manifests/") == {new.key}
    assert len(_objects(r2, "media/objects/")) == 1
    assert Backup.objects.get(pk=old.pk).status == "deleted"


def test_an_original_missing_from_storage_is_named_in_the_record(r2, media_root):
    document = _document_with_original()
    (media_root / document.original_file.name).unlink()

    backup = media_backup_create()

    assert backup.status == "good" and backup.documents == 0
    assert document.original_file.name in backup.error


def test_restore_of_an_unknown_manifest_exits_2_naming_it(r2):
    with pytest.raises(CommandError) as failed:
        call_command("restore_media", "--key", "media/manifests/nope.json")

    assert failed.value.returncode == 2
    assert "media/manifests/nope.json" in str(failed.value)


@pytest.fixture
def media_in_bucket(r2, settings):
    """The production setting (MEDIA_BUCKET): originals in a private bucket through django-storages."""
    r2.create_bucket(Bucket="nuzantara-media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "nuzantara-media",
                "endpoint_url": settings.R2_ENDPOINT,
                "access_key": settings.R2_ACCESS_KEY_ID,
                "secret_key": settings.R2_SECRET_ACCESS_KEY,
                "region_name": settings.R2_REGION,
                "addressing_style": "path",
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    yield r2
    for item in r2.list_objects_v2(Bucket="nuzantara-media").get("Contents", []):
        r2.delete_object(Bucket="nuzantara-media", Key=item["Key"])
    r2.delete_bucket(Bucket="nuzantara-media")


def test_staff_download_an_original_kept_in_the_media_bucket(media_in_bucket, client, staff_user):
    document = _document_with_original()
    client.force_login(staff_user)
    staff_user.is_superuser = True
    staff_user.save()

    page = client.get(f"/admin/knowledge/document/{document.pk}/change/")
    response = client.get(f"/admin/knowledge/document/{document.pk}/original/")

    assert f"/admin/knowledge/document/{document.pk}/original/" in page.content.decode()
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == TEXT
    assert 'filename="kitas.md"' in response["Content-Disposition"]
    assert _objects(media_in_bucket, "knowledge/originals/") == set()  # it went to the media bucket, not R2's backups
    assert len(media_in_bucket.list_objects_v2(Bucket="nuzantara-media")["Contents"]) == 1


def test_users_who_are_not_staff_cannot_download_originals(client, user):
    document = _document_with_original()
    client.force_login(user)

    response = client.get(f"/admin/knowledge/document/{document.pk}/original/")

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
