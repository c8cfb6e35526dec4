"""A real S3-compatible server (moto in server mode) standing in for R2, and the settings that point at it."""

import socket

import boto3
import pytest
from moto.server import ThreadedMotoServer

BUCKET = "nuzantara-backups"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def r2(settings, s3_server):
    settings.R2_ENDPOINT = s3_server
    settings.R2_ACCESS_KEY_ID = "test-access-key"
    settings.R2_SECRET_ACCESS_KEY = "test-secret-key"
    settings.R2_BUCKET = BUCKET
    settings.R2_REGION = "us-east-1"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id="test-access-key",
        aws_secret_access_key="test-secret-key",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded originals land in the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
