"""Staff in the loop (#16): the handoff API and pages for staff, replies in the client's conversation, mails, the
workflow, curation from messages, and what stays private. The live transports are in test_staff_in_the_loop_live.py."""

import logging

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from chat import selectors, services
from chat.models import Conversation, HandoffRequest, Message
from knowledge.golden.models import GoldenAnswer

pytestmark = pytest.mark.django_db
PHONE = "+62 812 3456 7890"


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # no worker here: the mail tasks run inline after the commit


@pytest.fixture
def handoff(user, eager, django_capture_on_commit_callbacks) -> HandoffRequest:
    """Alice asked about her KITAS, then for a person, in Indonesian."""
    conversation = Conversation.objects.create(user=user, title="KITAS", language="id")
    Message.objects.create(conversation=conversation, role="user", content="Berapa biaya perpanjangan KITAS?")
    Message.objects.create(
        conversation=conversation,
        role="assistant",
        source="llm",
        content="Biayanya IDR 3.000.000 [1].",
        sources=[{"n": 1, "document_id": None, "title": "x", "source": "y", "chunk_id": None, "score": 1}],
    )
    ask = Message.objects.create(conversation=conversation, role="user", content="Saya mau bicara dengan konsultan")
    with django_capture_on_commit_callbacks(execute=True):
        request, created = services.handoff_request_create(user=user, conversation=conversation, message=ask)
    assert created
    return request


@pytest.fixture
def staff(client, staff_user):
    staff_user.first_name, staff_user.last_name, staff_user.email = "Dewi", "Lestari", "dewi@example.com"
    staff_user.save()
    client.force_login(staff_user)
    return client


def test_the_open_requests_are_listed_for_staff_with_exactly_the_documented_fields(staff, handoff):
    body = staff.get("/api/v1/handoffs/", {"status": "open"}).json()

    assert [set(row) for row in body["results"]] == [
        {"id", "conversation_id", "status", "preferred_contact", "preferred_time", "assigned_to", "created_at"}
    ]
    assert body["results"][0]["conversation_id"] == handoff.conversation_id
    assert staff.get("/api/v1/handoffs/", {"status": "resolved"}).json()["results"] == []
    assert staff.get("/api/v1/handoffs/", {"status": "closed"}).status_code == 400


def test_a_staff_reply_appears_in_the_owners_conversation_with_role_staff_and_the_consultants_name(
    staff, handoff, user, client_factory
):
    response = staff.post(f"/api/v1/handoffs/{handoff.pk}/replies/", {"text": "Halo, saya Dewi."}, "application/json")

    owner = client_factory(user)
    messages = owner.get(f"/api/v1/conversations/{handoff.conversation_id}/messages/").json()["results"]
    assert response.status_code == 201
    assert (messages[-1]["role"], messages[-1]["author"], messages[-1]["content"]) == (
        "staff",
        "Dewi Lestari",
        "Halo, saya Dewi.",
    )
    assert all(m["author"] is None for m in messages[:-1])
    handoff.refresh_from_db()
    assert handoff.status == "waiting" and handoff.first_reply_at is not None
    assert handoff.assigned_to_id == response.wsgi_request.user.pk


def test_the_client_page_shows_the_reply_without_feedback_buttons_and_the_sidebar_marks_it_unread(
    staff, handoff, user, client_factory
):
    staff.post(f"/api/v1/handoffs/{handoff.pk}/replies/", {"text": "Halo!"}, "application/json")
    other = Conversation.objects.create(user=user, title="Other")
    owner = client_factory(user)

    elsewhere = owner.get(f"/c/{other.pk}/").content.decode()
    page = owner.get(f"/c/{handoff.conversation_id}/").content.decode()
    afterwards = owner.get(f"/c/{other.pk}/").content.decode()

    assert f'class=" unread" data-id="{handoff.conversation_id}"' in elsewhere
    assert '<article class="message staff"' in page and "Dewi Lestari" in page
    staff_article = page.split('<article class="message staff"')[1].split("</article>")[0]
    assert "feedback" not in staff_article and "regenerate" not in staff_article
    assert "unread" not in afterwards.split(f'data-id="{handoff.conversation_id}"')[0].rsplit("<li", 1)[1]


