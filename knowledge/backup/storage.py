"""The backup bucket: django-storages' S3 backend configured for Cloudflare R2 (any S3-compatible endpoint)."""

from django.conf import settings
from storages.backends.s3 import S3Storage

PREFIX = "knowledge-index/"


class BackupNotConfigured(RuntimeError):
    pass


def backup_storage() -> S3Storage:
    missing = [
        name
        for name in ("R2_ENDPOINT", "R2_ACCESS_KEY_ID", "R2_SECRET_ACCESS_KEY", "R2_BUCKET")
        if not getattr(settings, name)
    ]
    if missing:
        raise BackupNotConfigured(f"backups need {', '.join(missing)}")
    return S3Storage(
        bucket_name=settings.R2_BUCKET,
        endpoint_url=settings.R2_ENDPOINT,
        access_key=settings.R2_ACCESS_KEY_ID,
        secret_key=settings.R2_SECRET_ACCESS_KEY,
        region_name=settings.R2_REGION,
        signature_version="s3v4",
        addressing_style="path",
        file_overwrite=False,
        default_acl=None,
        querystring_auth=False,
    )
