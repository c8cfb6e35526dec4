"""Websocket (Channels communicator), SSE and plain POST: one event vocabulary, auth and isolation."""

import json

import pytest
from channels.testing import WebsocketCommunicator
from django.test import AsyncClient

from chat.models import Conversation, Message
from nuzantara.asgi import application

ORIGIN = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]  # a page of this server


async def ws_for(client: AsyncClient) -> WebsocketCommunicator:
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    communicator = WebsocketCommunicator(application, "/ws/chat/", headers=[*ORIGIN, (b"cookie", cookie)])
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def receive_until_done(communicator: WebsocketCommunicator) -> list[dict]:
    events = []
    while True:
        event = await communicator.receive_json_from(timeout=20)
        events.append(event)
        if event["type"] in {"done", "error"} and (
            event["type"] == "done" or not any(e["type"] == "start" for e in events)
        ):
            return events


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
class TestWebsocket:
    async def test_unauthenticated_socket_is_closed_with_4401(self):
        communicator = WebsocketCommunicator(application, "/ws/chat/", headers=ORIGIN)
        await communicator.connect()

        closed = await communicator.receive_output(timeout=5)

        assert closed == {"type": "websocket.close", "code": 4401}

    async def test_ask_streams_the_event_vocabulary(self, signed_in, knowledge_docs, no_router, offline):
        communicator = await ws_for(signed_in)

        await communicator.send_json_to(
            {"type": "ask", "conversation_id": None, "message": "How do I extend my KITAS?"}
        )
        events = await receive_until_done(communicator)

        assert events[0]["type"] == "start"
        assert events[1]["type"] == "sources"
        assert any(e["type"] == "token" for e in events)
        assert events[-1]["type"] == "done" and events[-1]["source"] == "offline"
        await communicator.disconnect()

    async def test_stop_ends_an_offline_answer_on_screen_and_saves_what_was_shown_as_partial(
        self, signed_in, knowledge_docs, no_router, offline
    ):
        communicator = await ws_for(signed_in)

        await communicator.send_json_to(
            {"type": "ask", "conversation_id": None, "message": "How do I extend my KITAS?"}
        )
        shown = ""
        while (event := await communicator.receive_json_from(timeout=20))["type"] != "token":
            pass
        shown += event["text"]
        await communicator.send_json_to({"type": "stop"})
        while (event := await communicator.receive_json_from(timeout=20))["type"] != "done":
            shown += event.get("text", "")

        assert event["status"] == "partial" and event["source"] == "offline"
        message = await Message.objects.aget(pk=event["message_id"])
        assert message.status == "partial" and message.content == shown
        assert len(shown.split()) < 20  # stopped within a few words, not after the whole answer
        await communicator.disconnect()

    async def test_malformed_json_is_an_error_and_the_connection_stays(self, signed_in, offline, no_router):
        communicator = await ws_for(signed_in)

        await communicator.send_to(text_data="{not json")
        error = await communicator.receive_json_from(timeout=5)
        await communicator.send_json_to({"type": "ask", "conversation_id": None, "message": ""})
        second = await communicator.receive_json_from(timeout=5)

        assert error == {"type": "error", "code": "bad_request", "message": "Messages must be JSON objects."}
        assert second["type"] == "error" and second["code"] == "invalid_message"
        await communicator.disconnect()

    @pytest.mark.parametrize("text", ["\ud800 KITAS", "KITAS \x00"], ids=["lone-surrogate", "nul"])
    async def test_unstorable_text_is_an_error_event_and_creates_no_conversation(self, signed_in, user, text):
        communicator = await ws_for(signed_in)

        await communicator.send_json_to({"type": "ask", "conversation_id": None, "message": text})
        error = await communicator.receive_json_from(timeout=5)

        assert error["type"] == "error" and error["code"] == "invalid_message"
        assert "cannot be stored" in error["message"]
        assert not await Conversation.objects.filter(user=user).aexists()
        await communicator.disconnect()

    async def test_another_users_conversation_is_not_found(self, signed_in, django_user_model, offline):
        other = await django_user_model.objects.acreate(username="mallory")
        theirs = await Conversation.objects.acreate(user=other)
        communicator = await ws_for(signed_in)

        await communicator.send_json_to({"type": "ask", "conversation_id": theirs.pk, "message": "show me"})
        event = await communicator.receive_json_from(timeout=5)

        assert event["type"] == "error" and event["code"] == "not_found"
        assert not await Message.objects.filter(conversation=theirs).aexists()
        await communicator.disconnect()


