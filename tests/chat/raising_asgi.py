"""The project's ASGI app with one extra test-only URL, /test/raise, whose view raises (served by a real daphne in tests)."""

from django.conf import settings

from nuzantara.asgi import application  # noqa: F401 - the app daphne serves

settings.ROOT_URLCONF = "tests.chat.raising_urls"
