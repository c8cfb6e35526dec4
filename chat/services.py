import logging
import re
from pathlib import PurePath

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation

from knowledge.ingest.chunking import chunk_text
from knowledge.ingest.limits import UploadOverLimit, megabytes, upload_limits_check
from knowledge.ingest.parsers import NoTextLayer, RejectedFile, parse_file
from knowledge.search.embedding import ChunkText, embed_chunks

from . import live, selectors
from .models import HANDOFF_STAFF_GROUP, Attachment, AttachmentChunk, Conversation, HandoffRequest, Message

logger = logging.getLogger(__name__)

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
    """The conversation's open request, or a new one: asking again never opens a second request. (request, created)

    A new request is mailed to the staff on duty and shown live in the staff inbox once it is committed.
    """
    open_request = handoff_request_open(conversation=conversation)
    if open_request is not None:
        return open_request, False
    request = HandoffRequest.objects.create(
        user=user, conversation=conversation, message=message, language=conversation.language or "en"
    )
    logger.info("handoff request opened", extra={"handoff_id": request.pk, "conversation_id": conversation.pk})
    transaction.on_commit(lambda: handoff_request_announce(request_id=request.pk))
    return request, True


def handoff_request_open(*, conversation: Conversation) -> HandoffRequest | None:
    """The conversation's request that is not resolved yet, if any."""
    return conversation.handoff_requests.exclude(status=HandoffRequest.Status.RESOLVED).order_by("-created_at").first()


def handoff_details_update(*, request: HandoffRequest, contact: str, time: str) -> HandoffRequest:
    """Fill in how and when the client wants to be reached; a later detail replaces an earlier one."""
    fields = []
    if contact:
        request.preferred_contact, fields = contact, [*fields, "preferred_contact"]
    if time:
        request.preferred_time, fields = time, [*fields, "preferred_time"]
    if fields:
        request.save(update_fields=fields)
        live.group_send(live.INBOX_GROUP, {"type": "handoff.changed", "handoff_id": request.pk})
    return request


def handoff_client_wrote(*, request: HandoffRequest) -> None:
    """The client answered while the request waited on them: it is the consultant's turn again."""
    if request.status == HandoffRequest.Status.WAITING:
        request.status = HandoffRequest.Status.ASSIGNED
        request.save(update_fields=["status"])
        live.group_send(live.INBOX_GROUP, {"type": "handoff.changed", "handoff_id": request.pk})


def staff_display_name(user) -> str:  # noqa: ANN001
    return (user.get_full_name() or user.get_username())[:150]


def handoff_staff_recipients() -> list[str]:
    """The addresses of the staff on duty (active staff in the `handoff` group), or of all active staff if none is."""
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    on_duty = staff.filter(groups__name=HANDOFF_STAFF_GROUP)
    chosen = on_duty if on_duty.exists() else staff
    return sorted(set(chosen.values_list("email", flat=True)))


def handoff_request_announce(*, request_id: int) -> None:
    """A new request: into the live staff inbox, and mailed to the staff on duty (in a task)."""
    from .tasks import handoff_staff_mail

    live.group_send(live.INBOX_GROUP, {"type": "handoff.new", "handoff_id": request_id})
    handoff_staff_mail.delay(request_id)


def handoff_staff_mail_send(*, request: HandoffRequest) -> int:
    """Mail the staff on duty about a new request: the client's question and how to reach them, in the client's
    language, with the link to the conversation in the inbox. The number of recipients."""
    recipients = handoff_staff_recipients()
    if not recipients:
        logger.warning("handoff request not mailed: no active staff with an address", extra={"handoff_id": request.pk})
        return 0
    context = {
        "request": request,
        "question": selectors.handoff_question(request=request),
        "url": f"{settings.SITE_URL}/staff/handoffs/{request.pk}/",
    }
    with translation.override(request.language or "en"):
        subject = " ".join(render_to_string("chat/mail/handoff_new_subject.txt", context).split())
        body = render_to_string("chat/mail/handoff_new.txt", context)
    send_mail(subject, body, None, recipients)
    logger.info("handoff request mailed", extra={"handoff_id": request.pk, "recipients": len(recipients)})
    return len(recipients)