def test_a_reply_to_a_resolved_request_is_refused_and_an_empty_one_is_a_400(staff, handoff):
    assert staff.post(f"/api/v1/handoffs/{handoff.pk}/replies/", {"text": " "}, "application/json").status_code == 400
    staff.patch(f"/api/v1/handoffs/{handoff.pk}/", {"status": "resolved"}, "application/json")

    refused = staff.post(f"/api/v1/handoffs/{handoff.pk}/replies/", {"text": "Hi"}, "application/json")

    assert refused.status_code == 409 and refused.json()["code"] == "resolved"


def test_patch_moves_the_request_and_assigns_it_to_a_staff_user_only(staff, handoff, staff_user, user):
    assigned = staff.patch(f"/api/v1/handoffs/{handoff.pk}/", {"assigned_to": staff_user.pk}, "application/json")
    waiting = staff.patch(f"/api/v1/handoffs/{handoff.pk}/", {"status": "waiting"}, "application/json")
    client_as_assignee = staff.patch(f"/api/v1/handoffs/{handoff.pk}/", {"assigned_to": user.pk}, "application/json")
    unknown = staff.patch(f"/api/v1/handoffs/{handoff.pk}/", {"status": "contacted"}, "application/json")

    assert (assigned.json()["status"], assigned.json()["assigned_to"]) == ("assigned", staff_user.pk)
    assert waiting.json()["status"] == "waiting"
    assert client_as_assignee.status_code == 400 and client_as_assignee.json()["code"] == "invalid_assignee"
    assert unknown.status_code == 400


def test_resolving_tells_the_client_in_their_language_and_a_later_request_opens_a_new_one(staff, handoff, user):
    staff.patch(f"/api/v1/handoffs/{handoff.pk}/", {"status": "resolved"}, "application/json")
    ask = Message.objects.create(conversation=handoff.conversation, role="user", content="konsultan lagi")

    again, created = services.handoff_request_create(user=user, conversation=handoff.conversation, message=ask)

    notice = Message.objects.filter(conversation=handoff.conversation, role="assistant").last()
    assert notice.source == "handoff" and f"Permintaan #{handoff.pk}" in notice.content
    assert created and again.pk != handoff.pk


def test_a_new_request_is_mailed_to_the_staff_on_duty_in_the_clients_language(
    django_user_model, user, eager, django_capture_on_commit_callbacks
):
    on_duty = django_user_model.objects.create_user("wayan", "wayan@example.com", "x", is_staff=True)
    django_user_model.objects.create_user("off", "off@example.com", "x", is_staff=True)
    on_duty.groups.add(Group.objects.get(name="handoff"))
    conversation = Conversation.objects.create(user=user, language="it")
    Message.objects.create(conversation=conversation, role="user", content="Quanto costa il KITAS?")
    ask = Message.objects.create(conversation=conversation, role="user", content="Voglio parlare con una persona")

    with django_capture_on_commit_callbacks(execute=True):
        request, _ = services.handoff_request_create(user=user, conversation=conversation, message=ask)

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["wayan@example.com"]
    assert f"richiesta n. {request.pk}" in sent.subject
    assert "Quanto costa il KITAS?" in sent.body and f"/staff/handoffs/{request.pk}/" in sent.body


def test_with_nobody_on_duty_all_active_staff_are_mailed(staff, handoff, django_user_model):
    django_user_model.objects.create_user("a", "a@example.com", "x", is_staff=True)
    django_user_model.objects.create_user("b", "b@example.com", "x", is_staff=True, is_active=False)
    django_user_model.objects.create_user("c", "c@example.com", "x")

    assert [m.to for m in mail.outbox] == [["dewi@example.com"]]  # the request of the fixture
    assert services.handoff_staff_recipients() == ["a@example.com", "dewi@example.com"]


def test_replies_are_mailed_once_per_batch_to_a_client_away_for_15_minutes(staff, handoff, user, settings):
    from chat import live

    user.email = "alice@example.com"
    user.save()
    live.socket_opened(user.pk)
    staff.post(f"/api/v1/handoffs/{handoff.pk}/replies/", {"text": "Halo!"}, "application/json")
    staff.post(f"/api/v1/handoffs/{handoff.pk}/replies/", {"text": "Sudah beres."}, "application/json")
    mail.outbox.clear()
    assert services.staff_replies_mail_due() == 0  # the chat is open
    live.socket_closed(user.pk)
    settings.HANDOFF_CLIENT_AWAY_MINUTES = 0  # as if the 15 minutes had passed

    sent = services.staff_replies_mail_due()
    again = services.staff_replies_mail_due()

    assert (sent, again) == (1, 0)
    assert mail.outbox[0].to == ["alice@example.com"] and "Sudah beres." in mail.outbox[0].body
    assert "Halo!" in mail.outbox[0].body


