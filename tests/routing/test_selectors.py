import pytest

from routing.dataset import Example
from routing.selectors import corrections_as_examples, route_decisions_for_query
from routing.services import route_decision_correct

from .factories import RouteDecisionFactory

pytestmark = pytest.mark.django_db


def _correct(query: str, tool: str, user) -> None:
    decision = RouteDecisionFactory(query=query, tool="visa")
    route_decision_correct(decision=decision, tool=tool, query_text=query, corrected_by=user)


def test_corrections_become_one_example_per_query_with_the_latest_tool(staff_user):
    _correct("quanto costa il KITAS con voi", "tax", staff_user)
    _correct("quanto costa il KITAS con voi", "pricing", staff_user)
    _correct("remember I have two kids", "memory", staff_user)
    RouteDecisionFactory(query="not reviewed")

    examples = corrections_as_examples()

    assert examples == [
        Example(query="quanto costa il KITAS con voi", tool="pricing"),
        Example(query="remember I have two kids", tool="memory"),
    ]


def test_dev_queries_are_never_exported(staff_user):
    _correct("Hello There", "smalltalk", staff_user)

    assert corrections_as_examples(exclude_queries=frozenset({"hello there"})) == []


def test_decisions_are_found_by_the_text_of_their_query():
    decision = RouteDecisionFactory(query="cara perpanjang KITAS")
    RouteDecisionFactory(query="something else")

    assert list(route_decisions_for_query(query=" cara perpanjang KITAS ")) == [decision]
