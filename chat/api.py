"""The DRF API under /api/v1/ and the SSE stream. Views translate HTTP to the pipeline and back, nothing else."""

import json
import logging
from collections.abc import AsyncIterator

from asgiref.sync import async_to_sync, sync_to_async
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import APIException, NotAuthenticated, Throttled, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from knowledge.golden.api import GoldenAnswerOutput
from nuzantara.api_tokens import api_token_issue, api_token_revoke
from nuzantara.login_throttle import lockout_response

from . import export, selectors, services
from .models import Conversation, HandoffRequest, Message
from .pipeline import events
from .pipeline.run import answer_events, regenerate_events

logger = logging.getLogger(__name__)


class AuthToken(ObtainAuthToken):
    """POST {"username", "password"} -> {"token"}; 429 with a message while the address or the account is locked out."""

    @extend_schema(
        request=inline_serializer(
            "TokenInput", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses={
            200: inline_serializer("TokenOutput", {"token": serializers.CharField()}),
            400: inline_serializer(
                "TokenRefused",
                {"non_field_errors": serializers.ListField(child=serializers.CharField(), required=False)},
            ),
            429: inline_serializer("TokenLockedOut", {"detail": serializers.CharField()}),
        },
    )
    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            # django-axes flags the request it was given, here DRF's: its middleware only sees Django's.
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)
            raise
        token = api_token_issue(user=serializer.validated_data["user"])  # a new one once the old one expired
        return Response({"token": token.key})


class AuthTokenRevoke(APIView):
    """POST (signed in with the token): the token stops working at once; 204."""

    @extend_schema(
        request=None,
        responses={
            204: None,
            403: inline_serializer("TokenRevokeRefused", {"detail": serializers.CharField()}),
        },
    )
    def post(self, request: Request) -> Response:
        api_token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MessageOutput(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id", "conversation", "role", "author", "content", "status", "source", "model", "tool",
            "route_confidence", "sources", "tokens_in", "tokens_out", "tokens_cache_read", "cost_usd", "timings",
            "feedback", "feedback_comment", "replaced", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="A staff reply's consultant; else null."))
    def get_author(self, message: Message) -> str | None:
        return message.author_name or None if message.role == Message.Role.STAFF else None


class ConversationOutput(serializers.ModelSerializer):
    class Meta:
        model = Conversation
        fields = ["id", "title", "language", "archived", "created_at", "updated_at"]
        read_only_fields = ["id", "language", "created_at", "updated_at"]


class AskThrottle(UserRateThrottle):
    """Asking costs model time: its own, lower per-user rate (API_THROTTLE_ASK)."""

    scope = "ask"


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter(
                "search", str, description="Only conversations whose title or messages contain this text."
            ),
            OpenApiParameter("archived", str, enum=["1", "true"], description="List the archived conversations."),
        ]
    )
)
class ConversationListCreate(generics.ListCreateAPIView):
    serializer_class = ConversationOutput

    def get_queryset(self):  # noqa: ANN201
        params = self.request.query_params
        return selectors.conversation_list(
            user=self.request.user, search=params.get("search", ""), archived=params.get("archived") in ("1", "true")
        )

    def perform_create(self, serializer: ConversationOutput) -> None:
        serializer.instance = services.conversation_create(
            user=self.request.user, title=serializer.validated_data.get("title", "")
        )


