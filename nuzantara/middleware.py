from collections.abc import Callable
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

DEFAULT_PORTS = {"http": 80, "https": 443}


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


def _origin_key(origin: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) origin, the port filled in when it is the scheme's default."""
    try:
        parts = urlsplit(origin.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, DEFAULT_PORTS[parts.scheme] if port is None else port


def _is_secure(scope: dict, headers: dict[str, str]) -> bool:
    """wss, or https at a TLS proxy that says so in SECURE_PROXY_SSL_HEADER (as Django's request.is_secure())."""
    if scope.get("scheme") in {"wss", "https"}:
        return True
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if not proxy_header:
        return False
    name, secure_value = proxy_header
    value = headers.get(name.removeprefix("HTTP_").replace("_", "-").lower(), "")
    return value.split(",")[0].strip() == secure_value


def websocket_origin_allowed(scope: dict) -> bool:
    """The Origin must be the server's own (scheme, host and port, from the Host header the browser sent to the
    socket) or one of CSRF_TRUSTED_ORIGINS; the host must be in ALLOWED_HOSTS. No Origin or no Host: refused."""
    headers = {name.decode("latin1").lower(): value.decode("latin1") for name, value in scope.get("headers", [])}
    origin, host = headers.get("origin", ""), headers.get("host", "")
    domain, _ = split_domain_port(host)
    if not origin or not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    origin_key = _origin_key(origin)
    if origin_key is None:
        return False
    own = _origin_key(f"{'https' if _is_secure(scope, headers) else 'http'}://{host}")
    if origin_key == own:
        return True
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        if "*" not in trusted:
            if origin_key == _origin_key(trusted):
                return True
            continue
        scheme, _, netloc = trusted.lower().partition("://")  # https://*.example.com, as Django's CSRF check reads it
        if scheme == origin_key[0] and is_same_domain(urlsplit(origin.lower()).netloc, netloc.removeprefix("*")):
            return True
    return False


class WebsocketOriginValidator:
    """ASGI middleware refusing websockets opened from another origin (cross-site websocket hijacking).

    Channels' AllowedHostsOriginValidator compared host names only, so a page on http://localhost:6666 or
    https://127.0.0.1 could open a socket carrying the user's session cookie.
    """

    def __init__(self, application: Callable) -> None:
        self.application = application
        self.denier = WebsocketDenier.as_asgi()

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "websocket" and not websocket_origin_allowed(scope):
            return await self.denier(scope, receive, send)
        return await self.application(scope, receive, send)
