"""Brute-force protection on the three sign-in doors: the web login, the admin login and the API token."""

import datetime

import pytest
from django.test import AsyncClient
from django.utils import timezone
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"
RIGHT = "correct-horse-battery"
LOGINS = ["/accounts/login/", "/admin/login/"]
TOKEN = "/api/v1/auth/token/"


def web_login(client, path: str, username: str, password: str, **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


def token_login(username: str, password: str, **extra):
    return APIClient().post(TOKEN, {"username": username, "password": password}, format="json", **extra)


@pytest.mark.parametrize("path", LOGINS)
def test_thirty_wrong_passwords_on_a_login_page_lock_it_for_a_while(client, staff_user, settings, path):
    statuses = [web_login(client, path, "stafford", WRONG).status_code for _ in range(30)]

    limit = settings.AXES_FAILURE_LIMIT
    assert statuses[: limit - 1] == [200] * (limit - 1)  # the form again, with its usual error
    assert set(statuses[limit - 1 :]) == {429}
    locked = web_login(client, path, "stafford", RIGHT)
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts. Please wait 15 minutes and try again." in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_thirty_wrong_passwords_on_the_token_api_get_429_with_a_json_message(user, settings):
    statuses = [token_login("alice", WRONG).status_code for _ in range(30)]

    limit = settings.AXES_FAILURE_LIMIT
    assert statuses[: limit - 1] == [400] * (limit - 1)
    assert set(statuses[limit - 1 :]) == {429}
    locked = token_login("alice", RIGHT)
    assert locked.status_code == 429
    assert locked.json() == {"detail": "Too many failed sign-in attempts. Please wait 15 minutes and try again."}
    assert int(locked["Retry-After"]) == 15 * 60


def test_a_few_wrong_passwords_do_not_stop_the_right_one(user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        token_login("alice", WRONG)

    assert token_login("alice", RIGHT).status_code == 200


def test_an_account_is_locked_whatever_address_the_guesses_come_from(client, user, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        web_login(client, "/accounts/login/", "alice", WRONG, REMOTE_ADDR=f"203.0.113.{n + 1}")

    assert token_login("alice", RIGHT, REMOTE_ADDR="198.51.100.7").status_code == 429
    assert token_login("bob", WRONG, REMOTE_ADDR="198.51.100.7").status_code == 400  # that address is not locked


def test_an_address_is_locked_whatever_accounts_it_tries(client, user, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        web_login(client, "/accounts/login/", f"guess{n}", WRONG, REMOTE_ADDR="203.0.113.9")

    assert token_login("alice", RIGHT, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert token_login("alice", RIGHT, REMOTE_ADDR="198.51.100.7").status_code == 200  # the account is not locked


def test_the_lock_expires_by_itself_after_the_cool_off(user, settings):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        token_login("alice", WRONG)
    assert token_login("alice", RIGHT).status_code == 429

    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    )

    assert token_login("alice", RIGHT).status_code == 200


def test_guesses_during_the_lock_do_not_extend_it(user, settings):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        token_login("alice", WRONG)
    locked_at = AccessAttempt.objects.get().attempt_time

    for _ in range(5):
        assert token_login("alice", WRONG).status_code == 429

    assert AccessAttempt.objects.get().attempt_time == locked_at


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("id", "Terlalu banyak percobaan masuk yang gagal. Silakan tunggu 15 menit, lalu coba lagi."),
        ("it", "Troppi tentativi di accesso non riusciti. Attendi 15 minuti e riprova."),
    ],
)
def test_the_lockout_message_speaks_the_users_language(client, user, settings, language, message):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        token_login("alice", WRONG)

    api = token_login("alice", RIGHT, HTTP_ACCEPT_LANGUAGE=language)
    page = web_login(client, "/accounts/login/", "alice", RIGHT, HTTP_ACCEPT_LANGUAGE=language)

    assert api.json()["detail"] == message
    assert message in page.content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_lockout_page_is_served_under_asgi_too(user, settings):
    client = AsyncClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        await client.post("/accounts/login/", {"username": "alice", "password": WRONG})

    locked = await client.post("/accounts/login/", {"username": "alice", "password": RIGHT})

    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