class ConversationDetail(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = ConversationOutput
    http_method_names = ["get", "patch", "put", "delete"]

    def get_object(self) -> Conversation:
        return selectors.conversation_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def perform_update(self, serializer: ConversationOutput) -> None:
        conversation = serializer.instance
        if "title" in serializer.validated_data:
            services.conversation_rename(conversation=conversation, title=serializer.validated_data["title"])
        if "archived" in serializer.validated_data:
            conversation.archived = serializer.validated_data["archived"]
            conversation.save(update_fields=["archived", "updated_at"])

    def perform_destroy(self, instance: Conversation) -> None:
        services.conversation_delete(conversation=instance)


async def _collect(stream: AsyncIterator[events.Event]) -> list[events.Event]:
    return [event async for event in stream]


class ErrorEvent(APIException):
    def __init__(self, event: events.Event, status_code: int) -> None:
        self.status_code = status_code
        super().__init__(detail={"detail": event["message"], "code": event["code"]})


ERROR_STATUS = {
    "not_found": 404,
    "invalid_message": 400,
    "message_too_long": 400,
    "nothing_to_regenerate": 409,
    "not_editable": 409,
}
ANSWER_ERRORS = {
    400: inline_serializer("AskRefused", {"detail": serializers.CharField(), "code": serializers.CharField()}),
    404: inline_serializer("NotFound", {"detail": serializers.CharField()}),
}


def _answer_response(stream: AsyncIterator[events.Event]) -> Response:
    """Run an answer to its end: 201 with the assistant message, or the status of an error before it started."""
    collected = async_to_sync(_collect)(stream)
    for event in collected:
        if event["type"] == "error" and not any(e["type"] == "start" for e in collected):
            raise ErrorEvent(event, ERROR_STATUS.get(event["code"], 500))
    done = next(e for e in collected if e["type"] == "done")
    message = Message.objects.get(pk=done["message_id"])
    return Response(MessageOutput(message).data, status=status.HTTP_201_CREATED)


class AskThrottled(APIView):
    """A view whose POST makes the model answer: the ask rate applies on top of the general one."""

    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES]
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS  # so the schema documents the page, as get() returns it

    def get_throttles(self) -> list:
        throttles = super().get_throttles()
        return [*throttles, AskThrottle()] if self.request.method == "POST" else throttles


