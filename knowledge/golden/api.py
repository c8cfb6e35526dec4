"""The golden-answers API: staff CRUD, CSV import/export, and the lookup for signed-in users."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from knowledge.models import Collection

from . import selectors, services
from .models import MAX_QUESTION_CHARS, GoldenAnswer

MAX_CSV_BYTES = 5 * 1024 * 1024


def _bad_request(message: str) -> Response:
    return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)


class GoldenAnswerOutput(serializers.ModelSerializer):
    variants = serializers.SerializerMethodField()
    source_document_ids = serializers.SerializerMethodField()
    collection = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)  # null: any

    class Meta:
        model = GoldenAnswer
        fields = [
            "id", "key", "question", "answer", "language", "tool", "collection", "variants", "source_document_ids",
            "status", "review_reason", "origin", "valid_until", "usage_count", "last_hit_at", "created_by",
            "approved_by", "approved_at", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_variants(self, golden: GoldenAnswer) -> list[str]:
        return [variant.question for variant in golden.variants.all()]

    def get_source_document_ids(self, golden: GoldenAnswer) -> list[int]:
        return [document.pk for document in golden.source_documents.all()]


class GoldenAnswerInput(serializers.Serializer):
    question = serializers.CharField(max_length=MAX_QUESTION_CHARS)
    answer = serializers.CharField(max_length=services.MAX_ANSWER_CHARS)
    language = serializers.ChoiceField(choices=GoldenAnswer.Language.choices, default="en")
    tool = serializers.CharField(max_length=30, allow_blank=True, default="")
    collection = serializers.SlugRelatedField(
        slug_field="slug", queryset=Collection.objects.all(), allow_null=True, required=False
    )
    variants = serializers.ListField(
        child=serializers.CharField(max_length=MAX_QUESTION_CHARS), max_length=services.MAX_VARIANTS, default=list
    )
    source_document_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), default=list)
    status = serializers.ChoiceField(choices=GoldenAnswer.Status.choices, default=GoldenAnswer.Status.DRAFT)
    valid_until = serializers.DateField(allow_null=True, required=False)


def _errors_message(errors: dict) -> str:
    parts = []
    for name, problems in errors.items():
        if isinstance(problems, dict):
            problems = [f"{k}: {v}" for k, v in problems.items()]
        parts.append(f"{name}: {' '.join(str(p) for p in problems)}")
    return "; ".join(parts)


def _validated(serializer: serializers.Serializer) -> dict:
    if not serializer.is_valid():
        raise ValidationError({"detail": _errors_message(serializer.errors)})
    return dict(serializer.validated_data)


class GoldenAnswerListCreate(generics.ListAPIView):
    """Staff: list golden answers (filter with ?status=) and create one."""

    permission_classes = [IsAdminUser]
    serializer_class = GoldenAnswerOutput

    def get_queryset(self):  # noqa: ANN201
        wanted = self.request.query_params.get("status") or None
        if wanted and wanted not in GoldenAnswer.Status.values:
            raise ValidationError({"detail": f"Unknown status {wanted!r}."})
        return selectors.golden_answer_list(status=wanted).select_related("collection").order_by("pk")

    @extend_schema(request=GoldenAnswerInput, responses={201: GoldenAnswerOutput})
    def post(self, request: Request) -> Response:
        data = _validated(GoldenAnswerInput(data=request.data))
        try:
            golden = services.golden_answer_create(created_by=request.user, **data)
        except services.GoldenAnswerError as exc:
            return _bad_request(str(exc))
        return Response(GoldenAnswerOutput(golden).data, status=status.HTTP_201_CREATED)


class GoldenAnswerDetail(generics.RetrieveAPIView):
    """Staff: read, change (PATCH/PUT) or delete one golden answer."""

    permission_classes = [IsAdminUser]
    serializer_class = GoldenAnswerOutput
    queryset = GoldenAnswer.objects.prefetch_related("variants", "source_documents").select_related("collection")

    def _update(self, request: Request, *, partial: bool) -> Response:
        golden = self.get_object()
        data = _validated(GoldenAnswerInput(data=request.data, partial=partial))
        variants = data.pop("variants", None)
        sources = data.pop("source_document_ids", None)
        try:
            golden = services.golden_answer_update(
                golden_answer=golden, user=request.user, variants=variants, source_document_ids=sources, **data
            )
        except services.GoldenAnswerError as exc:
            return _bad_request(str(exc))
        return Response(GoldenAnswerOutput(self.get_queryset().get(pk=golden.pk)).data)

    @extend_schema(request=GoldenAnswerInput, responses={200: GoldenAnswerOutput})
    def patch(self, request: Request, pk: int) -> Response:
        return self._update(request, partial=True)

    @extend_schema(request=GoldenAnswerInput, responses={200: GoldenAnswerOutput})
    def put(self, request: Request, pk: int) -> Response:
        return self._update(request, partial=False)

    def delete(self, request: Request, pk: int) -> Response:
        self.get_object().delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class GoldenAnswerTransition(APIView):
    """Staff: POST .../approve or .../retire."""

    permission_classes = [IsAdminUser]
    action = ""

    @extend_schema(request=None, responses={200: GoldenAnswerOutput})
    def post(self, request: Request, pk: int) -> Response:
        golden = generics.get_object_or_404(GoldenAnswer, pk=pk)
        try:
            if self.action == "approve":
                services.golden_answer_approve(golden_answer=golden, user=request.user)
            else:
                services.golden_answer_retire(golden_answer=golden, user=request.user)
        except services.GoldenAnswerError as exc:
            return _bad_request(str(exc))
        return Response(GoldenAnswerOutput(GoldenAnswerDetail.queryset.get(pk=pk)).data)


LookupOutput = inline_serializer(
    "GoldenLookup",
    {
        "hit": serializers.BooleanField(),
        "golden_answer_id": serializers.IntegerField(allow_null=True),
        "similarity": serializers.FloatField(),
        "refused_by": serializers.CharField(allow_null=True),
        "answer": serializers.CharField(),
        "latency_ms": serializers.FloatField(),
    },
)


class GoldenLookupView(APIView):
    """Signed-in users: the golden answer the chat would serve for `q`, or the nearest one and why not."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("q", str, required=True)], responses={200: LookupOutput})
    def get(self, request: Request) -> Response:
        try:
            query = selectors.golden_query_validate(request.query_params.get("q", ""))
        except selectors.InvalidGoldenQuery as exc:
            return _bad_request(str(exc))
        return Response(selectors.golden_answer_lookup(query=query).as_json())


