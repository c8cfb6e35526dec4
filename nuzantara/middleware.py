from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse


class ApiNotFoundMiddleware:
    """Under /api/ a 404 is JSON, whatever produced it (an unknown URL, DEBUG's HTML page)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return JsonResponse({"detail": "Not found.", "path": request.path}, status=404)
        return response