class ConversationMessages(AskThrottled):
    """GET: the conversation's messages (paginated). POST {"message"}: ask, 201 with the complete assistant message."""

    @extend_schema(responses={200: MessageOutput(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        conversation = selectors.conversation_get_for_user(user=request.user, pk=pk)
        paginator = api_settings.DEFAULT_PAGINATION_CLASS()
        page = paginator.paginate_queryset(conversation.messages.all(), request, view=self)
        return paginator.get_paginated_response(MessageOutput(page, many=True).data)

    @extend_schema(
        request=inline_serializer("Ask", {"message": serializers.CharField(max_length=4000)}),
        responses={201: MessageOutput},
    )
    def post(self, request: Request, pk: int) -> Response:
        selectors.conversation_get_for_user(user=request.user, pk=pk)  # 404 before any work
        if not isinstance(request.data, dict):
            return Response(
                {"detail": 'The body must be a JSON object: {"message"}.', "code": "invalid_body"}, status=400
            )
        return _answer_response(answer_events(user=request.user, conversation_id=pk, text=request.data.get("message")))


class ConversationRegenerate(AskThrottled):
    """POST: a new answer to the last question, by the model (never the curated answer); the old one stays, replaced."""

    @extend_schema(
        request=None,
        responses={
            201: MessageOutput,
            **ANSWER_ERRORS,
            409: inline_serializer(
                "NothingToRegenerate", {"detail": serializers.CharField(), "code": serializers.CharField()}
            ),
        },
        description="201 with the new assistant message. The answers it replaces keep `replaced: true` in the message "
        "list and leave the prompt history. 409 `nothing_to_regenerate` when the last question has no answer.",
    )
    def post(self, request: Request, pk: int) -> Response:
        selectors.conversation_get_for_user(user=request.user, pk=pk)  # 404 before any work
        return _answer_response(regenerate_events(user=request.user, conversation_id=pk))


class MessageEdit(AskThrottled):
    """POST {"message"}: the user's last question, edited and asked again; the old question and its answers stay,
    replaced."""

    @extend_schema(
        request=inline_serializer("EditedQuestion", {"message": serializers.CharField(max_length=4000)}),
        responses={
            201: MessageOutput,
            **ANSWER_ERRORS,
            409: inline_serializer("NotEditable", {"detail": serializers.CharField(), "code": serializers.CharField()}),
        },
        description="201 with the assistant message answering the edited question. The old question and its answers "
        "keep `replaced: true` in the message list and leave the prompt history. 409 `not_editable` for a message "
        'that is not the last question. Over a websocket: `{"type": "ask", ..., "edit": MESSAGE_ID}`; over SSE: '
        '`{"conversation_id", "message", "edit": MESSAGE_ID}`.',
    )
    def post(self, request: Request, pk: int, message_id: int) -> Response:
        selectors.conversation_get_for_user(user=request.user, pk=pk)  # 404 before any work
        if not isinstance(request.data, dict):
            return Response(
                {"detail": 'The body must be a JSON object: {"message"}.', "code": "invalid_body"}, status=400
            )
        stream = answer_events(
            user=request.user, conversation_id=pk, text=request.data.get("message"), edit_of=message_id
        )
        return _answer_response(stream)


class ConversationExport(APIView):
    """GET ?type=md|pdf: the conversation as a file to download (replaced messages left out)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "type", str, enum=list(export.EXPORT_TYPES), required=True, description="md (Markdown) or pdf."
            )
        ],
        responses={
            (200, "text/markdown"): OpenApiTypes.STR,
            (200, "application/pdf"): OpenApiTypes.BINARY,
            400: inline_serializer("ExportRefused", {"detail": serializers.CharField()}),
            404: inline_serializer("ExportNotFound", {"detail": serializers.CharField()}),
        },
        description="Each turn with its role and time, each answer's citations (title, publisher and collection, "
        "link to the citation page). Sent with `Content-Disposition: attachment`.",
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        conversation = selectors.conversation_get_for_user(user=request.user, pk=pk)
        kind = request.query_params.get("type", "")
        if kind not in export.EXPORT_TYPES:
            return Response({"detail": "Choose the file type: ?type=md (Markdown) or ?type=pdf."}, status=400)

        def citation_url(message: Message, n: int) -> str:
            return request.build_absolute_uri(reverse("source", args=[conversation.pk, message.pk, n]))

        turns = export.conversation_export_turns(conversation=conversation, citation_url=citation_url)
        if kind == "md":
            body: str | bytes = export.conversation_markdown(conversation=conversation, turns=turns)
        else:
            body = export.conversation_pdf(conversation=conversation, turns=turns)
        response = HttpResponse(body, content_type=export.CONTENT_TYPES[kind])
        filename = f"zantara-{slugify(conversation.title)[:60] or conversation.pk}.{kind}"
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
        return response


class AttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    pages = serializers.IntegerField(allow_null=True, help_text="A PDF's page count; null for other files.")
    characters = serializers.IntegerField(help_text="Characters of text read (0 while a busy worker still reads it).")


class AttachmentRefusedOutput(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False, help_text="too_large, over_limit, unsupported_type, no_text_layer...")
    limit = serializers.CharField(required=False, help_text="The setting whose limit the file is over (413).")


class ConversationAttachments(AskThrottled):
    """POST multipart `file`: attach a PDF, DOCX, TXT or image to the conversation, read for its answers only."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
        responses={
            201: AttachmentOutput,
            400: inline_serializer("AttachmentMissing", {"detail": serializers.CharField()}),
            413: AttachmentRefusedOutput,
            415: AttachmentRefusedOutput,
            422: AttachmentRefusedOutput,
        },
        description="201 once the file is read: its text is searched for this conversation's answers only, never "
        "added to the knowledge base, and deleted with the conversation. 413 over 10 MB or over the page, paragraph "
        "and unpacking limits of staff uploads (`limit` names the setting); 415 for a type other than PDF, DOCX, TXT "
        "or an image; 422 `no_text_layer` for a scan or an image without text (no OCR here), `unreadable` for a "
        "broken file.",
    )
    def post(self, request: Request, pk: int) -> Response:
        conversation = selectors.conversation_get_for_user(user=request.user, pk=pk)  # 404 before any work
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"detail": "Send the file as the multipart field `file`."}, status=400)
        try:
            services.attachment_check(name=upload.name or "", size=upload.size)  # before the file is read
            attachment = services.attachment_upload(
                conversation=conversation, name=upload.name or "", raw=upload.read()
            )
        except services.AttachmentRefused as exc:
            body = {"detail": exc.message, "code": exc.code} | ({"limit": exc.limit} if exc.limit else {})
            return Response(body, status=exc.status)
        return Response(
            {
                "id": attachment.pk,
                "name": attachment.name,
                "pages": attachment.pages,
                "characters": attachment.characters,
            },
            status=status.HTTP_201_CREATED,
        )


class MessageFeedback(APIView):
    class FeedbackInput(serializers.Serializer):
        value = serializers.ChoiceField(choices=[1, -1])
        comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    @extend_schema(request=FeedbackInput, responses={200: MessageOutput})
    def post(self, request: Request, pk: int) -> Response:
        data = self.FeedbackInput(data=request.data)
        data.is_valid(raise_exception=True)
        message = selectors.message_get_for_user(user=request.user, pk=pk)
        try:
            services.message_feedback_set(message=message, **data.validated_data)
        except services.ChatInputError as exc:
            return Response({"detail": exc.message, "code": exc.code}, status=400)
        return Response(MessageOutput(message).data)


