"""Settings are read at process start, so these run manage.py in a fresh process with a given environment."""

import os

import pytest

PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k" * 20 + "-production-secret-for-tests-only-0123456789",
    "ALLOWED_HOSTS": "zantara.example.com",
    "CHROMA_HOST": "chroma.internal",
}


def test_production_with_a_broker_refuses_a_local_chroma_directory(run_manage):
    env = {k: v for k, v in PRODUCTION.items() if k != "CHROMA_HOST"} | {"REDIS_URL": "redis://127.0.0.1:6379/6"}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert (
        result.stderr.strip().splitlines()[-1].startswith("Configuration error: CHROMA_HOST must name a Chroma server")
    )


def test_development_keeps_the_local_chroma_directory_with_a_broker(run_manage):
    result = run_manage("check", env={"REDIS_URL": "redis://127.0.0.1:6379/6", "CHROMA_HOST": ""})

    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_secret_key(run_manage):
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "Configuration error: SECRET_KEY must be set to a random value of 32+ characters when DEBUG is off"
    )


def test_production_refuses_to_start_without_allowed_hosts(run_manage):
    env = {k: v for k, v in PRODUCTION.items() if k != "ALLOWED_HOSTS"}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr.strip().splitlines()[-1]


def test_debug_off_alone_also_requires_a_secret_key(run_manage):
    result = run_manage("check", env={"DEBUG": "0", "ALLOWED_HOSTS": "example.com"})

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_deploy_check_reports_no_issues(run_manage):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_malformed_database_url_exits_with_one_line_naming_it(run_manage):
    result = run_manage("check", env={"DATABASE_URL": "postgres://user@host:notaport/db"})

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Configuration error: DATABASE_URL")


def test_invalid_boolean_names_the_variable(run_manage):
    result = run_manage("check", env={"DEBUG": "maybe"})

    assert result.returncode != 0
    assert result.stderr.strip() == "Configuration error: DEBUG must be a boolean (1/0, true/false), got 'maybe'"


REFUSED_WITHOUT_DJANGO_ENV = (
    "Configuration error: DJANGO_ENV must be set when {name} is given: 'production' for a deployment "
    "(DEBUG off), or 'development' to run with DEBUG on"
)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SECRET_KEY", "k" * 20 + "-production-secret-for-tests-only-0123456789"),
        ("ALLOWED_HOSTS", "localhost,zantara.example.com"),
        ("ALLOWED_HOSTS", "*"),
        ("DATABASE_URL", "postgres://zantara:secret@db.internal:5432/zantara"),
    ],
)
def test_production_looking_settings_without_django_env_refuse_to_start_naming_it(run_manage, name, value):
    result = run_manage("check", env={name: value})

    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == REFUSED_WITHOUT_DJANGO_ENV.format(name=name)


def test_local_settings_without_django_env_keep_the_development_default(run_manage):
    # DATABASE_URL and REDIS_URL come from the test run's environment (CI: postgres and redis on 127.0.0.1).
    local = {"ALLOWED_HOSTS": "localhost,127.0.0.1,[::1]", "DATABASE_URL": os.environ.get("DATABASE_URL", "")}

    result = run_manage("check", env=local)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_django_env_development_keeps_debug_on_with_a_secret_key(run_manage):
    env = {"DJANGO_ENV": "development", "SECRET_KEY": "k" * 40, "ALLOWED_HOSTS": "dev.example.com"}

    result = run_manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)", env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"


def test_media_bucket_without_r2_credentials_refuses_to_start_naming_them(run_manage):
    result = run_manage("check", env={**PRODUCTION, "MEDIA_BUCKET": "nuzantara-media", "R2_ENDPOINT": ""})

    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith("Configuration error: MEDIA_BUCKET needs R2_ENDPOINT")


def test_production_with_a_media_bucket_keeps_originals_in_it_and_compresses_static_files(run_manage):
    media = {
        "MEDIA_BUCKET": "nuzantara-media",
        "R2_ENDPOINT": "https://account.r2.cloudflarestorage.com",
        "R2_ACCESS_KEY_ID": "key-id",
        "R2_SECRET_ACCESS_KEY": "secret-access-key",
    }
    code = (
        "from django.core.files.storage import storages;"
        "print(type(storages['default']).__name__, storages['default'].bucket_name,"
        " type(storages['staticfiles']).__name__)"
    )

    result = run_manage("shell", "-c", code, env={**PRODUCTION, **media})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "S3Storage",
        "nuzantara-media",
        "CompressedManifestStaticFilesStorage",
    ]


CONCURRENT_WRITERS = """
import threading, time
from django.db import connection, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE concurrent_writers (x INTEGER)")
errors = []


def read_then_write():
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM concurrent_writers")
            time.sleep(0.3)
            cursor.execute("INSERT INTO concurrent_writers VALUES (1)")
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()


threads = [threading.Thread(target=read_then_write) for _ in range(3)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT COUNT(*) FROM concurrent_writers")
    print("rows", cursor.fetchone()[0], "errors", len(errors), errors)
"""


def test_the_embedded_sqlite_database_takes_concurrent_writers_without_database_is_locked(run_manage):
    """Daphne's threads, the golden lookup log's writer and eager Celery tasks write to one SQLite file: a transaction
    that reads and then writes must wait for the other writers, not fail with "database is locked"."""
    result = run_manage("shell", "-c", CONCURRENT_WRITERS, env={"DATABASE_URL": ""})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "rows 3 errors 0 []"
