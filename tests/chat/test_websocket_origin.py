"""The websocket Origin check: scheme, host and port of the page must be the server's own (or a trusted origin)."""

import pytest
from channels.testing import WebsocketCommunicator

from nuzantara.asgi import application

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]
HOST = (b"host", b"127.0.0.1:8000")


async def close_code_at_handshake(*headers: tuple[bytes, bytes]) -> int | None:
    """None when the consumer accepted the socket (then it closes it 4401: nobody is signed in), else the close code."""
    communicator = WebsocketCommunicator(application, "/ws/chat/", headers=list(headers))
    connected, code = await communicator.connect(timeout=5)
    await communicator.disconnect()
    return None if connected else code


async def test_the_pages_own_origin_is_accepted():
    assert await close_code_at_handshake(HOST, (b"origin", b"http://127.0.0.1:8000")) is None


@pytest.mark.parametrize(
    "origin",
    [
        b"http://localhost:6666",  # an allowed host name, another page
        b"http://127.0.0.1:6666",  # the same host, another port
        b"http://127.0.0.1",  # port 80, not 8000
        b"https://127.0.0.1:8000",  # another scheme
        b"http://evil.example",
        b"null",
    ],
)
async def test_another_origin_is_refused(origin):
    assert await close_code_at_handshake(HOST, (b"origin", origin)) is not None


async def test_a_socket_without_origin_or_host_is_refused():
    assert await close_code_at_handshake(HOST) is not None
    assert await close_code_at_handshake((b"origin", b"http://127.0.0.1:8000")) is not None


async def test_a_host_outside_allowed_hosts_is_refused_even_with_its_own_origin(settings):
    settings.ALLOWED_HOSTS = ["zantara.example.com"]

    assert await close_code_at_handshake((b"host", b"evil.example"), (b"origin", b"http://evil.example")) is not None


async def test_behind_a_tls_proxy_the_https_origin_is_the_own_one(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["zantara.example.com"]
    host = (b"host", b"zantara.example.com")
    proxied = (b"x-forwarded-proto", b"https")

    assert await close_code_at_handshake(host, proxied, (b"origin", b"https://zantara.example.com")) is None
    assert await close_code_at_handshake(host, proxied, (b"origin", b"http://zantara.example.com")) is not None
    assert await close_code_at_handshake(host, (b"origin", b"https://zantara.example.com")) is not None


async def test_csrf_trusted_origins_are_accepted_with_their_scheme_and_port(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://chat.example.com", "https://*.zantara.example.com"]

    assert await close_code_at_handshake(HOST, (b"origin", b"https://chat.example.com")) is None
    assert await close_code_at_handshake(HOST, (b"origin", b"https://app.zantara.example.com")) is None
    assert await close_code_at_handshake(HOST, (b"origin", b"http://chat.example.com")) is not None
    assert await close_code_at_handshake(HOST, (b"origin", b"https://chat.example.com:8443")) is not None
