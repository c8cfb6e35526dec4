from django.urls import path

from .consumers import ChatConsumer, HandoffInboxConsumer

websocket_urlpatterns = [
    path("ws/chat/", ChatConsumer.as_asgi()),
    path("ws/staff/handoffs/", HandoffInboxConsumer.as_asgi()),
]