def _authenticate(request: HttpRequest) -> Request:
    """Run DRF's authentication (session with CSRF, or token) and the ask throttle on a plain Django request."""
    view = APIView()
    drf_request = view.initialize_request(request)
    view.request = drf_request
    view.format_kwarg = None
    view.perform_authentication(drf_request)
    if not drf_request.user or not drf_request.user.is_authenticated:
        raise NotAuthenticated()
    for throttle in [AskThrottle()]:
        if not throttle.allow_request(drf_request, view):
            raise Throttled(throttle.wait())
    return drf_request


async def _sse(stream: AsyncIterator[events.Event]) -> AsyncIterator[str]:
    # Once the response has started nothing may escape: an exception here left daphne unable to answer later errors.
    try:
        async for event in stream:
            yield f"data: {json.dumps(event, ensure_ascii=False)}\n\n"
    except Exception:
        logger.exception("event stream failed")
        failure = events.error("internal", "Something went wrong on our side; what arrived is saved.")
        yield f"data: {json.dumps(failure)}\n\n"


def event_stream_response(stream: AsyncIterator[events.Event]) -> StreamingHttpResponse:
    """The pipeline's events as `text/event-stream`; an exception inside ends the stream with an `error` event."""
    response = StreamingHttpResponse(_sse(stream), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@csrf_exempt  # DRF's SessionAuthentication enforces CSRF for cookie-authenticated calls; token calls need none
async def chat_stream(request: HttpRequest) -> HttpResponse:
    """POST /api/v1/chat/stream {"conversation_id", "message", "edit"?} -> text/event-stream of the pipeline's events;
    {"conversation_id", "regenerate": true} streams a new answer to the last question instead."""
    if request.method != "POST":
        return JsonResponse({"detail": 'Method not allowed: POST {"conversation_id", "message"}.'}, status=405)
    try:
        drf_request = await sync_to_async(_authenticate)(request)
    except APIException as exc:
        return JsonResponse({"detail": str(exc.detail)}, status=exc.status_code)
    try:
        payload = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return JsonResponse({"detail": 'The body must be JSON: {"conversation_id", "message"}.'}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"detail": "The body must be a JSON object."}, status=400)
    conversation_id = payload.get("conversation_id")
    if conversation_id is not None and not isinstance(conversation_id, int):
        return JsonResponse({"detail": "No such conversation."}, status=404)
    regenerate = payload.get("regenerate") is True
    if regenerate and conversation_id is None:
        return JsonResponse({"detail": "Regenerate needs the conversation_id of the answer to replace."}, status=400)
    if not regenerate:
        try:
            text = services.message_text_validate(payload.get("message"))
        except services.ChatInputError as exc:
            return JsonResponse({"detail": exc.message, "code": exc.code}, status=400)
    if conversation_id is not None:
        exists = await Conversation.objects.filter(pk=conversation_id, user=drf_request.user).aexists()
        if not exists:
            return JsonResponse({"detail": "No such conversation."}, status=404)
    if regenerate:
        stream = regenerate_events(user=drf_request.user, conversation_id=conversation_id, pace=True)
    else:
        stream = answer_events(
            user=drf_request.user, conversation_id=conversation_id, text=text, pace=True, edit_of=payload.get("edit")
        )
    return event_stream_response(stream)


# --- Staff in the loop: the handoff queue, replies in the client's conversation, curation (staff only) ---


class HandoffOutput(serializers.ModelSerializer):
    conversation_id = serializers.IntegerField(read_only=True)
    assigned_to = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = HandoffRequest
        fields = ["id", "conversation_id", "status", "preferred_contact", "preferred_time", "assigned_to", "created_at"]
        read_only_fields = fields


