import pytest

pytestmark = pytest.mark.django_db


def test_health_reports_the_router_ok_with_its_version(client, router_dir):
    import json

    version = json.loads((router_dir / "metrics.json").read_text())["version"]

    response = client.get("/health")

    assert response.json()["checks"]["router"] == f"ok ({version})"


def test_health_reports_a_missing_router_with_how_to_train_it(client, no_router):
    response = client.get("/health")

    body = response.json()
    assert body["checks"]["router"] == "missing"
    assert "train_router" in body["reasons"]["router"]
    assert response.status_code == 200  # the router is not a required check: the pipeline abstains
