from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Conversation, Message


def conversation_list(*, user, search: str = "", archived: bool = False) -> QuerySet[Conversation]:
    """The user's conversations, newest first; `search` matches the title or any message's text (archived ones too)."""
    conversations = Conversation.objects.filter(user=user)
    search = " ".join(search.split())[:200]
    if search:
        matching = Message.objects.filter(conversation__user=user, content__icontains=search).values("conversation_id")
        return conversations.filter(Q(title__icontains=search) | Q(pk__in=matching))
    return conversations.filter(archived=archived)


def conversation_get_for_user(*, user, pk: int) -> Conversation:
    """The user's own conversation, or Http404: another user's conversation does not exist for them."""
    try:
        return Conversation.objects.get(pk=pk, user=user)
    except (Conversation.DoesNotExist, ValueError, TypeError):
        raise Http404("No such conversation.") from None


def message_get_for_user(*, user, pk: int) -> Message:
    try:
        return Message.objects.select_related("conversation").get(pk=pk, conversation__user=user)
    except (Message.DoesNotExist, ValueError, TypeError):
        raise Http404("No such message.") from None


def conversation_turns(*, conversation: Conversation, before_id: int) -> list[tuple[str, str]]:
    """Earlier (role, text) turns for the prompt: complete or partial answers, oldest first; replaced ones are out."""
    rows = (
        Message.objects.filter(conversation=conversation, id__lt=before_id, replaced=False)
        .exclude(status=Message.Status.FAILED)
        .exclude(content="")
        .order_by("id")
        .values_list("role", "content")
    )
    return list(rows)


def conversation_last_question(*, conversation: Conversation) -> tuple[Message | None, list[Message]]:
    """The conversation's last question that is not replaced, and the answers given to it since (not replaced)."""
    question = (
        Message.objects.filter(conversation=conversation, role=Message.Role.USER, replaced=False)
        .order_by("-id")
        .first()
    )
    if question is None:
        return None, []
    answers = Message.objects.filter(
        conversation=conversation, role=Message.Role.ASSISTANT, replaced=False, id__gt=question.pk
    ).order_by("id")
    return question, list(answers)
