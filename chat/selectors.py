import re
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from .models import Attachment, Conversation, HandoffRequest, Message


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
    """Earlier (role, text) turns for the prompt: complete or partial answers, oldest first; replaced ones are out.

    The Messages API knows only user and assistant: a consultant's reply is an assistant turn that starts with their
    name. The "a consultant is on it" line that ends answers during a handoff is left out.
    """
    from .pipeline.offline import without_handoff_note

    rows = (
        Message.objects.filter(conversation=conversation, id__lt=before_id, replaced=False)
        .exclude(status=Message.Status.FAILED)
        .exclude(content="")
        .order_by("id")
        .values_list("role", "content", "author_name")
    )
    turns = []
    for role, content, author_name in rows:
        if role == Message.Role.STAFF:
            turns.append((Message.Role.ASSISTANT.value, f"{author_name or 'Consultant'} (consultant): {content}"))
        elif role == Message.Role.ASSISTANT:
            turns.append((role, without_handoff_note(content)))
        else:
            turns.append((role, content))
    return turns


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


def conversation_unread_ids(*, user) -> set[int]:
    """The user's conversations with a consultant's reply they have not seen."""
    return set(
        Message.objects.filter(conversation__user=user, role=Message.Role.STAFF, seen_at__isnull=True).values_list(
            "conversation_id", flat=True
        )
    )


def handoff_list(*, status: str = "", assigned_to: int | None = None, language: str = "") -> QuerySet[HandoffRequest]:
    """Handoff requests, oldest first (the longest waiting on top), filtered by status, assignee and language."""
    requests = HandoffRequest.objects.select_related("conversation", "message", "assigned_to").order_by("created_at")
    if status:
        requests = requests.filter(status=status)
    if assigned_to is not None:
        requests = requests.filter(assigned_to_id=assigned_to)
    if language:
        requests = requests.filter(language=language)
    return requests


def handoff_inbox() -> list[HandoffRequest]:
    """The requests that are not resolved, the longest waiting first, each with its client's question."""
    requests = list(handoff_list().exclude(status=HandoffRequest.Status.RESOLVED)[:200])
    for request in requests:
        request.question = handoff_question(request=request)
    return requests


def handoff_get(*, pk: object) -> HandoffRequest:
    try:
        return HandoffRequest.objects.select_related("conversation", "message", "assigned_to", "user").get(pk=pk)
    except (HandoffRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such handoff request.") from None


def _question_before(*, conversation_id: int, message_id: int) -> str | None:
    """The user's last question (not replaced) before this message of the conversation."""
    return (
        Message.objects.filter(
            conversation_id=conversation_id, role=Message.Role.USER, replaced=False, id__lt=message_id
        )
        .order_by("-id")
        .values_list("content", flat=True)
        .first()
    )


def handoff_question(*, request: HandoffRequest) -> str:
    """The client's question behind a request: their last real question before asking for a person, else the ask."""
    before = _question_before(conversation_id=request.conversation_id, message_id=request.message_id)
    return before or request.message.content


def message_golden_prefill(*, message: Message) -> tuple[str, str, list[int]]:
    """What a golden answer made from an answer or a staff reply starts with: (question, answer, document ids)."""
    from .pipeline.offline import without_handoff_note

    question = _question_before(conversation_id=message.conversation_id, message_id=message.pk) or ""
    documents = [s["document_id"] for s in message.sources or [] if isinstance(s, dict) and s.get("document_id")]
    return question[:500], without_handoff_note(message.content), list(dict.fromkeys(documents))


def handoff_first_reply_daily(*, days: int = 30) -> list[dict]:
    """Per day (UTC): requests opened, requests answered, and the mean time to first reply in minutes."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        HandoffRequest.objects.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(
            opened=Count("id"),
            answered=Count("id", filter=Q(first_reply_at__isnull=False)),
            mean_wait=Avg(F("first_reply_at") - F("created_at"), filter=Q(first_reply_at__isnull=False)),
        )
        .order_by("-day")
    )
    return [
        {**row, "mean_minutes": round(row["mean_wait"].total_seconds() / 60, 1) if row["mean_wait"] else None}
        for row in rows
    ]


@dataclass(frozen=True)
class AttachmentHit:
    attachment_id: int
    chunk_id: int
    name: str
    text: str
    heading_path: str
    page: int | None
    language: str
    score: float


ATTACHMENT_HITS = 3
MAX_ATTACHMENT_CHUNKS = 2000
_WORDS = re.compile(r"\w{3,}")


def attachment_search(*, conversation_id: int, query: str, k: int = ATTACHMENT_HITS) -> list[AttachmentHit]:
    """The chunks of the conversation's own attachments closest to the query (meaning, plus the words they share):
    never another conversation's, and never the knowledge base's."""
    from knowledge.search.embedding import english
    from knowledge.search.hybrid import query_language
    from nuzantara.embeddings import get_embedder

    from .models import AttachmentChunk

    chunks = list(
        AttachmentChunk.objects.filter(
            attachment__conversation_id=conversation_id, attachment__status=Attachment.Status.READY
        )
        .select_related("attachment")
        .only("id", "text", "heading_path", "page", "vectors", "attachment__id", "attachment__name",
              "attachment__language")
        .order_by("attachment_id", "ordinal")[:MAX_ATTACHMENT_CHUNKS]
    )  # fmt: skip
    if not chunks:
        return []
    vector = get_embedder().encode_one(english(query, query_language(query), question=True))
    wanted = {word.casefold() for word in _WORDS.findall(query)}
    hits = []
    for chunk in chunks:
        windows = np.frombuffer(chunk.vectors, dtype=np.float32).reshape(-1, vector.shape[0])
        closeness = float((windows @ vector).max()) if len(windows) else 0.0
        shared = len(wanted & {word.casefold() for word in _WORDS.findall(chunk.text)}) / max(1, len(wanted))
        hits.append(
            AttachmentHit(
                attachment_id=chunk.attachment.pk,
                chunk_id=chunk.pk,
                name=chunk.attachment.name,
                text=chunk.text,
                heading_path=chunk.heading_path,
                page=chunk.page,
                language=chunk.attachment.language,
                score=closeness + 0.5 * shared,
            )
        )
    hits.sort(key=lambda hit: -hit.score)
    return hits[:k]


def attachment_get_for_user(*, user, conversation_id: int, pk: int):  # noqa: ANN201
    """The user's attachment in that conversation, or Http404."""

    try:
        return Attachment.objects.get(pk=pk, conversation_id=conversation_id, conversation__user=user)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such attachment.") from None


def conversation_attachments(*, conversation: Conversation) -> QuerySet:
    """The files attached to the conversation that answers can use, oldest first."""

    return conversation.attachments.filter(status=Attachment.Status.READY).only("id", "name", "pages", "characters")
