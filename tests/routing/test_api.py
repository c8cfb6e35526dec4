import pytest

from routing.models import RouteDecision
from routing.registry import LABELS

pytestmark = pytest.mark.django_db

URL = "/api/v1/route"


@pytest.fixture
def api(client, user):
    client.force_login(user)
    return client


def test_route_answers_the_documented_shape(api, router_dir):
    response = api.post(URL, {"query": "how do I extend my KITAS"}, content_type="application/json")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"tool", "confidence", "abstained", "alternatives", "latency_ms", "model_version"}
    assert body["tool"] in LABELS
    assert all(set(a) == {"tool", "confidence"} and a["tool"] in LABELS for a in body["alternatives"])
    assert isinstance(body["abstained"], bool)
    assert RouteDecision.objects.count() == 1


def test_route_without_a_checkpoint_abstains_with_200(api, no_router):
    response = api.post(URL, {"query": "hello"}, content_type="application/json")

    assert response.status_code == 200
    assert response.json()["abstained"] is True
    assert response.json()["tool"] == ""


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"query": ""}, "blank"),
        ({"query": "   "}, "blank"),
        ({"query": "x" * 2001}, "2000"),
        ({}, "required"),
        ({"query": None}, "null"),
    ],
)
def test_bad_queries_are_a_400_with_a_message(api, no_router, payload, message):
    response = api.post(URL, payload, content_type="application/json")

    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not RouteDecision.objects.exists()


def test_route_needs_an_authenticated_user(client, no_router):
    response = client.post(URL, {"query": "hello"}, content_type="application/json")

    assert response.status_code in {401, 403}


def test_route_accepts_a_token(client, user, no_router):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=user)

    response = client.post(
        URL, {"query": "hello"}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}"
    )

    assert response.status_code == 200