async def sse_events(response) -> list[dict]:
    body = b"".join([chunk async for chunk in response.streaming_content]).decode()
    return [json.loads(line[5:]) for line in body.splitlines() if line.startswith("data:")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_sse_streams_data_lines_of_the_same_events(signed_in, knowledge_docs, no_router, offline):
    response = await signed_in.post(
        "/api/v1/chat/stream",
        {"conversation_id": None, "message": "NPWP for residents?"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    events = await sse_events(response)
    assert [events[0]["type"], events[-1]["type"]] == ["start", "done"]
    assert events[-1]["source"] == "offline"


@pytest.mark.django_db(transaction=True)
class TestSSEAndPost:
    def test_sse_rejects_an_empty_message_with_400(self, client, user):
        client.force_login(user)

        response = client.post("/api/v1/chat/stream", {"message": " "}, content_type="application/json")

        assert response.status_code == 400
        assert "empty" in response.json()["detail"]

    def test_sse_requires_authentication(self, client):
        response = client.post("/api/v1/chat/stream", {"message": "hi"}, content_type="application/json")

        assert response.status_code in (401, 403)

    def test_sse_into_another_users_conversation_is_404(self, client, user, django_user_model):
        theirs = Conversation.objects.create(user=django_user_model.objects.create(username="eve"))
        client.force_login(user)

        response = client.post(
            "/api/v1/chat/stream", {"conversation_id": theirs.pk, "message": "hi"}, content_type="application/json"
        )

        assert response.status_code == 404

    def test_post_returns_the_complete_assistant_message(self, client, user, knowledge_docs, no_router, offline):
        client.force_login(user)
        conversation = client.post("/api/v1/conversations/", {"title": "KITAS"}, content_type="application/json").json()

        response = client.post(
            f"/api/v1/conversations/{conversation['id']}/messages/",
            {"message": "How do I extend my investor KITAS?"},
            content_type="application/json",
        )

        assert response.status_code == 201
        body = response.json()
        assert body["role"] == "assistant" and body["status"] == "complete" and body["source"] == "offline"
        assert body["sources"][0]["n"] == 1
        listed = client.get(f"/api/v1/conversations/{conversation['id']}/messages/").json()
        assert [m["role"] for m in listed["results"]] == ["user", "assistant"]

    def test_post_rejects_a_too_long_message_and_saves_nothing(self, client, user):
        client.force_login(user)
        conversation = Conversation.objects.create(user=user)

        response = client.post(
            f"/api/v1/conversations/{conversation.pk}/messages/",
            {"message": "x" * 4001},
            content_type="application/json",
        )

        assert response.status_code == 400
        assert "4000" in response.json()["detail"]
        assert not Message.objects.exists()

    @pytest.mark.parametrize(
        "escaped", ["\\u0000", "\\ud800", "\\udfff"], ids=["nul", "high-surrogate", "low-surrogate"]
    )
    def test_post_rejects_unstorable_characters_with_400_and_saves_nothing(self, client, user, escaped):
        client.force_login(user)
        conversation = Conversation.objects.create(user=user)

        response = client.post(
            f"/api/v1/conversations/{conversation.pk}/messages/",
            '{"message": "KITAS ' + escaped + ' extension"}',
            content_type="application/json",
        )

        assert response.status_code == 400
        assert "cannot be stored" in response.json()["detail"]
        assert not Message.objects.exists()

    @pytest.mark.parametrize("body", ['["x"]', '"x"', "5", "null"])
    def test_post_with_a_json_body_that_is_not_an_object_is_400(self, client, user, body):
        client.force_login(user)
        conversation = Conversation.objects.create(user=user)

        response = client.post(
            f"/api/v1/conversations/{conversation.pk}/messages/", body, content_type="application/json"
        )

        assert response.status_code == 400
        assert "object" in response.json()["detail"]
        assert not Message.objects.exists()

    def test_sse_rejects_a_lone_surrogate_before_the_stream_starts(self, client, user):
        client.force_login(user)

        response = client.post(
            "/api/v1/chat/stream",
            '{"conversation_id": null, "message": "\\ud800 KITAS"}',
            content_type="application/json",
        )

        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert not Conversation.objects.exists()

    def test_token_auth_works_for_scripts(self, client, user, offline, no_router):
        token = client.post("/api/v1/auth/token/", {"username": "alice", "password": "correct-horse-battery"}).json()[
            "token"
        ]

        response = client.get("/api/v1/conversations/", HTTP_AUTHORIZATION=f"Token {token}")

        assert response.status_code == 200
        assert response.json()["results"] == []


@pytest.mark.django_db
class TestIsolation:
    @pytest.fixture
    def theirs(self, django_user_model):
        other = django_user_model.objects.create(username="trudy")
        conversation = Conversation.objects.create(user=other, title="secret")
        answer = Message.objects.create(
            conversation=conversation, role="assistant", content="secret answer", source="llm"
        )
        return conversation, answer

    def test_user_cannot_list_read_rename_or_delete_another_users_conversation(self, client, user, theirs):
        conversation, _ = theirs
        client.force_login(user)

        assert client.get("/api/v1/conversations/").json()["results"] == []
        assert client.get(f"/api/v1/conversations/{conversation.pk}/").status_code == 404
        assert client.get(f"/api/v1/conversations/{conversation.pk}/messages/").status_code == 404
        assert (
            client.patch(
                f"/api/v1/conversations/{conversation.pk}/", {"title": "x"}, content_type="application/json"
            ).status_code
            == 404
        )
        assert client.delete(f"/api/v1/conversations/{conversation.pk}/").status_code == 404
        assert client.get(f"/c/{conversation.pk}/").status_code == 404
        conversation.refresh_from_db()
        assert conversation.title == "secret"

    def test_user_cannot_post_into_or_rate_another_users_conversation(self, client, user, theirs):
        conversation, answer = theirs
        client.force_login(user)

        posted = client.post(
            f"/api/v1/conversations/{conversation.pk}/messages/", {"message": "hi"}, content_type="application/json"
        )
        rated = client.post(f"/api/v1/messages/{answer.pk}/feedback/", {"value": -1}, content_type="application/json")

        assert posted.status_code == 404 and rated.status_code == 404
        assert Message.objects.filter(conversation=conversation).count() == 1
        answer.refresh_from_db()
        assert answer.feedback is None

    def test_feedback_on_own_answer_is_saved(self, client, user):
        conversation = Conversation.objects.create(user=user)
        answer = Message.objects.create(conversation=conversation, role="assistant", content="ok", source="llm")
        client.force_login(user)

        response = client.post(
            f"/api/v1/messages/{answer.pk}/feedback/",
            {"value": -1, "comment": "outdated fee"},
            content_type="application/json",
        )

        assert response.status_code == 200
        answer.refresh_from_db()
        assert (answer.feedback, answer.feedback_comment) == (-1, "outdated fee")


@pytest.mark.django_db
class TestConversationSearch:
    def test_search_matches_titles_and_message_text_of_ones_own_conversations_only(
        self, client, user, django_user_model
    ):
        mine = Conversation.objects.create(user=user, title="Villa lease")
        Message.objects.create(conversation=mine, role="user", content="How long can a leasehold run in Bali?")
        titled = Conversation.objects.create(user=user, title="Leasehold questions")
        Conversation.objects.create(user=user, title="KITAS")
        theirs = Conversation.objects.create(user=django_user_model.objects.create(username="eve"), title="Leasehold")
        Message.objects.create(conversation=theirs, role="user", content="leasehold")
        client.force_login(user)

        found = client.get("/api/v1/conversations/", {"search": "LEASEHOLD"}).json()["results"]

        assert {c["id"] for c in found} == {mine.pk, titled.pk}

    def test_archived_conversations_are_listed_apart_and_found_by_search(self, client, user):
        archived = Conversation.objects.create(user=user, title="Old NPWP question", archived=True)
        active = Conversation.objects.create(user=user, title="New")
        client.force_login(user)

        listed = client.get("/api/v1/conversations/").json()["results"]
        only_archived = client.get("/api/v1/conversations/", {"archived": "1"}).json()["results"]
        found = client.get("/api/v1/conversations/", {"search": "npwp"}).json()["results"]

        assert [c["id"] for c in listed] == [active.pk]
        assert [c["id"] for c in only_archived] == [archived.pk]
        assert [c["id"] for c in found] == [archived.pk]

    def test_the_schema_documents_search_and_archived(self, client):
        listing = client.get("/api/schema/", {"format": "json"}).json()["paths"]["/api/v1/conversations/"]["get"]

        assert {p["name"] for p in listing["parameters"]} >= {"search", "archived"}
