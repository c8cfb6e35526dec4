"""The server-rendered web chat."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from . import selectors, services
from .models import HandoffRequest, Message
from .rendering import render_answer


def _rendered(message: Message) -> str:
    if message.role == Message.Role.USER:
        return ""
    if message.role == Message.Role.STAFF:  # a person's words: Markdown, no citations
        return render_answer(message.content)
    url = reverse("source", args=[message.conversation_id, message.pk, 99999]).replace("99999", "{n}")
    return render_answer(message.content, citation_url=url, cited=len(message.sources or []))


@require_GET
@login_required
def chat_page(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    conversations = selectors.conversation_list(user=request.user)[:100]
    conversation = selectors.conversation_get_for_user(user=request.user, pk=pk) if pk else None
    messages = list(conversation.messages.all()) if conversation else []
    for message in messages:
        message.html = _rendered(message)
    if conversation:
        services.staff_replies_seen(conversation=conversation)  # on screen now
    attachments = selectors.conversation_attachments(conversation=conversation) if conversation else []
    return render(
        request,
        "chat/chat.html",
        {
            "conversations": conversations,
            "conversation": conversation,
            "messages": messages,
            "unread": selectors.conversation_unread_ids(user=request.user),
            "attachments": attachments,
        },
    )


@require_GET
@login_required
def message_html(request: HttpRequest, pk: int) -> HttpResponse:
    """The sanitized HTML of one answer, fetched by the page when a stream ends."""
    message = selectors.message_get_for_user(user=request.user, pk=pk)
    return render(request, "chat/_message.html", {"message": message, "html": _rendered(message)})


@require_GET
@login_required
def source_page(request: HttpRequest, pk: int, message_id: int, n: int) -> HttpResponse:
    """Citation n of one of the user's answers: the chunk and the document it comes from."""
    message = selectors.message_get_for_user(user=request.user, pk=message_id)
    if message.conversation_id != pk:
        raise Http404("No such source.")
    citation = next((s for s in message.sources or [] if s.get("n") == n), None)
    if citation is None:
        raise Http404("No such source.")
    if citation.get("golden_answer_id"):
        return _curated_source_page(request, message, citation)
    if citation.get("attachment_id"):
        return _attachment_source_page(request, message, citation)
    from knowledge.models import Chunk, Document
    from knowledge.selectors import passage_on_page

    document = Document.objects.filter(pk=citation["document_id"]).select_related("collection").first()
    chunk = Chunk.objects.filter(pk=citation.get("chunk_id"), document_id=citation["document_id"]).first()
    # A PDF's cited passage is shown on its page, highlighted in the text around it.
    on_page = passage_on_page(text=document.body, passage=chunk.text) if chunk and chunk.page else None
    return render(
        request,
        "chat/source.html",
        {"citation": citation, "chunk": chunk, "document": document, "message": message, "on_page": on_page},
    )


def _attachment_source_page(request: HttpRequest, message: Message, citation: dict) -> HttpResponse:
    """A file the user attached to this conversation, cited: the passage, on its page for a PDF."""
    from knowledge.selectors import passage_on_page

    from .models import AttachmentChunk

    chunk = (
        AttachmentChunk.objects.filter(
            pk=citation.get("chunk_id"),
            attachment_id=citation["attachment_id"],
            attachment__conversation_id=message.conversation_id,
        )
        .select_related("attachment")
        .first()
    )
    on_page = passage_on_page(text=chunk.attachment.text, passage=chunk.text) if chunk and chunk.page else None
    return render(
        request,
        "chat/source.html",
        {"citation": citation, "chunk": chunk, "attachment": chunk.attachment if chunk else None,
         "message": message, "on_page": on_page},
    )  # fmt: skip


def _curated_source_page(request: HttpRequest, message: Message, citation: dict) -> HttpResponse:
    """A curated answer cited as a source: the firm's answer as it stands now, and the documents it rests on."""
    from knowledge.golden.models import GoldenAnswer

    golden = (
        GoldenAnswer.objects.filter(pk=citation["golden_answer_id"], status=GoldenAnswer.Status.APPROVED)
        .prefetch_related("source_documents")
        .first()
    )
    html = render_answer(golden.answer) if golden else ""
    return render(
        request,
        "chat/curated_source.html",
        {"citation": citation, "golden": golden, "html": html, "message": message},
    )


def staff_required(view: Callable) -> Callable:
    """Signed-in staff only: anyone else signed in gets 403, as the staff API does (anonymous: the login page)."""

    @wraps(view)
    @login_required
    def checked(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied("Staff only.")
        return view(request, *args, **kwargs)

    return checked


@require_GET
@staff_required
def handoff_inbox(request: HttpRequest) -> HttpResponse:
    """The staff inbox: requests not resolved, the longest waiting first, updated live."""
    return render(request, "chat/handoff_inbox.html", {"requests": selectors.handoff_inbox()})


@require_GET
@staff_required
def handoff_row_html(request: HttpRequest, pk: int) -> HttpResponse:
    """One inbox row, fetched by the inbox page when a request opens or changes; empty once it is resolved."""
    handoff = selectors.handoff_get(pk=pk)
    if handoff.status == HandoffRequest.Status.RESOLVED:
        return HttpResponse("")
    handoff.question = selectors.handoff_question(request=handoff)
    return render(request, "chat/_handoff_row.html", {"r": handoff})


@require_GET
@staff_required
def handoff_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A request with its whole conversation: reply in the thread, assign, resolve, save an answer as golden."""
    handoff = selectors.handoff_get(pk=pk)
    messages = list(handoff.conversation.messages.all())
    for message in messages:
        message.html = _rendered(message)
        if message.role != Message.Role.USER:
            message.prefill = selectors.message_golden_prefill(message=message)
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")
    return render(
        request,
        "chat/handoff.html",
        {"r": handoff, "messages": messages, "statuses": HandoffRequest.Status.choices, "staff": staff},
    )