@transaction.atomic
def handoff_reply_create(*, request: HandoffRequest, author, text: object) -> Message:  # noqa: ANN001
    """A consultant's reply in the client's conversation (role `staff`), live in the client's open chat.

    The first reply sets the time to first reply and assigns the request to its author if nobody had it; the request
    then waits on the client. ChatInputError for an empty or too long text, or a resolved request.
    """
    text = message_text_validate(text)
    request = HandoffRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == HandoffRequest.Status.RESOLVED:
        raise ChatInputError("resolved", "This request is resolved: the client must ask for a consultant again.")
    now = timezone.now()
    message = Message.objects.create(
        conversation_id=request.conversation_id,
        role=Message.Role.STAFF,
        source=Message.Source.STAFF,
        content=text,
        author=author,
        author_name=staff_display_name(author),
    )
    request.first_reply_at = request.first_reply_at or now
    request.assigned_to_id = request.assigned_to_id or author.pk
    request.status = HandoffRequest.Status.WAITING
    request.save(update_fields=["first_reply_at", "assigned_to", "status"])
    Conversation.objects.filter(pk=request.conversation_id).update(updated_at=now)
    logger.info("staff reply saved", extra={"handoff_id": request.pk, "message_id": message.pk})
    transaction.on_commit(lambda: _conversation_message_announce(message=message, user_id=request.user_id))
    transaction.on_commit(
        lambda: live.group_send(live.INBOX_GROUP, {"type": "handoff.changed", "handoff_id": request.pk})
    )
    return message


def _conversation_message_announce(*, message: Message, user_id: int) -> None:
    """A message added from outside the client's own asking (a staff reply, a resolution notice): to the client's
    sockets on that conversation, and a notice to their other pages; mailed later if they stay away."""
    from .tasks import staff_replies_mail

    live.group_send(
        live.conversation_group(message.conversation_id),
        {"type": "conversation.message", "conversation_id": message.conversation_id, "message_id": message.pk},
    )
    live.group_send(
        live.user_group(user_id), {"type": "conversation.unread", "conversation_id": message.conversation_id}
    )
    if message.role == Message.Role.STAFF:
        staff_replies_mail.delay()


_UNSET = object()


@transaction.atomic
def handoff_update(*, request: HandoffRequest, status: object = _UNSET, assigned_to: object = _UNSET) -> HandoffRequest:
    """Move a request through open -> assigned -> waiting -> resolved, or (re)assign it to a staff user (None: nobody).

    Resolving tells the client in their conversation. ChatInputError for an unknown status or a non-staff assignee.
    """
    request = HandoffRequest.objects.select_for_update().get(pk=request.pk)
    fields: list[str] = []
    if assigned_to is not _UNSET:
        if (
            assigned_to is not None
            and not get_user_model()
            .objects.filter(pk=getattr(assigned_to, "pk", assigned_to), is_staff=True, is_active=True)
            .exists()
        ):
            raise ChatInputError("invalid_assignee", "assigned_to must be the id of an active staff user, or null.")
        request.assigned_to_id = getattr(assigned_to, "pk", assigned_to)
        fields.append("assigned_to")
        if request.assigned_to_id and status is _UNSET and request.status == HandoffRequest.Status.OPEN:
            status = HandoffRequest.Status.ASSIGNED
    resolving = False
    if status is not _UNSET:
        if status not in HandoffRequest.Status.values:
            raise ChatInputError("invalid_status", f"status must be one of: {', '.join(HandoffRequest.Status.values)}.")
        resolving = status == HandoffRequest.Status.RESOLVED and request.status != status
        if request.status == HandoffRequest.Status.RESOLVED and status != request.status:
            if handoff_request_open(conversation=request.conversation) is not None:
                raise ChatInputError("already_open", "The conversation has another open request: work on that one.")
            request.resolved_at = None
            fields.append("resolved_at")
        request.status = status
        fields.append("status")
    if resolving:
        request.resolved_at = timezone.now()
        fields.append("resolved_at")
    if fields:
        request.save(update_fields=fields)
        logger.info("handoff request updated", extra={"handoff_id": request.pk, "status": request.status})
        transaction.on_commit(
            lambda: live.group_send(live.INBOX_GROUP, {"type": "handoff.changed", "handoff_id": request.pk})
        )
    if resolving:
        _handoff_resolved_tell(request=request)
    return request


