"""Regenerate the last answer and edit the last question: the old messages stay, marked replaced, out of the prompt."""

import pytest
from django.core.cache import cache

from chat import api
from chat.models import Conversation, Message
from tests.chat.test_transports import receive_until_done, sse_events, ws_for
from tests.fakes.llm_servers import Behaviour

pytestmark = pytest.mark.django_db(transaction=True)
QUESTION = "How do I extend my investor KITAS?"


def ask(client, conversation_id: int, text: str):
    return client.post(
        f"/api/v1/conversations/{conversation_id}/messages/", {"message": text}, content_type="application/json"
    )


def regenerate(client, conversation_id: int):
    return client.post(f"/api/v1/conversations/{conversation_id}/regenerate/", content_type="application/json")


def edit(client, conversation_id: int, message_id: int, text: object):
    return client.post(
        f"/api/v1/conversations/{conversation_id}/messages/{message_id}/edit/",
        {"message": text},
        content_type="application/json",
    )


def listed(client, conversation_id: int) -> list[dict]:
    return client.get(f"/api/v1/conversations/{conversation_id}/messages/").json()["results"]


def streamed_requests(server) -> list[dict]:
    """The answer requests the model stand-in got (memory extraction calls it too, without streaming)."""
    return [r["body"] for r in server.requests if r["body"].get("stream")]


@pytest.fixture
def signed_in_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def conversation(user) -> Conversation:
    return Conversation.objects.create(user=user, title="KITAS")


@pytest.fixture
def golden_kitas_answer(settings, knowledge_docs):
    from tests.golden.factories import GoldenAnswerFactory

    settings.GOLDEN_THRESHOLD = 0.60
    settings.GOLDEN_MIN_COVERAGE = 0.80
    return GoldenAnswerFactory(question=QUESTION, answer="The curated answer: apply 30 days before expiry.")


class TestRegenerate:
    def test_regenerate_skips_the_golden_answer_and_keeps_the_old_one_replaced(
        self, signed_in_client, conversation, golden_kitas_answer, no_router, offline
    ):
        first = ask(signed_in_client, conversation.pk, QUESTION).json()

        response = regenerate(signed_in_client, conversation.pk)

        assert first["source"] == "golden"
        assert response.status_code == 201
        body = response.json()
        assert body["role"] == "assistant" and body["source"] == "offline" and body["replaced"] is False
        assert body["content"] and body["content"] != first["content"]
        messages = listed(signed_in_client, conversation.pk)
        assert [(m["role"], m["replaced"]) for m in messages] == [
            ("user", False),
            ("assistant", True),
            ("assistant", False),
        ]
        assert messages[1]["id"] == first["id"] and messages[2]["id"] == body["id"]

    def test_a_regenerated_answer_is_out_of_the_prompt_history(
        self, signed_in_client, conversation, knowledge_docs, no_router, fake_anthropic
    ):
        ask(signed_in_client, conversation.pk, QUESTION)
        fake_anthropic.script(Behaviour(tokens=["The", " second", " answer."]))

        regenerate(signed_in_client, conversation.pk)
        ask(signed_in_client, conversation.pk, "And if I am late?")

        regenerating, follow_up = streamed_requests(fake_anthropic)[-2:]
        assert [m["role"] for m in regenerating["messages"]] == ["user"]  # the question alone, not its old answer
        assert regenerating["messages"][0]["content"].rstrip().endswith(QUESTION)
        history = [(m["role"], m["content"]) for m in follow_up["messages"][:2]]
        assert history == [("user", QUESTION), ("assistant", "The second answer.")]
        assert all("Hello from the model" not in m["content"] for m in follow_up["messages"])

    def test_nothing_to_regenerate_is_409_with_a_message(self, signed_in_client, conversation):
        response = regenerate(signed_in_client, conversation.pk)

        assert response.status_code == 409
        assert response.json() == {
            "detail": "There is no answer to regenerate: ask a question first.",
            "code": "nothing_to_regenerate",
        }
        assert not Message.objects.filter(conversation=conversation).exists()

    def test_regenerating_another_users_conversation_is_404_and_changes_nothing(
        self, signed_in_client, django_user_model
    ):
        theirs = Conversation.objects.create(user=django_user_model.objects.create(username="mallory"))
        Message.objects.create(conversation=theirs, role="user", content="my KITAS")
        answer = Message.objects.create(conversation=theirs, role="assistant", content="Their answer", source="llm")

        response = regenerate(signed_in_client, theirs.pk)

        assert response.status_code == 404
        answer.refresh_from_db()
        assert answer.replaced is False and theirs.messages.count() == 2

    def test_regenerate_counts_against_the_ask_throttle(self, signed_in_client, conversation, monkeypatch, offline):
        cache.clear()
        monkeypatch.setattr(api.AskThrottle, "THROTTLE_RATES", {"ask": "1/min"})
        Message.objects.create(conversation=conversation, role="user", content=QUESTION)
        Message.objects.create(conversation=conversation, role="assistant", content="An answer.", source="offline")

        ask(signed_in_client, conversation.pk, "Hello")
        response = regenerate(signed_in_client, conversation.pk)

        assert response.status_code == 429
        assert conversation.messages.filter(replaced=True).count() == 0
        cache.clear()


