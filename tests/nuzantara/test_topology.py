"""The production topology, run here (`make up`): the lines of Procfile.local started one by one as real processes (a
Chroma server, two daphne web processes, a Celery worker and beat) on free ports, with a throwaway PostgreSQL database,
an empty Redis db and their own Chroma data directory. DJANGO_ENV is unset (development), CHROMA_HOST and REDIS_URL are
set: the multi-process shape production has.

A document uploaded through web 1's staff API is ingested by the worker and found by web 2's search within 5 s; the
request id of the upload is on the worker's JSON log lines; with the Chroma server stopped /health says degraded (200),
chat still answers from the lexical index, and an upload made meanwhile is indexed once the server is back.
"""

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PETS = """\
---
title: "Quarantine rules for imported pets"
---
# Quarantine rules for imported pets

A dog or cat brought into Bali needs a rabies vaccination certificate, an import permit from the agriculture
quarantine office and fourteen days of observation at the approved animal quarantine station.
"""
PETS_QUESTION = "bringing my dog to Bali: rabies vaccination and animal quarantine"
WARMUP = """\
---
title: "Opening hours of the consultancy"
---
# Opening hours

The consultancy in Canggu is open Monday to Friday from nine to five, and on Saturday morning by appointment.
"""
DRONES = """\
---
title: "Flying a drone over Bali temples"
---
# Flying a drone over Bali temples

A drone pilot needs a permit from the civil aviation directorate and the temple committee's consent before flying a
drone above a temple; flights over ceremonies are not allowed.
"""
DRONES_QUESTION = "permit to fly a drone above a temple in Bali"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _procfile_local() -> dict[str, str]:
    lines = (ROOT / "Procfile.local").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def _empty_redis_db(url: str) -> str:
    for db in range(15, 9, -1):  # the high numbers no other suite uses; an empty one is nobody's
        candidate = str(httpx.URL(url).copy_with(path=f"/{db}"))
        if not redis.Redis.from_url(candidate).dbsize():
            return candidate
    pytest.skip("no empty Redis db among 10-15")


@dataclass
class Topology:
    env: dict[str, str]
    logs: Path
    processes: dict[str, subprocess.Popen]
    web1: str
    web2: str
    chroma_port: int

    def start(self, name: str) -> None:
        command = _procfile_local()[name]
        with (self.logs / f"{name}.out").open("ab") as out, (self.logs / f"{name}.err").open("ab") as err:
            self.processes[name] = subprocess.Popen(
                ["sh", "-c", f"exec {command}"], cwd=ROOT, env=self.env, stdout=out, stderr=err, start_new_session=True
            )

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def manage(self, *args: str, env: dict[str, str] | None = None) -> None:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env={**self.env, **(env or {})}, capture_output=True,
            text=True, timeout=240,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]

    def log_lines(self, name: str) -> list[str]:
        return (self.logs / f"{name}.err").read_text(errors="replace").splitlines()


def _wait(what: str, condition, timeout: float, every: float = 0.25):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = condition()
            if last:
                return last
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout:.0f} s (last: {last!r})")


