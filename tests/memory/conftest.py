import pytest
from rest_framework.test import APIClient

from memory.selectors import recall_cache_clear

from .factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_recall_cache():
    """Test databases reuse ids after a rollback: start every test with an empty per-process recall cache."""
    recall_cache_clear()
    yield
    recall_cache_clear()


@pytest.fixture
def other_user(db):
    return UserFactory(username="bob")


@pytest.fixture
def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
