"""ASGI entry point (daphne): HTTP goes to Django, `/ws/` websockets go to Channels consumers."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuzantara.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from nuzantara.middleware import WebsocketOriginValidator  # noqa: E402
from nuzantara.request_id import RequestIdMiddleware  # noqa: E402
from nuzantara.routing import websocket_urlpatterns  # noqa: E402
from nuzantara.settings.env import env_bool  # noqa: E402

if env_bool("ASGI_WARMUP", True):
    from chat.warmup import warm_up_in_background

    warm_up_in_background()

application = RequestIdMiddleware(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": WebsocketOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
        }
    )
)
