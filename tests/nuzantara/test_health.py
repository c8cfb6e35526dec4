import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db


def test_health_is_healthy_with_every_check(client):
    response = client.get("/health")

    assert response.status_code == 200
    body = response.json()
    # a failing optional check (here the router when none is trained, the worker when none runs) says "degraded"
    assert body["status"] == ("degraded" if body.get("reasons") else "healthy")
    assert body["version"] == settings.VERSION
    assert body["uptime_s"] >= 0
    checks = body["checks"]
    assert checks["database"] == "ok"
    assert checks["redis"] == ("ok" if settings.REDIS_URL else "not configured")
    assert checks["chroma"] == "ok"
    assert checks["router"] == "missing" or checks["router"].startswith("ok")
    assert checks["ai"] in {"anthropic", "vllm", "offline"}


@pytest.fixture
def unreachable_database():
    """Point the live connection at a database that cannot be opened, then restore it."""
    original = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-dir/nowhere.sqlite3"
    else:
        connection.settings_dict["HOST"] = "127.0.0.1"
        connection.settings_dict["PORT"] = "1"  # nothing listens on port 1
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(original)


@pytest.mark.django_db(transaction=True)
def test_health_is_unhealthy_with_a_reason_when_the_database_is_down(client, unreachable_database):
    response = client.get("/health")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"] == "error"
    assert body["reasons"]["database"]


def test_health_is_unhealthy_when_configured_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    response = client.get("/health")

    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"
    assert response.json()["checks"]["redis"] == "error"
    assert "redis" in response.json()["reasons"]


def test_ready_answers_200_when_migrations_are_applied(client):
    response = client.get("/ready")

    assert response.status_code == 200
    assert response.json() == {"ready": True}


def test_unknown_url_is_an_html_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_unknown_api_url_is_a_json_404(client):
    response = client.get("/api/v1/no-such-endpoint/")

    assert response.status_code == 404
    assert response.json()["detail"] == "Not found."


def test_home_redirects_to_login_then_login_page_renders(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"csrfmiddlewaretoken" in page.content


def test_favicon_ico_redirects_to_the_svg_icon_every_page_links(client):
    response = client.get("/favicon.ico")
    page = client.get("/accounts/login/")

    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
    assert b'rel="icon"' in page.content and b"img/favicon.svg" in page.content
