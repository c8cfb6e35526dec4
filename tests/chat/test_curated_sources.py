"""Curated answers as sources: close to the question but not served, refused by no guard, and backed by a retrieved
source document, a golden answer joins the sources first, cited as "curated answer" with a page that shows it."""

import asyncio

import pytest
from django.urls import reverse

from chat.models import Message
from chat.pipeline.run import answer_events
from knowledge.golden.selectors import golden_answer_lookup
from knowledge.models import Document
from tests.golden.factories import DocumentFactory, GoldenAnswerFactory

pytestmark = pytest.mark.django_db(transaction=True)

EXTEND_ANSWER = "Apply at least 30 days before the permit expires; your PT PMA sponsors the extension."


@pytest.fixture
def near_only(settings, no_router):
    """Nothing is served semantically (only exact questions), anything from 0.30 up may become a source."""
    settings.GOLDEN_THRESHOLD = 0.99
    settings.GOLDEN_MIN_COVERAGE = 0.80
    settings.GOLDEN_SOURCE_THRESHOLD = 0.30
    settings.ANTHROPIC_API_KEY = ""
    settings.VLLM_BASE_URL = ""


@pytest.fixture
def extension_answer(knowledge_docs):
    document = Document.objects.get(title="Extending an investor KITAS (E28A)")
    return GoldenAnswerFactory(
        question="When should I extend my investor KITAS (E28A)?",
        answer=EXTEND_ANSWER,
        variants=["How early do I renew the E28A investor KITAS?"],
        sources=[document],
    )


def ask(user, text: str) -> list[dict]:
    async def run():
        return [e async for e in answer_events(user=user, conversation_id=None, text=text)]

    return asyncio.run(run())


def test_a_close_answer_no_guard_refuses_is_offered_as_a_source_and_a_refused_one_is_not(near_only, knowledge_docs):
    document = Document.objects.get(title="Extending an investor KITAS (E28A)")
    remote = GoldenAnswerFactory(
        question="How do I extend my E33G remote worker KITAS?", answer="Remote worker answer.", sources=[document]
    )
    extension = GoldenAnswerFactory(
        question="When should I extend my investor KITAS (E28A)?", answer=EXTEND_ANSWER, sources=[document]
    )

    result = golden_answer_lookup(query="how do I extend my E28A investor KITAS", log=False)

    assert not result.hit
    near = {answer.golden_answer_id: answer for answer in result.near}
    assert extension.pk in near and near[extension.pk].document_ids == {document.pk}
    assert remote.pk not in near  # the code guard refuses E33G for a question about E28A


def test_curated_answer_is_cited_first_in_the_offline_answer_with_a_page(near_only, extension_answer, user, client):
    events = ask(user, "how do I extend my E28A investor KITAS")

    done = events[-1]
    assert done["type"] == "done" and done["source"] == "offline"
    message = Message.objects.get(pk=done["message_id"])
    curated = [s for s in message.sources if s.get("golden_answer_id")]
    assert [(s["golden_answer_id"], s["document_id"]) for s in curated] == [(extension_answer.pk, None)]
    assert [s["n"] for s in message.sources] == list(range(1, len(message.sources) + 1))
    n = curated[0]["n"]
    assert "30 days before the permit expires" in message.content and f"[{n}]" in message.content  # quoted and cited

    client.force_login(user)
    page = client.get(reverse("source", args=[message.conversation_id, message.pk, n]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Curated answer" in html and "30 days before the permit expires" in html
    assert "Extending an investor KITAS (E28A)" in html  # the document it rests on

    chat = client.get(reverse("conversation", args=[message.conversation_id]))
    assert "Curated answer: When should I extend my investor KITAS (E28A)?" in chat.content.decode()


def test_curated_source_page_is_the_asking_users_only(near_only, extension_answer, user, django_user_model, client):
    events = ask(user, "how do I extend my E28A investor KITAS")
    message = Message.objects.get(pk=events[-1]["message_id"])
    other = django_user_model.objects.create_user(username="mallory", password="correct-horse-battery")

    client.force_login(other)
    n = next(s["n"] for s in message.sources if s.get("golden_answer_id"))
    assert client.get(reverse("source", args=[message.conversation_id, message.pk, n])).status_code == 404


def test_the_model_reads_the_curated_answer_first_and_a_refused_one_never(
    near_only, extension_answer, user, fake_anthropic, settings
):
    document = Document.objects.get(title="Extending an investor KITAS (E28A)")
    GoldenAnswerFactory(
        question="How do I extend my E33G remote worker KITAS?", answer="REMOTE-WORKER-ANSWER", sources=[document]
    )

    events = ask(user, "how do I extend my E28A investor KITAS")

    assert events[-1]["source"] == "llm"
    prompt = [r for r in fake_anthropic.requests if r["body"].get("stream")][-1]["body"]["messages"][-1]["content"]
    assert "[1] Curated answer of the firm: When should I extend my investor KITAS (E28A)?" in prompt
    assert EXTEND_ANSWER in prompt
    assert "REMOTE-WORKER-ANSWER" not in prompt


def test_a_close_answer_whose_documents_were_not_retrieved_stays_out(near_only, knowledge_docs, user):
    unindexed = DocumentFactory(title="A circular that was never indexed")
    GoldenAnswerFactory(
        question="When should I extend my investor KITAS (E28A)?", answer=EXTEND_ANSWER, sources=[unindexed]
    )

    events = ask(user, "how do I extend my E28A investor KITAS")

    message = Message.objects.get(pk=events[-1]["message_id"])
    assert not any(s.get("golden_answer_id") for s in message.sources)
