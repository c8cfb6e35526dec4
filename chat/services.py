import re

from django.db import transaction
from django.http import Http404

from . import selectors
from .models import Conversation, HandoffRequest, Message

MAX_MESSAGE_CHARS = 4000
MAX_TITLE_CHARS = 200


class ChatInputError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL and unpaired surrogates: no database can store them


def message_text_validate(text: object) -> str:
    """The cleaned message text, or ChatInputError before anything is saved (empty, unstorable, too long)."""
    if not isinstance(text, str) or not text.strip():
        raise ChatInputError("invalid_message", "The message is empty: write a question.")
    if _UNSTORABLE.search(text):
        raise ChatInputError(
            "invalid_message",
            "The message contains a character that cannot be stored (a NUL or an unpaired surrogate): remove it and resend.",
        )
    text = text.strip()
    if len(text) > MAX_MESSAGE_CHARS:
        raise ChatInputError(
            "message_too_long", f"The message is {len(text)} characters; the limit is {MAX_MESSAGE_CHARS}."
        )
    return text


def conversation_create(*, user, title: str = "") -> Conversation:
    return Conversation.objects.create(user=user, title=title[:MAX_TITLE_CHARS])


def conversation_rename(*, conversation: Conversation, title: str) -> Conversation:
    conversation.title = title.strip()[:MAX_TITLE_CHARS]
    conversation.save(update_fields=["title", "updated_at"])
    return conversation


@transaction.atomic
def conversation_delete(*, conversation: Conversation) -> None:
    from knowledge.golden.services import golden_lookups_erase
    from memory.services import conversation_summary_delete

    # The summary and the golden lookup log hold the conversation's content too.
    golden_lookups_erase(conversation_id=conversation.pk)
    conversation_summary_delete(conversation_id=conversation.pk)
    conversation.delete()


def conversation_auto_title(text: str) -> str:
    """The title a conversation gets from its first question."""
    return text[:60] + ("…" if len(text) > 60 else "")


@transaction.atomic
def user_message_save(*, conversation: Conversation, text: str, language: str) -> Message:
    message = Message.objects.create(
        conversation=conversation, role=Message.Role.USER, content=text, source=Message.Source.USER
    )
    changed = ["updated_at"]
    if not conversation.title:
        conversation.title = conversation_auto_title(text)
        changed.append("title")
    if conversation.language != language:
        conversation.language = language
        changed.append("language")
    conversation.save(update_fields=changed)
    return message


def conversation_answer_replace(*, conversation: Conversation) -> tuple[Message, list[Message]]:
    """Mark the last answer replaced before it is regenerated: its question, and the answers now replaced.

    ChatInputError("nothing_to_regenerate") when the last question has no answer. Call under the conversation's lock.
    """
    question, answers = selectors.conversation_last_question(conversation=conversation)
    if question is None or not answers:
        raise ChatInputError("nothing_to_regenerate", "There is no answer to regenerate: ask a question first.")
    Message.objects.filter(pk__in=[a.pk for a in answers]).update(replaced=True)
    return question, answers


def conversation_question_replace(*, conversation: Conversation, message_id: object) -> list[Message]:
    """Mark the user's last question and its answers replaced before its edited version is asked; the replaced ones.

    Http404 for a message that is not in the conversation; ChatInputError("not_editable") for one that is not the last
    question. Call under the conversation's lock.
    """
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise Http404("No such message.")
    message = Message.objects.filter(pk=message_id, conversation=conversation).first()
    if message is None:
        raise Http404("No such message.")
    question, answers = selectors.conversation_last_question(conversation=conversation)
    if message.role != Message.Role.USER or message.replaced or question is None or question.pk != message.pk:
        raise ChatInputError("not_editable", "Only your last question can be edited.")
    replaced = [question, *answers]
    Message.objects.filter(pk__in=[m.pk for m in replaced]).update(replaced=True)
    first = not Message.objects.filter(
        conversation=conversation, role=Message.Role.USER, replaced=False, id__lt=question.pk
    ).exists()
    if first and conversation.title == conversation_auto_title(question.content):
        conversation.title = ""  # the title came from this question: the edited one gives it anew (a rename stays)
    return replaced


def message_feedback_set(*, message: Message, value: int, comment: str = "") -> Message:
    if message.role != Message.Role.ASSISTANT:
        raise ChatInputError("invalid_feedback", "Feedback is for ZANTARA's answers only.")
    if value not in (1, -1):
        raise ChatInputError("invalid_feedback", "Feedback must be 1 (thumbs up) or -1 (thumbs down).")
    message.feedback = value
    message.feedback_comment = comment.strip()[:2000]
    message.save(update_fields=["feedback", "feedback_comment"])
    return message


def handoff_request_create(*, user, conversation: Conversation, message: Message) -> tuple[HandoffRequest, bool]:
    """The conversation's open request, or a new one: asking again never opens a second request. (request, created)"""
    open_request = handoff_request_open(conversation=conversation)
    if open_request is not None:
        return open_request, False
    return HandoffRequest.objects.create(user=user, conversation=conversation, message=message), True


def handoff_request_open(*, conversation: Conversation) -> HandoffRequest | None:
    return conversation.handoff_requests.exclude(status=HandoffRequest.Status.CLOSED).order_by("-created_at").first()


def handoff_details_update(*, request: HandoffRequest, contact: str, time: str) -> HandoffRequest:
    """Fill in how and when the client wants to be reached; a later detail replaces an earlier one."""
    fields = []
    if contact:
        request.preferred_contact, fields = contact, [*fields, "preferred_contact"]
    if time:
        request.preferred_time, fields = time, [*fields, "preferred_time"]
    if fields:
        request.save(update_fields=fields)
    return request
