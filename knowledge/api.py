"""Knowledge API: search for signed-in users; document create/update/retire for staff."""

import dataclasses

from django.core.validators import URLValidator
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from knowledge.ingest.drafts import DocumentDraft
from knowledge.ingest.limits import UploadOverLimit, upload_size_check
from knowledge.ingest.parsers import LANGUAGES, RejectedFile
from knowledge.models import Collection, Document, validate_web_url
from knowledge.search.index import IndexUnavailable
from knowledge.selectors import MAX_K, MAX_QUERY_CHARS, InvalidQuery, collection_stats, knowledge_search
from knowledge.services import UPLOAD_OVERRIDES, document_retire, document_upload, documents_ingest

ERROR_RESPONSE = OpenApiResponse(
    inline_serializer("IndexUnavailable", {"detail": serializers.CharField()}), description="The index is unavailable."
)


def _bad_request(message: str, **extra: object) -> Response:
    return Response({"detail": message, **extra}, status=status.HTTP_400_BAD_REQUEST)


def _invalid(serializer: serializers.Serializer) -> Response:
    field, messages = next(iter(serializer.errors.items()))
    message = messages[0] if isinstance(messages, list) and messages else str(messages)
    label = "" if field == "non_field_errors" else f"{field}: "
    return _bad_request(f"{label}{message}", errors=serializer.errors)


def _over_limit(exc: UploadOverLimit) -> Response:
    return Response({"detail": str(exc), "limit": exc.limit}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)


def _index_down(exc: IndexUnavailable) -> Response:
    return Response({"detail": f"The search index is unavailable: {exc}"}, status=status.HTTP_503_SERVICE_UNAVAILABLE)


class SearchHitOutput(serializers.Serializer):
    chunk_id = serializers.IntegerField()
    document_id = serializers.IntegerField()
    collection = serializers.CharField()
    title = serializers.CharField()
    source = serializers.CharField()
    source_url = serializers.CharField()
    language = serializers.CharField()
    last_reviewed = serializers.DateField(allow_null=True)
    stale = serializers.BooleanField()
    heading_path = serializers.CharField()
    chunk = serializers.CharField(source="text")
    score = serializers.FloatField()
    vector_score = serializers.FloatField(allow_null=True, help_text="null when the vector half did not return it")
    lexical_score = serializers.FloatField(allow_null=True, help_text="null when the lexical half did not return it")


class SearchOutput(serializers.Serializer):
    query = serializers.CharField()
    vector_index = serializers.ChoiceField(
        choices=["ok", "unavailable"],
        help_text="unavailable: Chroma did not answer, results are the lexical half alone",
    )
    results = SearchHitOutput(many=True)


class CollectionStatsOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    documents = serializers.IntegerField(min_value=0)
    chunks = serializers.IntegerField(min_value=0)


class CollectionListOutput(serializers.Serializer):
    collections = CollectionStatsOutput(many=True)


class OverLimitOutput(serializers.Serializer):
    detail = serializers.CharField()
    limit = serializers.CharField(help_text="the setting whose limit the upload is over")


class SearchView(APIView):
    class Input(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, default="")
        k = serializers.IntegerField(required=False, default=5, min_value=1, max_value=MAX_K)
        language = serializers.ChoiceField(choices=LANGUAGES, required=False)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": MAX_QUERY_CHARS},
                description="the question, up to 2,000 characters",
            ),
            OpenApiParameter(
                "collection", str, many=True, description="collection slug(s), repeated or comma-separated"
            ),
            OpenApiParameter(
                "k",
                {"type": "integer", "minimum": 1, "maximum": MAX_K, "default": 5},
                description="number of results, 1-50 (default 5)",
            ),
            OpenApiParameter("language", str, enum=list(LANGUAGES)),
        ],
        responses={200: SearchOutput, 503: ERROR_RESPONSE},
    )
    def get(self, request: Request) -> Response:
        data = self.Input(data=request.query_params)
        if not data.is_valid():
            return _invalid(data)
        collections = [s.strip() for v in request.query_params.getlist("collection") for s in v.split(",") if s.strip()]
        try:
            hits = knowledge_search(
                query=data.validated_data["q"],
                collections=collections or None,
                language=data.validated_data.get("language"),
                k=data.validated_data["k"],
            )
        except InvalidQuery as exc:
            return _bad_request(str(exc))
        except IndexUnavailable as exc:
            return _index_down(exc)
        results = SearchHitOutput([dataclasses.asdict(hit) for hit in hits], many=True).data
        # "unavailable": Chroma did not answer and the results are the lexical half alone
        vector_index = "unavailable" if hits.vector_unavailable else "ok"
        return Response({"query": data.validated_data["q"].strip(), "vector_index": vector_index, "results": results})


class CollectionListView(APIView):
    @extend_schema(responses={200: CollectionListOutput})
    def get(self, request: Request) -> Response:
        rows = [dataclasses.asdict(s) for s in collection_stats()]
        return Response({"collections": rows})


class DocumentOutput(serializers.ModelSerializer):
    collection = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    chunks = serializers.SerializerMethodField()
    stale = serializers.BooleanField(source="is_stale")

    class Meta:
        model = Document
        fields = [
            "id",
            "collection",
            "title",
            "source",
            "source_url",
            "language",
            "last_reviewed",
            "stale",
            "status",
            "original_name",
            "file_format",
            "checksum",
            "chunks",
            "ingest_status",
            "ingest_error",
            "updated_at",
        ]

    def get_chunks(self, document: Document) -> int:
        return document.chunks.count()