def _handoff_resolved_tell(*, request: HandoffRequest) -> None:
    from .pipeline.offline import handoff_resolved_notice

    notice = Message.objects.create(
        conversation_id=request.conversation_id,
        role=Message.Role.ASSISTANT,
        source=Message.Source.HANDOFF,
        tool="handoff",
        content=handoff_resolved_notice(language=request.language or "en", request_id=request.pk),
    )
    Conversation.objects.filter(pk=request.conversation_id).update(updated_at=timezone.now())
    transaction.on_commit(lambda: _conversation_message_announce(message=notice, user_id=request.user_id))


def staff_replies_seen(*, conversation: Conversation, message_ids: list[int] | None = None) -> int:
    """The client has seen the staff replies of a conversation (all, or these): no unread mark, no mail for them."""
    replies = Message.objects.filter(conversation=conversation, role=Message.Role.STAFF, seen_at__isnull=True)
    if message_ids is not None:
        replies = replies.filter(pk__in=message_ids)
    return replies.update(seen_at=timezone.now())


def staff_replies_mail_due() -> int:
    """Mail each client who has had no chat open for HANDOFF_CLIENT_AWAY_MINUTES the staff replies they have not seen
    nor been mailed: one mail per conversation and batch of replies. The number of mails sent."""
    from django.core.cache import cache

    away = settings.HANDOFF_CLIENT_AWAY_MINUTES * 60
    pending = (
        Message.objects.filter(role=Message.Role.STAFF, seen_at__isnull=True, mailed_at__isnull=True)
        .exclude(conversation__user__email="")
        .select_related("conversation__user")
        .order_by("conversation_id", "id")
    )
    batches: dict[int, list[Message]] = {}
    for reply in pending:
        batches.setdefault(reply.conversation_id, []).append(reply)
    sent = 0
    for replies in batches.values():
        conversation = replies[0].conversation
        client = conversation.user
        if live.client_away_seconds(client.pk) < away:
            continue
        # One mail per conversation per away period, however many sweeps and processes run.
        if not cache.add(f"staff-replies-mail:{conversation.pk}", 1, timeout=away):
            continue
        context = {
            "conversation": conversation,
            "replies": replies,
            "url": f"{settings.SITE_URL}/c/{conversation.pk}/",
        }
        with translation.override(conversation.language or "en"):
            subject = " ".join(render_to_string("chat/mail/staff_replies_subject.txt", context).split())
            body = render_to_string("chat/mail/staff_replies.txt", context)
        send_mail(subject, body, None, [client.email])
        Message.objects.filter(pk__in=[r.pk for r in replies]).update(mailed_at=timezone.now())
        logger.info("staff replies mailed", extra={"conversation_id": conversation.pk, "replies": len(replies)})
        sent += 1
    return sent


def message_golden_answer_create(*, message: Message, user, question: str = "", answer: str = ""):  # noqa: ANN001, ANN201
    """A draft golden answer in the review queue from an answer or a staff reply: the question is the client's message
    before it, the answer the reply (without the "a consultant is on it" line), the sources its citations; `question`
    and `answer` replace the pre-filled ones. ChatInputError for a client's own message or invalid texts."""
    from knowledge.golden.services import GoldenAnswerError, golden_answer_create

    if message.role not in (Message.Role.ASSISTANT, Message.Role.STAFF):
        raise ChatInputError("not_an_answer", "Only an answer or a consultant's reply can become a golden answer.")
    prefilled_question, prefilled_answer, documents = selectors.message_golden_prefill(message=message)
    language = message.conversation.language if message.conversation.language in ("en", "id", "it") else "en"
    try:
        return golden_answer_create(
            question=question or prefilled_question,
            answer=answer or prefilled_answer,
            language=language,
            tool=message.tool if message.role == Message.Role.ASSISTANT else "",
            source_document_ids=documents,
            created_by=user,
            review_reason=f"Saved from conversation #{message.conversation_id}, message #{message.pk}",
        )
    except GoldenAnswerError as exc:
        raise ChatInputError("invalid_golden_answer", str(exc)) from None


