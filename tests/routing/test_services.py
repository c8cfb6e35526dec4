import logging
import threading

import pytest

from routing.dataset import InvalidQuery
from routing.models import RouteDecision
from routing.registry import LABELS
from routing.services import ALTERNATIVES, query_hash, route_decision_correct, route_query

from .factories import RouteDecisionFactory

pytestmark = pytest.mark.django_db


def test_route_query_picks_a_registry_tool_with_runners_up(router_dir):
    prediction = route_query(query="how do I extend my KITAS", log=False)

    assert prediction.tool == "visa"
    assert 0.0 < prediction.confidence <= 1.0
    assert len(prediction.alternatives) == ALTERNATIVES
    assert all(tool in LABELS and tool != prediction.tool for tool, _ in prediction.alternatives)
    assert all(p <= prediction.confidence for _, p in prediction.alternatives)
    assert prediction.latency_ms > 0
    assert prediction.model_version.startswith("t5-")


def test_a_decision_below_the_minimum_confidence_is_marked_abstained(router_dir, settings):
    settings.ROUTER_MIN_CONFIDENCE = 1.0

    prediction = route_query(query="how do I extend my KITAS", log=False)

    assert prediction.abstained
    assert prediction.tool == "visa"  # the best guess is still given


def test_without_a_checkpoint_the_router_abstains_and_logs_how_to_train_once(no_router, caplog):
    with caplog.at_level(logging.WARNING, logger="routing.engine"):
        first = route_query(query="hello", log=False)
        route_query(query="hello again", log=False)

    assert (first.tool, first.confidence, first.abstained, first.alternatives) == ("", 0.0, True, [])
    assert first.model_version == ""
    hints = [r for r in caplog.records if "manage.py train_router" in r.getMessage()]
    assert len(hints) == 1


def test_a_corrupt_checkpoint_makes_the_router_abstain(tmp_path, settings, tiny_checkpoint):
    import shutil

    from routing.engine import router_problem, router_reset

    broken = tmp_path / "broken"
    shutil.copytree(tiny_checkpoint, broken)
    (broken / "model.safetensors").write_bytes(b"not a safetensors file")
    settings.ROUTER_MODEL_DIR = broken
    router_reset()

    prediction = route_query(query="hello", log=False)

    assert prediction.abstained and prediction.tool == ""
    assert "cannot be loaded" in router_problem()
    router_reset()


def test_a_checkpoint_written_after_start_is_picked_up_without_restart(no_router, tiny_checkpoint):
    import shutil

    assert route_query(query="hello", log=False).tool == ""

    shutil.copytree(tiny_checkpoint, no_router)

    assert route_query(query="hello", log=False).tool in LABELS


@pytest.mark.parametrize("query", ["", "  ", "x" * 2001])
def test_invalid_queries_raise_before_routing(router_dir, query):
    with pytest.raises(InvalidQuery):
        route_query(query=query)

    assert not RouteDecision.objects.exists()


def test_a_routed_query_is_logged_by_hash_not_by_text(router_dir):
    prediction = route_query(query="  berapa pajak penghasilan  ")

    decision = RouteDecision.objects.get()
    assert decision.query_hash == query_hash("berapa pajak penghasilan")
    assert decision.query_text == ""
    assert (decision.tool, decision.confidence, decision.abstained) == (
        prediction.tool,
        prediction.confidence,
        prediction.abstained,
    )
    assert decision.model_version == prediction.model_version
    assert decision.latency_ms == prediction.latency_ms


def test_log_false_records_nothing(router_dir):
    route_query(query="hello", log=False)

    assert not RouteDecision.objects.exists()


def test_decisions_are_logged_even_without_a_checkpoint(no_router):
    route_query(query="hello")

    decision = RouteDecision.objects.get()
    assert (decision.tool, decision.abstained, decision.model_version) == ("", True, "")


def test_concurrent_threads_share_one_router_and_all_get_valid_tools(router_dir):
    from routing.engine import router_get

    results: list[str] = []
    routers: set[int] = set()

    def work(query: str) -> None:
        routers.add(id(router_get()))
        results.append(route_query(query=query, log=False).tool)

    threads = [threading.Thread(target=work, args=(f"visa question number {i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 8 and set(results) <= set(LABELS)
    assert len(routers) == 1


def test_a_correction_stores_the_text_and_the_right_tool(staff_user):
    decision = RouteDecisionFactory(query="berapa biaya jasa kalian", tool="tax")

    route_decision_correct(
        decision=decision, tool="pricing", query_text="berapa biaya jasa kalian", corrected_by=staff_user
    )

    decision.refresh_from_db()
    assert (decision.corrected_tool, decision.query_text, decision.corrected_by) == (
        "pricing",
        "berapa biaya jasa kalian",
        staff_user,
    )
    assert decision.corrected_at is not None
    assert decision.is_correct is False


def test_a_correction_with_text_of_another_query_is_refused(staff_user):
    from django.core.exceptions import ValidationError

    decision = RouteDecisionFactory(query="berapa biaya jasa kalian")

    with pytest.raises(ValidationError, match="does not match"):
        route_decision_correct(decision=decision, tool="pricing", query_text="something else", corrected_by=staff_user)

    decision.refresh_from_db()
    assert decision.corrected_tool == "" and decision.query_text == ""


def test_a_correction_to_an_unknown_tool_is_refused(staff_user):
    from django.core.exceptions import ValidationError

    decision = RouteDecisionFactory(query="hi")

    with pytest.raises(ValidationError, match="unknown tool"):
        route_decision_correct(decision=decision, tool="weather", query_text="hi", corrected_by=staff_user)
