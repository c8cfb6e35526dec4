import re
from dataclasses import dataclass

import numpy as np
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

    from .models import Attachment, AttachmentChunk

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
    from .models import Attachment

    try:
        return Attachment.objects.get(pk=pk, conversation_id=conversation_id, conversation__user=user)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such attachment.") from None


def conversation_attachments(*, conversation: Conversation) -> QuerySet:
    """The files attached to the conversation that answers can use, oldest first."""
    from .models import Attachment

    return conversation.attachments.filter(status=Attachment.Status.READY).only("id", "name", "pages", "characters")
