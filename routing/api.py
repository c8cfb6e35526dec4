from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .dataset import MAX_QUERY_CHARS, InvalidQuery
from .services import route_query


class RouteView(APIView):
    """POST {"query": ...}: the tool the router picks, its confidence, the runners-up and the latency."""

    class RouteInput(serializers.Serializer):
        query = serializers.CharField(max_length=MAX_QUERY_CHARS, trim_whitespace=True, allow_blank=False)

    class RouteAlternative(serializers.Serializer):
        tool = serializers.CharField()
        confidence = serializers.FloatField()

    class RouteOutput(serializers.Serializer):
        tool = serializers.CharField()
        confidence = serializers.FloatField()
        abstained = serializers.BooleanField()
        alternatives = serializers.ListField(child=serializers.DictField())
        latency_ms = serializers.FloatField()
        model_version = serializers.CharField()

    @extend_schema(request=RouteInput, responses={200: RouteOutput})
    def post(self, request: Request) -> Response:
        data = self.RouteInput(data=request.data)
        if not data.is_valid():
            return Response({"detail": _first_error(data.errors)}, status=400)
        try:
            prediction = route_query(query=data.validated_data["query"])
        except InvalidQuery as exc:
            return Response({"detail": str(exc)}, status=400)
        body = prediction.as_payload()
        return Response(self.RouteOutput(body).data)


def _first_error(errors: dict) -> str:
    field, messages = next(iter(errors.items()))
    message = messages[0] if isinstance(messages, list) and messages else messages
    return f"{field}: {message}" if field != "non_field_errors" else str(message)
