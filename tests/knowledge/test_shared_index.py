"""One knowledge view for every process: a vector one process writes is found by another's next search.

Two real processes (this one and a `manage.py kb_ingest`) on one database and one index: the local Chroma directory
`make run` uses, and a real Chroma server (`chroma run`) as production uses.
"""

import shutil
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.db import connection

from knowledge.search import hybrid, index
from knowledge.selectors import knowledge_search
from tests.conftest import ensure_collections

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

NEW_DOCUMENT = """\
    ---
    title: "Quarantine rules for imported pets"
    collection: property_knowledge
    ---
    # Quarantine rules for imported pets

    A dog or cat brought into Bali needs a rabies vaccination certificate, an import permit from the agriculture
    quarantine office and fourteen days of observation at the approved animal quarantine station.
    """
QUESTION = "bringing my dog to Bali: rabies vaccination and animal quarantine"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    if connection.vendor != "postgresql":
        pytest.skip("two processes share the test database only on PostgreSQL")
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _ingest_in_another_process(run_manage, folder: Path, env: dict[str, str]) -> None:
    result = run_manage("kb_ingest", str(folder), env={"DATABASE_URL": _database_url(), **env}, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]


def _new_document_folder(tmp_path: Path) -> Path:
    path = tmp_path / "new" / "property_knowledge" / "pets.md"
    path.parent.mkdir(parents=True)
    path.write_text(textwrap.dedent(NEW_DOCUMENT))
    return path.parent.parent


def _found_by_vector(hits) -> bool:
    return any(h.title == "Quarantine rules for imported pets" and h.vector_score is not None for h in hits)


def test_a_vector_written_by_another_process_is_found_in_the_local_index(
    knowledge_docs, run_manage, settings, tmp_path
):
    assert not _found_by_vector(knowledge_search(query=QUESTION, k=5))  # this process has its index open

    _ingest_in_another_process(
        run_manage, _new_document_folder(tmp_path), {"CHROMA_DIR": str(settings.CHROMA_DIR), "CHROMA_HOST": ""}
    )

    assert _found_by_vector(knowledge_search(query=QUESTION, k=5))


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """A real Chroma server of the installed chromadb version, on its own port and directory."""
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent))
    if chroma is None:
        pytest.skip("the chroma command is not installed")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    process = subprocess.Popen(
        [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("chroma run did not start") from None
                time.sleep(0.3)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def on_chroma_server(settings, chroma_server, tmp_path):
    settings.CHROMA_HOST, settings.CHROMA_PORT, settings.CHROMA_DIR = "127.0.0.1", chroma_server, tmp_path / "unused"
    index.reset_client()
    hybrid.forget_snapshot()
    yield chroma_server
    index.reset_client()
    hybrid.forget_snapshot()


def test_a_vector_written_by_another_process_is_found_through_the_chroma_server(on_chroma_server, run_manage, tmp_path):
    from tests.conftest import DOCS

    ensure_collections()
    folder = tmp_path / "docs"
    for name, text in DOCS.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(textwrap.dedent(text))
    call_command("kb_ingest", str(folder))
    assert not _found_by_vector(knowledge_search(query=QUESTION, k=5))

    _ingest_in_another_process(
        run_manage, _new_document_folder(tmp_path), {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(on_chroma_server)}
    )

    assert _found_by_vector(knowledge_search(query=QUESTION, k=5))


def test_health_reaches_the_chroma_server_with_the_configured_scheme(on_chroma_server, client, settings):
    assert client.get("/health").json()["checks"]["chroma"] == "ok"

    settings.CHROMA_SSL = True  # the test server speaks plain HTTP: an https check must fail, not pass on http://
    body = client.get("/health").json()

    assert body["checks"]["chroma"] == "error"
    assert "chroma" in body["reasons"]


def test_the_server_client_gives_up_after_the_configured_timeout(on_chroma_server, settings):
    settings.CHROMA_TIMEOUT_SECONDS = 4.0
    index.reset_client()

    session = index.get_client()._server._session  # chromadb's own waits for ever (timeout=None)

    assert session.timeout.read == 4.0 and session.timeout.connect == 3.0
