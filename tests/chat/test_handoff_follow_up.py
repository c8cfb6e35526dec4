"""A follow-up in an open handoff request says how and when to reach the client: it fills the request, in English,
Indonesian and Italian, and never opens a second request for the conversation."""

import asyncio

import pytest

from chat import services
from chat.handoff import contact_details
from chat.models import Conversation, HandoffRequest, Message
from chat.pipeline.run import answer_events

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("text", "contact", "time"),
    [
        ("WhatsApp please: +62 812 3456 7890", "WhatsApp: +62 812 3456 7890", ""),
        ("email saya ana.putri@example.co.id, besok pagi ya", "Email: ana.putri@example.co.id", "besok pagi"),
        ("chiamatemi domani mattina al +39 333 1234567", "Phone call: +39 333 1234567", "domani mattina"),
        ("call me tomorrow morning", "Phone call", "tomorrow morning"),
        ("WA aja ke 0812-3456-7890 jam 10 pagi", "WhatsApp: 0812-3456-7890", "jam 10 pagi"),
        ("What is the fee for a 2-year KITAS?", "", ""),
    ],
)
def test_the_channel_the_number_or_address_and_the_time_are_read_from_a_message(text, contact, time):
    details = contact_details(text)

    assert (details.contact, details.time) == (contact, time)


def ask(user, conversation_id, text: str) -> list[dict]:
    async def run():
        return [e async for e in answer_events(user=user, conversation_id=conversation_id, text=text)]

    return asyncio.run(run())


@pytest.fixture
def open_request(user, offline, no_router):
    conversation = Conversation.objects.create(user=user, title="Talk to a human")
    message = Message.objects.create(conversation=conversation, role=Message.Role.USER, content="I want a human")
    request, created = services.handoff_request_create(user=user, conversation=conversation, message=message)
    assert created
    return request


@pytest.mark.parametrize(
    ("text", "contact", "time", "reply"),
    [
        ("WhatsApp please: +62 812 3456 7890", "WhatsApp: +62 812 3456 7890", "", "When is a good time"),
        ("telpon saya ke 0812 3456 7890 besok pagi", "Phone call: 0812 3456 7890", "besok pagi", "melalui Phone call"),
        (
            "Preferisco essere contattato con una email: marco@rossi.it",
            "Email: marco@rossi.it",
            "",
            "Quando è il momento",
        ),
    ],
)
def test_a_follow_up_fills_the_open_request_and_opens_no_second_one(user, open_request, text, contact, time, reply):
    events = ask(user, open_request.conversation_id, text)

    open_request.refresh_from_db()
    assert (open_request.preferred_contact, open_request.preferred_time) == (contact, time)
    assert HandoffRequest.objects.filter(conversation_id=open_request.conversation_id).count() == 1
    answer = Message.objects.filter(conversation_id=open_request.conversation_id, role=Message.Role.ASSISTANT).last()
    assert answer.source == Message.Source.HANDOFF and reply in answer.content
    assert events[-1]["type"] == "done"


def test_asking_for_a_human_again_returns_the_open_request(user, open_request):
    message = Message.objects.create(conversation=open_request.conversation, role=Message.Role.USER, content="again")

    again, created = services.handoff_request_create(user=user, conversation=open_request.conversation, message=message)

    assert again.pk == open_request.pk and not created


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("en", "A consultant is on your request"),
        ("id", "Seorang konsultan sedang menangani permintaan"),
        ("it", "Un consulente sta seguendo la tua richiesta"),
    ],
)
def test_the_consultant_note_is_in_the_clients_language_and_stays_out_of_the_prompt(language, note):
    from chat.pipeline.offline import handoff_pending_note, without_handoff_note

    text = "The answer [1].\n\n" + handoff_pending_note(language=language, request_id=7)

    assert note in text and without_handoff_note(text) == "The answer [1]."


def test_a_resolved_request_lets_a_new_one_open(user, open_request):
    open_request.status = HandoffRequest.Status.RESOLVED
    open_request.save()
    message = Message.objects.create(conversation=open_request.conversation, role=Message.Role.USER, content="again")

    _, created = services.handoff_request_create(user=user, conversation=open_request.conversation, message=message)

    assert created


def test_a_question_in_an_open_request_is_still_answered(user, open_request, knowledge_docs):
    ask(user, open_request.conversation_id, "How early should I extend my investor KITAS E28A before it expires?")

    answer = Message.objects.filter(conversation_id=open_request.conversation_id, role=Message.Role.ASSISTANT).last()
    assert answer.source != Message.Source.HANDOFF
    assert HandoffRequest.objects.filter(conversation_id=open_request.conversation_id).count() == 1
    # While the request is open, the answer ends with a line saying a consultant is on it.
    assert answer.content.endswith(f"\n\nA consultant is on your request #{open_request.pk} and will reply here.")
    assert "KITAS" in answer.content
