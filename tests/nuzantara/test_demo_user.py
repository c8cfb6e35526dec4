import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def test_demo_user_is_created_once_with_a_generated_password(var_dir, capsys):
    call_command("ensure_demo_user")
    first = capsys.readouterr().out
    saved = (var_dir / "demo_credentials.txt").read_text()
    password = saved.split("password: ")[1].strip()

    call_command("ensure_demo_user")
    second = capsys.readouterr().out

    user = get_user_model().objects.get(username="demo")
    assert user.check_password(password)
    assert len(password) >= 12
    assert password in first
    assert password not in second
    assert "already exists" in second
    assert get_user_model().objects.filter(username="demo").count() == 1
    assert (var_dir / "demo_credentials.txt").stat().st_mode & 0o077 == 0


def test_two_checkouts_get_different_passwords(var_dir, capsys):
    call_command("ensure_demo_user", "--username", "demo1")
    call_command("ensure_demo_user", "--username", "demo2")
    out = capsys.readouterr().out

    passwords = [line.split("password: ")[1] for line in out.splitlines() if "password: " in line]
    assert len(passwords) == 2
    assert passwords[0] != passwords[1]