def _refused(exc: services.ChatInputError, code: int = 400) -> Response:
    return Response({"detail": exc.message, "code": exc.code}, status=code)


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=HandoffRequest.Status.values, description="Only requests in it."),
            OpenApiParameter("assigned_to", int, description="Only requests assigned to this staff user id."),
            OpenApiParameter("language", str, enum=["en", "id", "it"], description="Only requests in the language."),
        ]
    )
)
class HandoffList(generics.ListAPIView):
    """Staff: the handoff requests, the longest waiting first (?status=open, ?assigned_to=ID, ?language=id)."""

    permission_classes = [IsAdminUser]
    serializer_class = HandoffOutput

    def get_queryset(self):  # noqa: ANN201
        params = self.request.query_params
        wanted = params.get("status", "")
        if wanted and wanted not in HandoffRequest.Status.values:
            raise ValidationError({"detail": f"status must be one of: {', '.join(HandoffRequest.Status.values)}."})
        assigned_to = params.get("assigned_to")
        if assigned_to is not None and not assigned_to.isdigit():
            raise ValidationError({"detail": "assigned_to must be a user id."})
        language = params.get("language", "")
        if language and language not in ("en", "id", "it"):
            raise ValidationError({"detail": "language must be en, id or it."})
        return selectors.handoff_list(
            status=wanted, assigned_to=int(assigned_to) if assigned_to is not None else None, language=language
        )


class HandoffDetail(APIView):
    """Staff: one handoff request; PATCH {"status", "assigned_to"} moves it along or (re)assigns it."""

    permission_classes = [IsAdminUser]

    class Input(serializers.Serializer):
        status = serializers.ChoiceField(choices=HandoffRequest.Status.values, required=False)
        assigned_to = serializers.IntegerField(min_value=1, allow_null=True, required=False)

    @extend_schema(responses={200: HandoffOutput})
    def get(self, request: Request, pk: int) -> Response:
        return Response(HandoffOutput(selectors.handoff_get(pk=pk)).data)

    @extend_schema(
        request=Input,
        responses={200: HandoffOutput},
        description="Statuses go open -> assigned -> waiting (on the client) -> resolved; resolving tells the client "
        "in their conversation. `assigned_to` is an active staff user's id, or null. 400 `invalid_assignee` or "
        "`already_open` (reopening while the conversation has another open request).",
    )
    def patch(self, request: Request, pk: int) -> Response:
        handoff = selectors.handoff_get(pk=pk)
        if not isinstance(request.data, dict):
            return Response({"detail": 'The body must be a JSON object: {"status", "assigned_to"}.'}, status=400)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            handoff = services.handoff_update(request=handoff, **data.validated_data)
        except services.ChatInputError as exc:
            return _refused(exc)
        return Response(HandoffOutput(handoff).data)


class HandoffReplies(APIView):
    """Staff: POST {"text"}: a consultant's reply in the client's conversation, live in their open chat."""

    permission_classes = [IsAdminUser]

    @extend_schema(
        request=inline_serializer("StaffReply", {"text": serializers.CharField(max_length=4000)}),
        responses={
            201: MessageOutput,
            409: inline_serializer(
                "HandoffResolved", {"detail": serializers.CharField(), "code": serializers.CharField()}
            ),
        },
        description="201 with the message (`role: staff`, `author`: the consultant's name). It appears in the "
        "client's conversation; the request then waits on the client. 409 `resolved` for a resolved request.",
    )
    def post(self, request: Request, pk: int) -> Response:
        handoff = selectors.handoff_get(pk=pk)
        if not isinstance(request.data, dict):
            return Response({"detail": 'The body must be a JSON object: {"text"}.', "code": "invalid_body"}, status=400)
        try:
            message = services.handoff_reply_create(request=handoff, author=request.user, text=request.data.get("text"))
        except services.ChatInputError as exc:
            return _refused(exc, 409 if exc.code == "resolved" else 400)
        return Response(MessageOutput(message).data, status=status.HTTP_201_CREATED)


class MessageGoldenAnswer(APIView):
    """Staff: POST {"question"?, "answer"?}: save an answer or a consultant's reply as a draft golden answer."""

    permission_classes = [IsAdminUser]

    class Input(serializers.Serializer):
        question = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
        answer = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")

    @extend_schema(
        request=Input,
        responses={201: GoldenAnswerOutput},
        description="The question defaults to the client's message before it, the answer to the message's text, "
        "the sources to its citations. The draft lands in the golden review queue.",
    )
    def post(self, request: Request, pk: int) -> Response:
        try:
            message = Message.objects.select_related("conversation").get(pk=pk)
        except Message.DoesNotExist:
            raise Http404("No such message.") from None
        if not isinstance(request.data, dict):
            return Response({"detail": "The body must be a JSON object.", "code": "invalid_body"}, status=400)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            golden = services.message_golden_answer_create(message=message, user=request.user, **data.validated_data)
        except services.ChatInputError as exc:
            return _refused(exc)
        return Response(GoldenAnswerOutput(golden).data, status=status.HTTP_201_CREATED)
