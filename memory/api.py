"""REST API for the signed-in user's own facts: /api/v1/memory/facts/ (list, create, read, update, delete).

Another user's fact, or a fact kept only for history, answers 404: its existence is not revealed.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from .models import FACT_KINDS, FACT_TEXT_MAX_CHARS, MemoryDeletion, MemoryFact
from .selectors import memory_facts_for_user
from .services import MemoryInputError, memory_fact_create, memory_fact_delete, memory_fact_update

KINDS_TEXT = ", ".join(FACT_KINDS)


class BadFactInput(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"


class MemoryFactOutput(serializers.ModelSerializer):
    class Meta:
        model = MemoryFact
        fields = ["id", "kind", "text", "pinned", "confidence", "source_message_id", "created_at", "updated_at"]
        read_only_fields = fields


class MemoryFactInput(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=FACT_KINDS,
        default="other",
        error_messages={"invalid_choice": f'Unknown kind "{{input}}". Valid kinds: {KINDS_TEXT}.'},
    )
    text = serializers.CharField(
        max_length=FACT_TEXT_MAX_CHARS,
        error_messages={
            "blank": "Fact text must not be empty.",
            "required": "Fact text is required.",
            "max_length": f"Fact text must be at most {FACT_TEXT_MAX_CHARS:,} characters.",
        },
    )
    pinned = serializers.BooleanField(default=False)


def _validated(data: object, *, partial: bool) -> dict:
    serializer = MemoryFactInput(data=data, partial=partial)
    if not serializer.is_valid():
        messages = []
        for field, errors in serializer.errors.items():
            for error in errors if isinstance(errors, list) else [errors]:
                messages.append(str(error) if field == "non_field_errors" else f"{field}: {error}")
        raise BadFactInput({"detail": " ".join(messages), "errors": serializer.errors})
    return serializer.validated_data


class MemoryFactViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):  # create/update/destroy call the services
    serializer_class = MemoryFactOutput
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return MemoryFact.objects.none()
        return memory_facts_for_user(user=self.request.user)

    @extend_schema(request=MemoryFactInput, responses={201: MemoryFactOutput})
    def create(self, request: Request) -> Response:
        data = _validated(request.data, partial=False)
        try:
            fact = memory_fact_create(user=request.user, **data)
        except MemoryInputError as exc:
            raise BadFactInput({"detail": str(exc)}) from exc
        return Response(MemoryFactOutput(fact).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MemoryFactInput, responses=MemoryFactOutput)
    def update(self, request: Request, pk: str | None = None, partial: bool = False) -> Response:
        fact = self.get_object()
        data = _validated(request.data, partial=partial)
        try:
            fact = memory_fact_update(
                fact=fact, text=data.get("text"), kind=data.get("kind"), pinned=data.get("pinned")
            )
        except MemoryInputError as exc:
            raise BadFactInput({"detail": str(exc)}) from exc
        return Response(MemoryFactOutput(fact).data)

    @extend_schema(request=MemoryFactInput, responses=MemoryFactOutput)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self.update(request, pk=pk, partial=True)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        memory_fact_delete(fact=self.get_object(), how=MemoryDeletion.How.API_ONE)
        return Response(status=status.HTTP_204_NO_CONTENT)