@pytest.fixture(scope="module")
def topology(tmp_path_factory) -> Iterator[Topology]:
    if not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")):
        pytest.skip("needs DATABASE_URL (PostgreSQL) and REDIS_URL; .ci/run sets them")
    if not (BIN / "chroma").exists():
        pytest.skip("the chroma command is not installed")
    tmp = tmp_path_factory.mktemp("topology")
    database = f"nuz_topology_{uuid.uuid4().hex[:8]}"
    base = httpx.URL(os.environ["DATABASE_URL"])
    admin_url = str(base.copy_with(path="/postgres"))
    subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {database}"], check=True, capture_output=True)
    redis_url = _empty_redis_db(os.environ["REDIS_URL"])
    drop = {"DJANGO_ENV", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "ANTHROPIC_API_KEY", "VLLM_BASE_URL", "CHROMA_DIR"}
    web1_port, web2_port, chroma_port = _free_port(), _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if k not in drop} | {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": str(base.copy_with(path=f"/{database}")),
        "REDIS_URL": redis_url,
        "CHROMA_HOST": "127.0.0.1",
        "CHROMA_PORT": str(chroma_port),
        "CHROMA_DATA_DIR": str(tmp / "chroma-server"),
        "WEB1_PORT": str(web1_port),
        "WEB2_PORT": str(web2_port),
        "VAR_DIR": str(tmp / "var"),  # shared by web and worker: uploads wait there for the worker
        "ROUTER_MODEL_DIR": str(tmp / "no-router"),  # the pipeline abstains and searches every collection
        "CELERY_CONCURRENCY": "1",
        "LOG_LEVEL": "INFO",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    logs = tmp / "logs"
    logs.mkdir()
    top = Topology(env, logs, {}, f"http://127.0.0.1:{web1_port}", f"http://127.0.0.1:{web2_port}", chroma_port)
    try:
        top.manage("migrate", "--noinput", "-v0")
        for name in ("chroma", "web1", "web2", "worker", "beat"):
            top.start(name)
        top.manage("createsuperuser", "--noinput", "--username", "curator", "--email", "curator@example.com",
                   env={"DJANGO_SUPERUSER_PASSWORD": "topology-password-123"})  # fmt: skip
        for web in (top.web1, top.web2):
            _wait(f"{web} /health", lambda web=web: httpx.get(web + "/health", timeout=5).status_code == 200, 150)
        yield top
    finally:
        for name in list(top.processes):
            top.stop(name)
        subprocess.run(["psql", admin_url, "-qc", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"], check=False)
        redis.Redis.from_url(redis_url).flushdb()


def _client(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Token {token}"}, timeout=30)


def _upload(client: httpx.Client, name: str, text: str, **headers: str) -> dict:
    response = client.post(
        "/api/v1/knowledge/documents",
        files={"file": (name, text.encode(), "text/markdown")},
        data={"collection": "property_knowledge"},
        headers=headers,
    )
    assert response.status_code == 202, response.text
    return response.json()


def _search(client: httpx.Client, query: str) -> dict:
    response = client.get("/api/v1/knowledge/search", params={"q": query, "k": 5})
    assert response.status_code == 200, response.text
    return response.json()


def _found(body: dict, title: str, *, by_vector: bool) -> bool:
    return any(r["title"] == title and (r["vector_score"] is not None) == by_vector for r in body["results"])


def _ready(client: httpx.Client, document_id: int) -> bool:
    document = client.get(f"/api/v1/knowledge/documents/{document_id}").json()
    assert document["ingest_status"] != "failed", document
    return document["ingest_status"] == "ready"


def test_ingest_on_web1_search_on_web2_and_a_chroma_outage(topology: Topology):
    top = topology
    token = httpx.post(
        top.web1 + "/api/v1/auth/token/", json={"username": "curator", "password": "topology-password-123"}, timeout=30
    ).json()["token"]
    web1, web2 = _client(top.web1, token), _client(top.web2, token)

    # worker and beat are seen by both web processes
    for web in (top.web1, top.web2):
        checks = _wait("worker and beat ok", lambda web=web: _checks_ok(web, "worker", "beat", "chroma"), 90, every=1)
        assert checks["worker"] == "ok"

    # the worker loads its embedder on a first document
    warmup = _upload(web1, "hours.md", WARMUP)
    _wait("the warm-up document ingested", lambda: _ready(web1, warmup["id"]), 150, every=0.5)

    # ingest through web 1 (queued to the worker), found by web 2's vector search within 5 s
    request_id = f"topology-{uuid.uuid4().hex[:12]}"
    started = time.monotonic()
    pets = _upload(web1, "pets.md", PETS, **{"X-Request-ID": request_id})
    assert pets["ingest_status"] == "pending"
    _wait(
        "web 2 finds the new document by vector",
        lambda: _found(_search(web2, PETS_QUESTION), "Quarantine rules for imported pets", by_vector=True),
        5,
    )
    print(f"ingest on web 1 -> found on web 2: {time.monotonic() - started:.2f} s")

    # one request id from web 1 into the task it queued, on the worker's JSON log lines (Celery's own format: none)
    assert not [line for line in top.log_lines("worker") + top.log_lines("beat") if line.startswith("[20")]

    def traced() -> bool:  # the trace line follows the commit that made the document searchable
        records = [json.loads(line) for line in _json_lines(top, "worker")]
        return any(r.get("request_id") == request_id and "succeeded" in r["message"] for r in records)

    _wait("the worker's trace of the ingest", traced, 10, every=0.2)
    assert any(r.get("logger") == "celery.beat" for r in map(json.loads, _json_lines(top, "beat")))
    assert PETS.splitlines()[-1][:30] not in (top.logs / "worker.err").read_text()  # no document text in logs

    # the Chroma server stops: /health degraded (200) on both, chat answers from the lexical index, nothing lost
    top.stop("chroma")
    for web in (top.web1, top.web2):
        response = httpx.get(web + "/health", timeout=10)
        assert response.status_code == 200
        assert response.json()["status"] == "degraded"
        assert response.json()["checks"]["chroma"] == "error"
    lexical = _search(web2, PETS_QUESTION)
    assert lexical["vector_index"] == "unavailable"
    assert _found(lexical, "Quarantine rules for imported pets", by_vector=False)
    conversation = web2.post("/api/v1/conversations/", json={}).json()
    asked = web2.post(f"/api/v1/conversations/{conversation['id']}/messages/", json={"message": PETS_QUESTION})
    assert asked.status_code == 201, asked.text
    assert asked.json()["status"] == "complete" and asked.json()["content"]
    drones = _upload(web1, "drones.md", DRONES)  # stored now, indexed by the worker's retry once Chroma is back

    # the server comes back on its port and data directory: recovery on both, the same index, the pending upload in
    top.start("chroma")
    for web in (top.web1, top.web2):
        _wait(f"{web} sees Chroma again", lambda web=web: _checks_ok(web, "chroma"), 60, every=0.5)
    assert _search(web2, PETS_QUESTION)["vector_index"] == "ok"
    assert _found(_search(web2, PETS_QUESTION), "Quarantine rules for imported pets", by_vector=True)
    _wait("the upload made during the outage ingested", lambda: _ready(web1, drones["id"]), 120, every=1)
    assert _found(_search(web2, DRONES_QUESTION), "Flying a drone over Bali temples", by_vector=True)
    messages = web1.get(f"/api/v1/conversations/{conversation['id']}/messages/").json()
    assert [m["role"] for m in messages["results"]] == ["user", "assistant"]


def _checks_ok(web: str, *names: str) -> dict | None:
    checks = httpx.get(web + "/health", timeout=10).json()["checks"]
    return checks if all(checks[n] == "ok" or checks[n].startswith("ok (") for n in names) else None


def _json_lines(top: Topology, name: str) -> list[str]:
    return [line for line in top.log_lines(name) if line.startswith("{")]


def test_procfile_local_runs_the_topology_under_honcho():
    processes = _procfile_local()

    assert set(processes) == {"chroma", "web1", "web2", "worker", "beat"}
    assert shlex.split(processes["chroma"])[:2] == ["chroma", "run"]
    assert "nuzantara.beat:HeartbeatScheduler" in processes["beat"]
    assert "honcho -f Procfile.local start" in (ROOT / "Makefile").read_text()
