import textwrap

import pytest
from django.core.management import call_command

from tests.fakes.llm_servers import FakeAnthropic, FakeOpenAI

DOCS = {
    "visa_oracle/kitas-extension.md": """\
        ---
        title: "Extending an investor KITAS (E28A)"
        collection: visa_oracle
        language: en
        source: "Directorate General of Immigration"
        last_reviewed: 2026-09-01
        ---
        # Extending an investor KITAS
        ## When to apply
        Apply for the extension of an E28A investor KITAS at least 30 days before it expires, through the immigration
        office that issued it. The sponsor is your PT PMA. Overstaying costs IDR 1,000,000 per day.
        """,
    "tax_genius/npwp.md": """\
        ---
        title: "Registering for an NPWP"
        collection: tax_genius
        language: en
        source: "Direktorat Jenderal Pajak"
        last_reviewed: 2026-08-01
        ---
        # NPWP registration
        A foreigner who is a tax resident (183 days in twelve months) registers for an NPWP, the tax identification
        number, online through the tax office portal with a passport and KITAS.
        """,
}


@pytest.fixture
def chroma_dir(settings, tmp_path):
    settings.CHROMA_DIR = tmp_path / "chroma"
    return settings.CHROMA_DIR


@pytest.fixture
def knowledge_docs(db, chroma_dir, tmp_path):
    """Two small documents ingested through the real command into a temporary Chroma index."""
    folder = tmp_path / "docs"
    for name, text in DOCS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    call_command("kb_ingest", str(folder))
    return folder


@pytest.fixture
def no_router(settings, tmp_path):
    """No router checkpoint: the pipeline abstains and searches every collection."""
    settings.ROUTER_MODEL_DIR = tmp_path / "no-router"


@pytest.fixture
def offline(settings):
    settings.ANTHROPIC_API_KEY = ""
    settings.VLLM_BASE_URL = ""


@pytest.fixture
def fake_anthropic(settings):
    server = FakeAnthropic().start()
    settings.ANTHROPIC_API_KEY = "sk-ant-test-not-a-real-key"
    settings.ANTHROPIC_BASE_URL = server.url
    settings.ANTHROPIC_MAX_RETRIES = 0
    settings.ANTHROPIC_TIMEOUT_S = 1.5
    settings.VLLM_BASE_URL = ""
    yield server
    server.stop()


@pytest.fixture
def fake_vllm(settings):
    from django.core.cache import cache

    server = FakeOpenAI().start()
    settings.VLLM_BASE_URL = server.url + "/v1"
    settings.VLLM_MAX_RETRIES = 0
    settings.VLLM_TIMEOUT_S = 1.5
    cache.delete_many(["breaker:vllm:failures", "breaker:vllm:open_until"])
    yield server
    server.stop()
    cache.delete_many(["breaker:vllm:failures", "breaker:vllm:open_until"])


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_daphne(transactional_db, knowledge_docs, settings, tmp_path):
    """A real daphne process serving the project against the test database (data must be committed: transactional)."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        database_url = f"sqlite:///{db['NAME']}"
    else:
        database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CHROMA_DIR": str(settings.CHROMA_DIR),
        "VAR_DIR": str(tmp_path / "daphne-var"),
        "ROUTER_MODEL_DIR": str(tmp_path / "no-router"),
        "ANTHROPIC_API_KEY": "",
        "VLLM_BASE_URL": "",
    }
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "nuzantara.asgi:application"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code in (200, 503):
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError(f"daphne did not start: {process.stderr.read().decode()[-2000:]}")
    yield url
    process.terminate()
    process.wait(timeout=10)
