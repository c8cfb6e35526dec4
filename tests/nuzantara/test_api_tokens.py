"""API tokens: the documented `POST /api/v1/auth/token/` stays; a token ends with a password change, its expiry or a
revoke, and a new one can then be asked for."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
REFUSED = 403  # DRF's answer to failed credentials when session authentication comes first (no WWW-Authenticate)


def token_for(client, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/token/", {"username": "alice", "password": password})
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"token"}
    return response.json()["token"]


def status_with(client, token: str) -> int:
    return client.get("/api/v1/conversations/", HTTP_AUTHORIZATION=f"Token {token}").status_code


def test_a_token_works_and_the_same_one_is_returned_while_it_is_valid(client, user):
    token = token_for(client)

    assert status_with(client, token) == 200
    assert token_for(client) == token


def test_a_password_change_ends_the_token_and_a_new_one_is_issued(client, user):
    token = token_for(client)

    user.set_password("another-horse-battery-staple")
    user.save()

    assert status_with(client, token) == REFUSED
    fresh = token_for(client, "another-horse-battery-staple")
    assert fresh != token and status_with(client, fresh) == 200


def test_a_password_change_on_the_web_page_ends_the_token(client, user):
    token = token_for(client)
    client.force_login(user)

    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "another-horse-b4ttery", "new_password2": "another-horse-b4ttery"},
    )

    assert response.status_code == 302
    client.logout()
    assert status_with(client, token) == REFUSED


def test_signing_in_on_the_web_keeps_the_token(client, user):
    token = token_for(client)

    signed_in = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})  # saves last_login

    assert signed_in.status_code == 302
    client.logout()

    assert status_with(client, token) == 200


def test_an_expired_token_is_refused_and_replaced_on_the_next_request(client, user, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    token = token_for(client)
    Token.objects.filter(key=token).update(created=timezone.now() - datetime.timedelta(days=30, minutes=1))

    response = client.get("/api/v1/conversations/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == REFUSED
    assert "expired" in response.json()["detail"]
    fresh = token_for(client)
    assert fresh != token and status_with(client, fresh) == 200


def test_a_token_within_its_lifetime_is_accepted(client, user, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    token = token_for(client)
    Token.objects.filter(key=token).update(created=timezone.now() - datetime.timedelta(days=29))

    assert status_with(client, token) == 200


def test_a_revoked_token_is_refused(client, user):
    token = token_for(client)

    response = client.post("/api/v1/auth/token/revoke/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 204
    assert status_with(client, token) == REFUSED
    assert client.post("/api/v1/auth/token/revoke/", HTTP_AUTHORIZATION=f"Token {token}").status_code == REFUSED


def test_the_schema_documents_the_token_endpoints(client):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]

    assert set(paths["/api/v1/auth/token/revoke/"]["post"]["responses"]) >= {"204", "403"}
    assert "200" in paths["/api/v1/auth/token/"]["post"]["responses"]
