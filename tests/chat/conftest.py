from contextlib import contextmanager

import pytest
import pytest_asyncio
from django.test import AsyncClient


@pytest.fixture
def no_router(settings, tmp_path):
    """No router checkpoint: the pipeline abstains and searches every collection."""
    settings.ROUTER_MODEL_DIR = tmp_path / "no-router"


@pytest.fixture
def offline(settings):
    settings.ANTHROPIC_API_KEY = ""
    settings.VLLM_BASE_URL = ""


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The test database as a DATABASE_URL, for a server process started by a test."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def daphne_process(env_extra: dict[str, str], log_path, app: str = "nuzantara.asgi:application"):  # noqa: ANN001
    """A real daphne process serving `app` with the environment plus `env_extra`; yields its URL."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx

    port = _free_port()
    env = {**os.environ, "ANTHROPIC_API_KEY": "", "VLLM_BASE_URL": "", **env_extra}
    root = Path(__file__).resolve().parents[2]
    log = open(log_path, "w+b")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), app],
        cwd=root,
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code in (200, 503):  # the worker ping may wait 1 s
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError(f"daphne did not start: {Path(log_path).read_text()[-2000:]}")
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        print(Path(log_path).read_text()[-4000:])  # shown by pytest when the test failed


@pytest.fixture
def live_daphne(transactional_db, knowledge_docs, settings, tmp_path, request):
    """A real daphne process serving the project against the test database (data must be committed: transactional).

    Indirect parametrization picks another ASGI app (`tests.chat.raising_asgi:application` adds a URL that raises).
    """
    from chat.warmup import warm_up

    warm_up()  # exports the ONNX encoders into VAR_DIR once, so the server below only loads them
    env = {
        "DATABASE_URL": database_url(),
        "CHROMA_DIR": str(settings.CHROMA_DIR),
        "VAR_DIR": str(settings.VAR_DIR),
        "ROUTER_MODEL_DIR": str(tmp_path / "no-router"),
    }
    app = getattr(request, "param", "nuzantara.asgi:application")
    with daphne_process(env, tmp_path / "daphne.log", app) as url:
        yield url


@pytest_asyncio.fixture
async def signed_in(user) -> AsyncClient:
    """An async test client signed in as the user (its session cookie also opens a websocket)."""
    client = AsyncClient()
    await client.aforce_login(user)
    return client