def test_an_answer_finished_after_it_was_replaced_stays_replaced(
    user, conversation, no_router, offline, knowledge_docs
):
    from chat.pipeline.run import finish_turn, prepare_turn

    turn = prepare_turn(user=user, conversation_id=conversation.pk, text=QUESTION, started=0)
    Message.objects.filter(pk=turn.assistant_message.pk).update(replaced=True)  # regenerated while it streamed

    finish_turn(turn, content="Late words.", status="complete", source="offline", completion=None, timings={})

    saved = Message.objects.get(pk=turn.assistant_message.pk)
    assert saved.content == "Late words." and saved.replaced is True


def test_the_summary_of_older_turns_leaves_replaced_messages_out(user, conversation, settings):
    from chat.tasks import conversation_summarize
    from memory.selectors import conversation_summary_get

    settings.ANTHROPIC_API_KEY = ""  # the extractive summary
    Message.objects.create(
        conversation=conversation, role="user", content="My company PT Zebra Lestari got its NIB on 3 May 2026.",
        replaced=True,
    )  # fmt: skip
    Message.objects.create(conversation=conversation, role="user", content="My company PT Surya Abadi got its NIB.")
    for n in range(8):
        Message.objects.create(conversation=conversation, role="assistant", content=f"Answer {n}. " + "KITAS " * 200)
        Message.objects.create(conversation=conversation, role="user", content=f"Follow-up question {n}?")

    conversation_summarize(conversation.pk)

    summary = conversation_summary_get(conversation_id=conversation.pk).text
    assert "Surya Abadi" in summary and "Zebra" not in summary


class TestEdit:
    def test_editing_the_last_question_replaces_it_and_its_answer_and_answers_the_new_one(
        self, signed_in_client, conversation, knowledge_docs, no_router, fake_anthropic
    ):
        ask(signed_in_client, conversation.pk, "How do I register an NPWP?")
        question = Message.objects.get(conversation=conversation, role="user")

        response = edit(signed_in_client, conversation.pk, question.pk, QUESTION)

        assert response.status_code == 201
        assert response.json()["role"] == "assistant" and response.json()["replaced"] is False
        messages = listed(signed_in_client, conversation.pk)
        assert [(m["role"], m["content"][:10], m["replaced"]) for m in messages] == [
            ("user", "How do I r", True),
            ("assistant", "Hello from", True),
            ("user", QUESTION[:10], False),
            ("assistant", "Hello from", False),
        ]
        prompt = streamed_requests(fake_anthropic)[-1]["messages"]
        assert (
            len(prompt) == 1 and "register an NPWP" not in prompt[0]["content"]
        )  # the replaced pair is out of the history

    def test_editing_the_first_question_retitles_the_conversation_unless_it_was_renamed(
        self, signed_in_client, user, offline, no_router, knowledge_docs
    ):
        untitled = signed_in_client.post("/api/v1/conversations/", {}, content_type="application/json").json()["id"]
        renamed = Conversation.objects.create(user=user, title="My KITAS file")
        for conversation_id in (untitled, renamed.pk):
            ask(signed_in_client, conversation_id, "How do I register an NPWP?")
            question = Message.objects.get(conversation_id=conversation_id, role="user")
            edit(signed_in_client, conversation_id, question.pk, QUESTION)

        assert Conversation.objects.get(pk=untitled).title == QUESTION
        assert Conversation.objects.get(pk=renamed.pk).title == "My KITAS file"

    def test_only_the_last_question_can_be_edited(self, signed_in_client, conversation):
        first = Message.objects.create(conversation=conversation, role="user", content="First?")
        answer = Message.objects.create(conversation=conversation, role="assistant", content="One.", source="offline")
        Message.objects.create(conversation=conversation, role="user", content="Second?")

        earlier = edit(signed_in_client, conversation.pk, first.pk, "First, edited?")
        not_a_question = edit(signed_in_client, conversation.pk, answer.pk, "An answer edited")

        assert earlier.status_code == 409 and not_a_question.status_code == 409
        assert earlier.json() == {"detail": "Only your last question can be edited.", "code": "not_editable"}
        assert conversation.messages.count() == 3 and not conversation.messages.filter(replaced=True).exists()

    def test_an_empty_edit_is_400_and_replaces_nothing(self, signed_in_client, conversation):
        question = Message.objects.create(conversation=conversation, role="user", content="First?")

        response = edit(signed_in_client, conversation.pk, question.pk, "   ")

        assert response.status_code == 400 and "empty" in response.json()["detail"]
        question.refresh_from_db()
        assert question.replaced is False and conversation.messages.count() == 1

    def test_a_message_of_another_conversation_or_user_is_404(self, signed_in_client, conversation, django_user_model):
        other = Conversation.objects.create(user=conversation.user)
        elsewhere = Message.objects.create(conversation=other, role="user", content="Elsewhere?")
        theirs = Conversation.objects.create(user=django_user_model.objects.create(username="mallory"))
        their_question = Message.objects.create(conversation=theirs, role="user", content="Theirs?")

        wrong_conversation = edit(signed_in_client, conversation.pk, elsewhere.pk, "Edited?")
        their_conversation = edit(signed_in_client, theirs.pk, their_question.pk, "Edited?")

        assert wrong_conversation.status_code == 404 and wrong_conversation.json()["detail"] == "No such message."
        assert their_conversation.status_code == 404
        assert not Message.objects.filter(replaced=True).exists()

    def test_the_schema_documents_regenerate_edit_and_export(self, client):
        schema = client.get("/api/schema/", {"format": "json"}).json()
        paths = schema["paths"]

        assert "409" in paths["/api/v1/conversations/{id}/regenerate/"]["post"]["responses"]
        edit_op = paths["/api/v1/conversations/{id}/messages/{message_id}/edit/"]["post"]
        assert "EditedQuestion" in str(edit_op["requestBody"]) and "409" in edit_op["responses"]
        assert "message" in schema["components"]["schemas"]["EditedQuestion"]["properties"]
        export_op = paths["/api/v1/conversations/{id}/export/"]["get"]
        assert [p["schema"].get("enum") for p in export_op["parameters"] if p["name"] == "type"] == [["md", "pdf"]]