class GoldenAnswerImport(APIView):
    """Staff: POST a CSV (multipart field `file`, or the raw body as text/csv). All rows or none."""

    permission_classes = [IsAdminUser]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={
            "multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
        },
        responses={201: inline_serializer("GoldenImport", {"imported": serializers.IntegerField()})},
    )
    def post(self, request: Request) -> Response:
        if request.content_type.startswith("text/csv"):
            raw = request.body
        else:
            upload = request.FILES.get("file")
            if upload is None:
                return _bad_request("Send the CSV as the multipart field `file` or as a text/csv body.")
            if upload.size > MAX_CSV_BYTES:
                return _bad_request(f"The file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB.")
            raw = upload.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _bad_request("The CSV must be UTF-8 text.")
        try:
            imported = services.golden_answers_import_csv(text=text, user=request.user)
        except services.CsvImportError as exc:
            return Response({"detail": str(exc), "row": exc.row}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"imported": len(imported)}, status=status.HTTP_201_CREATED)


class GoldenAnswerExport(APIView):
    """Staff: every golden answer (or ?status=) as CSV in the import format."""

    permission_classes = [IsAdminUser]

    @extend_schema(responses={(200, "text/csv"): str})
    def get(self, request: Request) -> HttpResponse:
        wanted = request.query_params.get("status") or None
        if wanted and wanted not in GoldenAnswer.Status.values:
            return _bad_request(f"Unknown status {wanted!r}.")
        text = services.golden_answers_export_csv(answers=selectors.golden_answer_list(status=wanted).order_by("pk"))
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="golden-answers.csv"'
        return response
