"""The server-rendered web chat."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from . import selectors
from .models import Message
from .rendering import render_answer


def _rendered(message: Message) -> str:
    if message.role == Message.Role.USER:
        return ""
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
    attachments = selectors.conversation_attachments(conversation=conversation) if conversation else []
    return render(
        request,
        "chat/chat.html",
        {
            "conversations": conversations,
            "conversation": conversation,
            "messages": messages,
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