@pytest.mark.asyncio
class TestStreamingTransports:
    async def test_regenerate_over_the_websocket_streams_like_an_ask(
        self, signed_in, user, knowledge_docs, no_router, offline
    ):
        conversation = await Conversation.objects.acreate(user=user)
        question = await Message.objects.acreate(conversation=conversation, role="user", content=QUESTION)
        old = await Message.objects.acreate(conversation=conversation, role="assistant", content="Old.", source="llm")
        communicator = await ws_for(signed_in)

        await communicator.send_json_to({"type": "regenerate", "conversation_id": conversation.pk})
        events = await receive_until_done(communicator)

        assert events[0]["type"] == "start"
        assert events[0]["question_id"] == question.pk and events[0]["replaced"] == [old.pk]
        assert any(e["type"] == "token" for e in events) and events[-1]["type"] == "done"
        new = await Message.objects.aget(pk=events[-1]["message_id"])
        assert new.content and not new.replaced and (await Message.objects.aget(pk=old.pk)).replaced
        await communicator.disconnect()

    async def test_an_edit_over_the_websocket_replaces_the_question(
        self, signed_in, user, knowledge_docs, no_router, offline
    ):
        conversation = await Conversation.objects.acreate(user=user)
        question = await Message.objects.acreate(conversation=conversation, role="user", content="NPWP?")
        old = await Message.objects.acreate(conversation=conversation, role="assistant", content="Old.", source="llm")
        communicator = await ws_for(signed_in)

        await communicator.send_json_to(
            {"type": "ask", "conversation_id": conversation.pk, "message": QUESTION, "edit": question.pk}
        )
        events = await receive_until_done(communicator)

        assert events[0]["type"] == "start" and events[0]["replaced"] == [question.pk, old.pk]
        assert events[-1]["type"] == "done"
        await communicator.disconnect()

    async def test_regenerate_over_sse_streams_the_new_answer(
        self, signed_in, user, knowledge_docs, no_router, offline
    ):
        conversation = await Conversation.objects.acreate(user=user)
        await Message.objects.acreate(conversation=conversation, role="user", content=QUESTION)
        old = await Message.objects.acreate(conversation=conversation, role="assistant", content="Old.", source="llm")

        response = await signed_in.post(
            "/api/v1/chat/stream", {"conversation_id": conversation.pk, "regenerate": True}, "application/json"
        )

        events = await sse_events(response)
        assert [events[0]["type"], events[-1]["type"]] == ["start", "done"]
        assert events[0]["replaced"] == [old.pk] and events[-1]["source"] == "offline"
        assert "".join(e["text"] for e in events if e["type"] == "token").startswith("Apply for the extension")

    async def test_regenerate_over_sse_with_nothing_to_regenerate_is_an_error_event(self, signed_in, user):
        conversation = await Conversation.objects.acreate(user=user)

        response = await signed_in.post(
            "/api/v1/chat/stream", {"conversation_id": conversation.pk, "regenerate": True}, "application/json"
        )

        assert await sse_events(response) == [
            {
                "type": "error",
                "code": "nothing_to_regenerate",
                "message": "There is no answer to regenerate: ask a question first.",
            }
        ]