def test_in_the_prompt_a_staff_reply_is_an_assistant_turn_that_starts_with_the_consultants_name(staff, handoff):
    staff.post(f"/api/v1/handoffs/{handoff.pk}/replies/", {"text": "Saya cek dulu."}, "application/json")
    later = Message.objects.create(conversation=handoff.conversation, role="user", content="Terima kasih")

    turns = selectors.conversation_turns(conversation=handoff.conversation, before_id=later.pk + 1)

    assert turns[-2] == ("assistant", "Dewi Lestari (consultant): Saya cek dulu.")


def test_a_staff_user_saves_an_answer_as_a_draft_golden_answer_prefilled_from_the_conversation(staff, handoff):
    from knowledge.models import Collection, Document

    collection = Collection.objects.create(slug="visa", name="Visa")
    document = Document.objects.create(collection=collection, title="KITAS fees", source="Imigrasi")
    answer = Message.objects.filter(conversation=handoff.conversation, role="assistant").first()
    answer.sources = [{"n": 1, "document_id": document.pk, "title": "KITAS fees", "source": "Imigrasi"}]
    answer.save()

    response = staff.post(f"/api/v1/messages/{answer.pk}/golden-answer/", {}, "application/json")
    question = staff.post(f"/api/v1/messages/{handoff.message_id}/golden-answer/", {}, "application/json")

    golden = GoldenAnswer.objects.get(pk=response.json()["id"])
    assert response.status_code == 201 and golden.status == "draft" and golden.language == "id"
    assert (golden.question, golden.answer) == ("Berapa biaya perpanjangan KITAS?", "Biayanya IDR 3.000.000 [1].")
    assert list(golden.source_documents.values_list("pk", flat=True)) == [document.pk]
    assert question.status_code == 400  # a client's own message is not an answer
    page = staff.get(f"/staff/handoffs/{handoff.pk}/").content.decode()
    assert "Save as golden answer" in page and "Berapa biaya perpanjangan KITAS?</textarea>" in page


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/handoffs/"),
        ("get", "/api/v1/handoffs/{id}/"),
        ("patch", "/api/v1/handoffs/{id}/"),
        ("post", "/api/v1/handoffs/{id}/replies/"),
        ("post", "/api/v1/messages/{message}/golden-answer/"),
        ("get", "/staff/handoffs/"),
        ("get", "/staff/handoffs/{id}/"),
        ("get", "/staff/handoffs/rows/{id}/html"),
    ],
)
def test_non_staff_get_403_on_the_inbox_and_the_staff_endpoints(client, user, handoff, method, url):
    client.force_login(user)  # the conversation's own client is not staff either
    url = url.format(id=handoff.pk, message=handoff.message_id)

    response = getattr(client, method)(url, {"text": "x", "status": "resolved"}, content_type="application/json")

    assert response.status_code == 403
    assert not Message.objects.filter(role="staff").exists()
    handoff.refresh_from_db()
    assert handoff.status == "open"


def test_another_client_cannot_read_the_staff_reply(staff, handoff, django_user_model, client_factory):
    staff.post(f"/api/v1/handoffs/{handoff.pk}/replies/", {"text": "Halo!"}, "application/json")
    bob = client_factory(django_user_model.objects.create_user("bob", password="x"))
    reply = Message.objects.get(role="staff")

    assert bob.get(f"/api/v1/conversations/{handoff.conversation_id}/messages/").status_code == 404
    assert bob.get(f"/chat/messages/{reply.pk}/html").status_code == 404


def test_deleting_the_conversation_deletes_its_requests_and_replies(staff, handoff, user, client_factory):
    staff.post(f"/api/v1/handoffs/{handoff.pk}/replies/", {"text": "Halo!"}, "application/json")

    assert client_factory(user).delete(f"/api/v1/conversations/{handoff.conversation_id}/").status_code == 204

    assert not HandoffRequest.objects.exists() and not Message.objects.filter(role="staff").exists()


