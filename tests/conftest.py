import os
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
# No background warm-up thread touching the test database when tests import the ASGI application.
os.environ.setdefault("ASGI_WARMUP", "0")


def pytest_xdist_setupnodes(config, specs) -> None:  # noqa: ANN001
    """`make test` runs two pytest-xdist workers. pytest-django gives each its own test database; this gives each its own
    Redis db (REDIS_URL's db plus the worker's index), set in the worker's environment before Django reads its settings,
    so that Celery queues, the channel layer, the cache and throttle counters of one worker never meet the other's."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    for index, spec in enumerate(specs):
        spec.env["REDIS_URL"] = parts._replace(path=f"/{base + index}").geturl()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem) -> None:  # noqa: ANN001
    """Before a test's fixtures are torn down, wait for the golden lookup log's writer thread. A test that asked a
    question outside a transaction has queued a log row; written while pytest-django flushed the database, the INSERT
    (a key-share lock on the conversation) and the TRUNCATE deadlocked and the flush failed (CI, stop 21)."""
    lookup_log = sys.modules.get("knowledge.golden.lookup_log")
    if lookup_log is not None:
        lookup_log.flush()


@pytest.fixture
def run_manage(tmp_path: Path):
    """Run `manage.py` in a fresh process with the given environment (settings are read at start)."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        full_env = {
            k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
        }
        full_env.setdefault("VAR_DIR", str(tmp_path / "var"))
        full_env.update(env or {})
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=full_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
        )

    return run


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username="alice", password="correct-horse-battery")


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(username="stafford", password="correct-horse-battery", is_staff=True)


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
    """A fresh Chroma directory; per-process caches built from another test's data are dropped."""
    from knowledge.golden.matching import index as golden_index
    from knowledge.search import hybrid, index

    settings.CHROMA_DIR = tmp_path / "chroma"
    settings.CHROMA_HOST = ""
    index.reset_client()
    hybrid.forget_snapshot()
    golden_index.forget_snapshot()
    yield settings.CHROMA_DIR
    index.reset_client()
    hybrid.forget_snapshot()
    golden_index.forget_snapshot()


def ensure_collections() -> None:
    """The 14 collections of the data migration (a transactional test's flush removes them)."""
    from importlib import import_module

    from knowledge.models import Collection

    migration = import_module("knowledge.migrations.0002_the_14_collections")
    for ordering, (slug, name, description, boost) in enumerate(migration.COLLECTIONS, start=1):
        Collection.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "score_boost": boost, "ordering": ordering}
        )


@pytest.fixture
def knowledge_docs(db, chroma_dir, tmp_path):
    """Two small documents ingested through the real command into a temporary Chroma index."""
    ensure_collections()
    folder = tmp_path / "docs"
    for name, text in DOCS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    call_command("kb_ingest", str(folder))
    return folder


@pytest.fixture(scope="session", autouse=True)
def async_thread_connections_closed(django_db_setup):
    """Async tests reach the ORM through asgiref's one thread-sensitive worker thread, whose connection outlives them
    (CONN_MAX_AGE) and kept Postgres from dropping the test database. Torn down before django_db_setup drops it."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=30)


@pytest.fixture
def fake_anthropic(settings):
    """A local stand-in for the Messages API (SSE), wired into settings; the Llama worker is switched off."""
    from tests.fakes.llm_servers import FakeAnthropic

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
    """A local OpenAI-compatible stand-in for the Llama worker, with its circuit breaker closed before and after."""
    from nuzantara.llm import vllm_client
    from tests.fakes.llm_servers import FakeOpenAI

    server = FakeOpenAI().start()
    settings.VLLM_BASE_URL = server.url + "/v1"
    settings.VLLM_API_KEY = "vllm-test-key"
    settings.VLLM_MAX_RETRIES = 0
    settings.VLLM_TIMEOUT_S = 1.5
    vllm_client.breaker.record_success()
    yield server
    server.stop()
    vllm_client.breaker.record_success()


@pytest.fixture
def llm(settings):
    """The memory extractor's LLM client is the scripted stand-in (tests/memory/llm_standin.py)."""
    from tests.memory import llm_standin

    settings.ANTHROPIC_API_KEY = "test-key"
    settings.MEMORY_LLM_CLIENT = "tests.memory.llm_standin.client_factory"
    llm_standin.calls.clear()
    llm_standin.script.clear()
    yield llm_standin
    llm_standin.script.clear()
