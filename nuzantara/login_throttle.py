"""What a client locked out by the brute-force protection (django-axes) gets: HTTP 429 and a message in its language."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return ngettext(
        "Too many failed sign-in attempts. Please wait %(minutes)d minute and try again.",
        "Too many failed sign-in attempts. Please wait %(minutes)d minutes and try again.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, response: object = None, credentials: object = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: JSON under /api/, the sign-in page's notice elsewhere; Retry-After is the cool-off.

    axes passes (request, response, credentials) or, from its async middleware, (request, credentials): neither is used.
    """
    message = lockout_message()
    if request.path.startswith("/api/"):
        locked = JsonResponse({"detail": message}, status=429)
    else:
        locked = render(request, "registration/locked_out.html", {"message": message}, status=429)
    locked["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return locked