def test_contact_details_never_reach_the_logs(staff, user, eager, caplog, django_capture_on_commit_callbacks):
    user.email = "alice@example.com"
    user.save()
    conversation = Conversation.objects.create(user=user, language="en")
    ask = Message.objects.create(conversation=conversation, role="user", content="a human please")
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        request, _ = services.handoff_request_create(user=user, conversation=conversation, message=ask)
    services.handoff_details_update(request=request, contact=f"WhatsApp: {PHONE}", time="tomorrow morning")
    staff.post(f"/api/v1/handoffs/{request.pk}/replies/", {"text": f"I will call {PHONE}"}, "application/json")
    staff.get("/staff/handoffs/")

    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "handoff request opened" in logged
    assert PHONE not in logged and "alice@example.com" not in logged and "I will call" not in logged


@pytest.fixture
def client_factory():
    from django.test import Client

    def signed_in(who) -> Client:  # noqa: ANN001
        client = Client()
        client.force_login(who)
        return client

    return signed_in


@pytest.fixture
def curator(staff, staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    return staff


def test_the_admin_filters_requests_and_reports_the_time_to_first_reply_per_day(curator, handoff, staff_user):
    curator.post(f"/api/v1/handoffs/{handoff.pk}/replies/", {"text": "Halo"}, "application/json")

    listed = curator.get("/admin/chat/handoffrequest/", {"status": "waiting", "language": "id"})
    filtered_out = curator.get("/admin/chat/handoffrequest/", {"status": "open"})
    by_assignee = curator.get("/admin/chat/handoffrequest/", {"assigned_to__id__exact": staff_user.pk})
    report = curator.get("/admin/chat/handoffrequest/first-reply/").content.decode()

    assert listed.status_code == 200 and f"/admin/chat/handoffrequest/{handoff.pk}/change/" in listed.content.decode()
    assert f"/admin/chat/handoffrequest/{handoff.pk}/change/" not in filtered_out.content.decode()
    assert f"/admin/chat/handoffrequest/{handoff.pk}/change/" in by_assignee.content.decode()
    row = report.split('id="handoff-first-reply"')[1].split("</tbody>")[0]
    assert "<td>1</td><td>1</td><td>0.0</td>" in row  # one request, answered, within the minute


def test_resolving_in_the_admin_tells_the_client_too(curator, handoff):
    response = curator.post(
        f"/admin/chat/handoffrequest/{handoff.pk}/change/",
        {"status": "resolved", "assigned_to": "", "preferred_contact": "", "preferred_time": ""},
    )

    handoff.refresh_from_db()
    assert response.status_code == 302 and handoff.status == "resolved" and handoff.resolved_at is not None
    assert Message.objects.filter(conversation=handoff.conversation, source="handoff", role="assistant").exists()


def test_the_message_admin_saves_answers_as_golden_answers(curator, handoff):
    answer = Message.objects.filter(conversation=handoff.conversation, role="assistant").first()

    curator.post(
        "/admin/chat/message/", {"action": "save_as_golden_answer", "_selected_action": [answer.pk, handoff.message_id]}
    )

    assert list(GoldenAnswer.objects.values_list("question", "status")) == [
        ("Berapa biaya perpanjangan KITAS?", "draft")
    ]


def test_an_export_names_the_consultant(staff, handoff, user, client_factory):
    staff.post(f"/api/v1/handoffs/{handoff.pk}/replies/", {"text": "Halo!"}, "application/json")

    markdown = client_factory(user).get(f"/api/v1/conversations/{handoff.conversation_id}/export/?type=md")

    assert "## Dewi Lestari" in markdown.content.decode()


def test_the_data_migration_maps_contacted_to_assigned_and_closed_to_resolved(handoff, user):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("chat.migrations.0005_staff_in_the_loop")
    second = HandoffRequest.objects.create(user=user, conversation=handoff.conversation, message=handoff.message)
    HandoffRequest.objects.filter(pk=handoff.pk).update(status="contacted")
    HandoffRequest.objects.filter(pk=second.pk).update(status="closed", language="")

    migration.statuses_forward(apps, None)

    assert dict(HandoffRequest.objects.values_list("pk", "status")) == {handoff.pk: "assigned", second.pk: "resolved"}
    assert HandoffRequest.objects.get(pk=second.pk).language == "id"  # the conversation's
    assert Group.objects.filter(name="handoff").exists()
