"""Websocket routes, composed from the apps that serve websockets (the ASGI counterpart of urls.py)."""

websocket_urlpatterns: list = []
