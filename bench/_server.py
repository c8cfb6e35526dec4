"""Shared by the benchmarks: a throwaway database + var dir, and a real daphne serving the project on a free port."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


class BenchEnvironment:
    """A fresh database (Postgres if it answers on 127.0.0.1:5432, else SQLite) and var dir, migrated."""

    def __init__(self, extra_env: dict[str, str] | None = None, redis: bool = True) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="nuz-bench-"))
        self.db_name = f"nuz_bench_{uuid.uuid4().hex[:8]}"
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "ANTHROPIC_API_KEY"}}
        env.update(
            {
                "VAR_DIR": str(self.tmp / "var"),
                "LOG_LEVEL": "WARNING",
                "ROUTER_MODEL_DIR": os.environ.get("ROUTER_MODEL_DIR", str(ROOT / "var" / "router")),
            }
        )
        if postgres_available():
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", self.db_name], check=True)
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{self.db_name}"
        if redis:
            env["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
        env.update(extra_env or {})
        self.env = env
        self.manage("migrate", "--noinput", "-v0")

    def manage(self, *args: str) -> str:
        done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def create_user(self, username: str, password: str) -> None:
        code = (
            "from django.contrib.auth import get_user_model as g; "
            f"g().objects.filter(username='{username}').exists() or g().objects.create_user('{username}', password='{password}')"
        )
        self.manage("shell", "-c", code)

    def serve(self) -> "Daphne":
        return Daphne(self.env)

    def close(self) -> None:
        if "DATABASE_URL" in self.env and self.env["DATABASE_URL"].startswith("postgres"):
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", self.db_name])


class Daphne:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "nuzantara.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/health", timeout=5)  # /health may wait 1 s for a worker ping
                return
            except httpx.HTTPError:
                time.sleep(0.25)
        self.stop()
        raise SystemExit("daphne did not start")

    def login(self, username: str, password: str) -> httpx.Client:
        client = httpx.Client(base_url=self.url)
        client.get("/accounts/login/")
        client.post(
            "/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": client.cookies["csrftoken"]},
            headers={"Referer": self.url + "/accounts/login/"},
        )
        return client

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


class LocalTopology:
    """The `make up` topology (Procfile.local): a Chroma server, two daphne web processes, a worker and beat, each a real
    process with the environment's database and Redis, on free ports."""

    NAMES = ("chroma", "web1", "web2", "worker", "beat")

    def __init__(self, env: dict[str, str]) -> None:
        lines = (ROOT / "Procfile.local").read_text().splitlines()
        commands = dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))
        web1, web2, chroma = free_port(), free_port(), free_port()
        tmp = Path(tempfile.mkdtemp(prefix="nuz-topology-"))
        self.env = {
            **env,
            "PATH": f"{Path(PYTHON).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "CHROMA_HOST": "127.0.0.1",
            "CHROMA_PORT": str(chroma),
            "CHROMA_DATA_DIR": str(tmp / "chroma-server"),
            "WEB1_PORT": str(web1),
            "WEB2_PORT": str(web2),
        }
        self.urls = [f"http://127.0.0.1:{web1}", f"http://127.0.0.1:{web2}"]
        self.logs = tmp / "logs"  # each process's stderr, kept to look at after a run
        self.logs.mkdir()
        self.processes = [
            subprocess.Popen(
                ["sh", "-c", f"exec {commands[name]}"],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=(self.logs / f"{name}.err").open("wb"),
                start_new_session=True,
            )
            for name in self.NAMES
        ]
        deadline = time.monotonic() + 180
        for url in self.urls:
            while True:
                try:
                    if httpx.get(url + "/health", timeout=5).json()["checks"]["chroma"] == "ok":
                        break
                except (httpx.HTTPError, ValueError, KeyError):
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit("the topology did not start")
                time.sleep(0.5)

    def login(self, username: str, password: str) -> httpx.Client:
        return Daphne.login(self, username, password)  # type: ignore[arg-type]

    @property
    def url(self) -> str:
        return self.urls[0]

    def stop(self) -> None:
        import signal

        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
