import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


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