class WebURLField(serializers.URLField):
    """http(s) only (DRF's URLField also takes ftp:): the URL becomes a link on citation pages."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, URLValidator)] + [validate_web_url]


class DocumentFields(serializers.Serializer):
    collection = serializers.SlugRelatedField(slug_field="slug", queryset=Collection.objects.all(), required=False)
    file = serializers.FileField(required=False)
    name = serializers.CharField(max_length=255, required=False)
    title = serializers.CharField(max_length=300, required=False)
    text = serializers.CharField(required=False, trim_whitespace=False)
    language = serializers.ChoiceField(choices=LANGUAGES, required=False)
    source = serializers.CharField(max_length=500, required=False, allow_blank=True)
    source_url = WebURLField(max_length=1000, required=False, allow_blank=True)
    last_reviewed = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs: dict) -> dict:
        if "file" in attrs and "text" in attrs:
            raise serializers.ValidationError("Send either a file or a text, not both.")
        return attrs


def _draft(fields: dict, current: Document | None) -> DocumentDraft:
    """A draft from request fields without a file; missing ones come from the current document."""
    collection = fields.get("collection") or (current.collection if current else None)
    if collection is None:
        raise RejectedFile("(document)", "collection is required")
    if current is None and not fields.get("text"):
        raise RejectedFile("(document)", "send a file or a text")

    def pick(key: str, default: object = "") -> object:
        return fields[key] if key in fields else (getattr(current, key) if current else default)

    title = pick("title") or ""
    if not title:
        raise RejectedFile("(document)", "title is required with a text")
    return DocumentDraft(
        collection=collection,
        title=title,
        text=fields["text"] if "text" in fields else current.body,
        language=pick("language", "en"),
        original_name=current.original_name if current else (fields.get("name") or f"{_slugify(title)}.md"),
        source=pick("source"),
        source_url=pick("source_url"),
        last_reviewed=pick("last_reviewed", None),
        file_format=current.file_format if current and "text" not in fields else "md",
    )


def _slugify(title: str) -> str:
    from django.utils.text import slugify

    return slugify(title)[:200] or "document"


def _save(fields: dict, current: Document | None) -> tuple[Document | None, Response | None]:
    """Ingest a text now, or store a file for the ingest task (the document comes back pending)."""
    try:
        if "file" in fields:
            upload = fields["file"]
            upload_size_check(upload.name, upload.size)  # before reading it into memory
            document = document_upload(
                name=upload.name,
                raw=upload.read(),
                collection=fields.get("collection"),
                current=current,
                overrides={key: fields[key] for key in UPLOAD_OVERRIDES if key in fields},
            )
            return document, None
        draft = _draft(fields, current)
        if current is not None and draft.collection != current.collection:
            raise RejectedFile(current.original_name, "a document cannot move to another collection; retire it instead")
        outcome = documents_ingest(drafts=[draft])[0]
    except UploadOverLimit as exc:
        return None, _over_limit(exc)
    except RejectedFile as exc:
        return None, _bad_request(str(exc))
    except IndexUnavailable as exc:
        return None, _index_down(exc)
    return outcome.document, None


class DocumentCreateView(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        request=DocumentFields,
        responses={
            201: OpenApiResponse(DocumentOutput, description="Created from a text, ingested."),
            202: OpenApiResponse(DocumentOutput, description="A file stored: ingest_status is pending until parsed."),
            413: OpenApiResponse(OverLimitOutput, description="The file is over a KNOWLEDGE_* limit (named)."),
            503: ERROR_RESPONSE,
        },
    )
    def post(self, request: Request) -> Response:
        data = DocumentFields(data=request.data)
        if not data.is_valid():
            return _invalid(data)
        document, error = _save(data.validated_data, None)
        if error:
            return error
        queued = "file" in data.validated_data
        return Response(DocumentOutput(document).data, status=202 if queued else status.HTTP_201_CREATED)


class DocumentDetailView(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(responses=DocumentOutput)
    def get(self, request: Request, document_id: int) -> Response:
        return Response(DocumentOutput(get_object_or_404(Document, pk=document_id)).data)

    @extend_schema(
        request=DocumentFields,
        responses={
            200: OpenApiResponse(DocumentOutput, description="Updated from a text or metadata, ingested."),
            202: OpenApiResponse(DocumentOutput, description="A file stored: ingest_status is pending until parsed."),
            413: OpenApiResponse(OverLimitOutput, description="The file is over a KNOWLEDGE_* limit (named)."),
            503: ERROR_RESPONSE,
        },
    )
    def patch(self, request: Request, document_id: int) -> Response:
        current = get_object_or_404(Document, pk=document_id)
        data = DocumentFields(data=request.data, partial=True)
        if not data.is_valid():
            return _invalid(data)
        document, error = _save(data.validated_data, current)
        if error:
            return error
        return Response(DocumentOutput(document).data, status=202 if "file" in data.validated_data else 200)

    put = patch


class DocumentRetireView(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(request=None, responses={200: DocumentOutput, 503: ERROR_RESPONSE})
    def post(self, request: Request, document_id: int) -> Response:
        document = get_object_or_404(Document, pk=document_id)
        try:
            document_retire(document=document)
        except IndexUnavailable as exc:
            return _index_down(exc)
        return Response(DocumentOutput(document).data)
