"""Websocket routes, composed from the apps that serve websockets (the ASGI counterpart of urls.py)."""

from chat.routing import websocket_urlpatterns as chat_websockets

websocket_urlpatterns = [*chat_websockets]