# Attachments ---------------------------------------------------------------------------------------------------------

ATTACHMENT_FORMATS = {".pdf": "pdf", ".docx": "docx", ".txt": "txt"}
IMAGE_FORMATS = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".tif", ".tiff", ".bmp", ".heic"}
_NAME_UNSAFE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff/\\]")
NO_TEXT_LAYER = (
    "has no text layer (a scan or a photo?): ZANTARA cannot read text from images. Attach a PDF or Word document "
    "with text, or copy the passage into your question."
)


class AttachmentRefused(ValueError):
    """An attachment that is not kept: `status` is the HTTP status to answer (413, 415, 422), `code` says why."""

    def __init__(self, code: str, message: str, *, status: int = 422, limit: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.limit = limit


def attachment_format(name: str) -> str:
    """ "pdf", "docx", "txt" or "image" from the file's name; AttachmentRefused (415) for anything else."""
    suffix = PurePath(name).suffix.lower()
    if suffix in ATTACHMENT_FORMATS:
        return ATTACHMENT_FORMATS[suffix]
    if suffix in IMAGE_FORMATS:
        return "image"
    supported = ", ".join(sorted({*ATTACHMENT_FORMATS, ".png", ".jpg", ".webp"}))
    raise AttachmentRefused(
        "unsupported_type", f"Files of type {suffix or '(none)'} cannot be attached; attach {supported}.", status=415
    )


def attachment_name_clean(name: str) -> str:
    cleaned = _NAME_UNSAFE.sub("", PurePath(str(name).replace("\\", "/")).name).strip()
    return cleaned[-255:] or "attachment"


def attachment_check(*, name: str, size: int) -> str:
    """The attachment's kind if its type and size are accepted, else AttachmentRefused (415, 413)."""
    kind = attachment_format(name)
    if size > settings.CHAT_ATTACHMENT_MAX_BYTES:
        raise AttachmentRefused(
            "too_large",
            f"The file is {megabytes(size)}; attachments can be up to {megabytes(settings.CHAT_ATTACHMENT_MAX_BYTES)}.",
            status=413,
            limit="CHAT_ATTACHMENT_MAX_BYTES",
        )
    return kind


def attachment_upload(*, conversation: Conversation, name: str, raw: bytes) -> Attachment:
    """Store a file attached to the conversation and have a worker read it (chat.tasks.attachment_read), waiting up to
    CHAT_ATTACHMENT_WAIT_SECONDS for it: the attachment, ready (or still pending if the worker is slow).

    Raises AttachmentRefused before anything is stored for a wrong type (415), a file over a limit (413) or a broken
    container; after reading, for a file without text (`no_text_layer`) or unreadable (422): the refused file is not kept.
    """
    from .tasks import attachment_read_task

    name = attachment_name_clean(name)
    kind = attachment_check(name=name, size=len(raw))
    if not raw:
        raise AttachmentRefused("empty", "The file is empty.")
    try:
        if kind == "image":
            _image_check(name, raw)  # an image has no text layer: refused at once, nothing to queue
        upload_limits_check(name, raw)  # the staff uploads' unpacking and page limits, before anything is stored
    except NoTextLayer:
        raise AttachmentRefused("no_text_layer", f"{name} {NO_TEXT_LAYER}") from None
    except UploadOverLimit as exc:
        raise AttachmentRefused("over_limit", exc.reason, status=413, limit=exc.limit) from None
    except RejectedFile as exc:
        raise AttachmentRefused("unreadable", f"{name}: {exc.reason}") from None
    attachment = Attachment.objects.create(
        conversation=conversation, name=name, file_format=kind, size=len(raw), raw=raw
    )
    result = attachment_read_task.delay(attachment.pk)
    try:
        result.get(timeout=settings.CHAT_ATTACHMENT_WAIT_SECONDS, propagate=False)
    except Exception as exc:  # noqa: BLE001 - a slow or unreachable worker: the attachment stays pending, read later
        logger.warning("attachment not read yet", extra={"attachment_id": attachment.pk, "error": type(exc).__name__})
    attachment.refresh_from_db()
    if attachment.status == Attachment.Status.FAILED:
        code, message = attachment.error_code, attachment.error
        attachment.delete()
        raise AttachmentRefused(code or "unreadable", message, status=413 if code == "over_limit" else 422)
    return attachment


_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")


def _image_check(name: str, raw: bytes) -> None:
    is_webp = raw[:4] == b"RIFF" and raw[8:12] == b"WEBP"
    is_heic = raw[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1")
    if not (raw.startswith(_IMAGE_SIGNATURES) or is_webp or is_heic):
        raise RejectedFile(name, "the file is not an image of a known kind")
    raise NoTextLayer(name, NO_TEXT_LAYER)  # no OCR engine installs here without downloading its models at run time


def attachment_read(*, attachment_id: int) -> Attachment | None:
    """Read a pending attachment: its text, cut into chunks (with their PDF pages) and embedded for search in its
    conversation only; the stored file is dropped. A file that cannot be read is marked failed with a message."""
    attachment = Attachment.objects.filter(pk=attachment_id, status=Attachment.Status.PENDING).first()
    if attachment is None:
        return None  # deleted with its conversation meanwhile, or already read
    name = attachment.name
    try:
        raw = bytes(attachment.raw)
        parsed = parse_file(name=name, raw=raw)
        text = _UNSTORABLE.sub("", parsed.text)
        drafts = chunk_text(
            text,
            max_tokens=settings.KNOWLEDGE_CHUNK_TOKENS,
            overlap=settings.KNOWLEDGE_CHUNK_OVERLAP,
            paged=parsed.file_format == "pdf",
        )
        if not drafts:
            raise RejectedFile(name, "no text could be extracted from the file")
        vectors, owners = embed_chunks(
            [ChunkText(name, d.heading_path, d.text, parsed.language) for d in drafts], progress=False
        )
    except NoTextLayer:
        return _attachment_failed(attachment, "no_text_layer", f"{name} {NO_TEXT_LAYER}")
    except UploadOverLimit as exc:
        return _attachment_failed(attachment, "over_limit", f"{name}: {exc.reason}")
    except RejectedFile as exc:
        return _attachment_failed(attachment, "unreadable", f"{name}: {exc.reason}")
    except Exception:
        logger.exception("attachment could not be read", extra={"attachment_id": attachment.pk})
        return _attachment_failed(
            attachment, "internal", f"{name} could not be read: something went wrong on our side."
        )
    owners_array = np.asarray(owners)
    with transaction.atomic():
        AttachmentChunk.objects.bulk_create(
            AttachmentChunk(
                attachment=attachment,
                ordinal=d.ordinal,
                text=d.text,
                heading_path=d.heading_path,
                page=d.page,
                vectors=np.asarray(vectors[owners_array == i], dtype=np.float32).tobytes(),
            )
            for i, d in enumerate(drafts)
        )
        attachment.text = text
        attachment.language = parsed.language
        attachment.pages = parsed.pages
        attachment.characters = len(text.replace("\f", ""))
        attachment.status = Attachment.Status.READY
        attachment.raw = b""
        attachment.save()
    logger.info(
        "attachment read",
        extra={
            "attachment_id": attachment.pk,
            "chunks": len(drafts),
            "pages": parsed.pages,
            "format": parsed.file_format,
        },
    )
    return attachment


def _attachment_failed(attachment: Attachment, code: str, message: str) -> Attachment:
    logger.info("attachment refused", extra={"attachment_id": attachment.pk, "code": code})
    attachment.status = attachment.Status.FAILED
    attachment.error_code = code
    attachment.error = message[:500]
    attachment.raw = b""
    attachment.save(update_fields=["status", "error_code", "error", "raw"])
    return attachment
