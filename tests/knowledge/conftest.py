import socket
from pathlib import Path

import pytest

from knowledge.models import Collection
from knowledge.search import hybrid, index


@pytest.fixture(autouse=True)
def knowledge_dirs(settings, tmp_path: Path):
    """Each test gets its own Chroma directory and media folder; cached clients and snapshots are dropped."""
    settings.CHROMA_DIR = tmp_path / "chroma"
    settings.CHROMA_HOST = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    index.reset_client()
    hybrid.forget_snapshot()
    yield
    index.reset_client()
    hybrid.forget_snapshot()


@pytest.fixture
def visa(db) -> Collection:
    return Collection.objects.get(slug="visa_oracle")


@pytest.fixture
def pricing(db) -> Collection:
    return Collection.objects.get(slug="bali_zero_pricing")


@pytest.fixture
def tax(db) -> Collection:
    return Collection.objects.get(slug="tax_genius")


@pytest.fixture
def unreachable_chroma(settings):
    """Point the index at a Chroma server port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CHROMA_HOST = "127.0.0.1"
    settings.CHROMA_PORT = port
    index.reset_client()
    return port
