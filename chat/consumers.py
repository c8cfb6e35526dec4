"""Websocket transport: `ws://HOST/ws/chat/`, session auth, the pipeline's events forwarded as JSON."""

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from rest_framework.throttling import SimpleRateThrottle

from . import live, selectors, services
from .pipeline import events
from .pipeline.run import answer_events, regenerate_events

logger = logging.getLogger(__name__)
UNAUTHENTICATED = 4401
FORBIDDEN = 4403


def ask_allowed(user_id: int) -> bool:
    """The same per-user ask rate as the HTTP API (API_THROTTLE_ASK), as a fixed window in the shared cache."""
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get("ask")
    if not rate:
        return True
    allowed, period = SimpleRateThrottle.parse_rate(None, rate)
    key = f"ws-ask:{user_id}:{int(time.time() // period)}"
    cache.add(key, 0, timeout=period + 1)
    return cache.incr(key) <= allowed


class _SessionOnly:
    """What django.contrib.auth.get_user reads of a request: its session."""

    def __init__(self, session: object) -> None:
        self.session = session


def session_user_id(session_key: str | None) -> int | None:
    """The id of the user the session signs in now, read afresh from the session store: None once it was logged out,
    or its password changed since (Django's own check of the session auth hash, as on every HTTP request)."""
    if not session_key:
        return None
    from importlib import import_module

    from django.contrib.auth import get_user

    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    return get_user(_SessionOnly(session)).pk


def _watchable(user, conversation_id: object) -> bool:  # noqa: ANN001
    try:
        selectors.conversation_get_for_user(user=user, pk=conversation_id)
    except Http404:
        return False
    return True


class ChatConsumer(AsyncWebsocketConsumer):
    """Client sends {"type": "ask", "conversation_id": ID|null, "message": "...", "edit": QUESTION_ID (optional)},
    {"type": "regenerate", "conversation_id": ID}, {"type": "stop"} or {"type": "watch", "conversation_id": ID}.

    A socket watches the conversation it shows (the one it asked in, or named by `watch`, once checked to be the
    user's): a consultant's reply there arrives as a `message` event; one elsewhere as an `unread` event.
    """

    watching: int | None = None
    online = False

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.answering: asyncio.Task | None = None
        self.cancel = asyncio.Event()
        if self.user is None or not self.user.is_authenticated:
            await self.accept()
            await self.close(code=UNAUTHENTICATED)  # accepted first, so the close code reaches the client
            return
        # In the user's group before the socket opens: nothing sent once it is open can be missed.
        self.online = True
        await sync_to_async(live.socket_opened)(self.user.pk)
        await self.channel_layer.group_add(live.user_group(self.user.pk), self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        # Let a running answer finish its bookkeeping: it stops at the next token and saves a partial.
        self.cancel.set()
        if not self.online:
            return
        await sync_to_async(live.socket_closed)(self.user.pk)
        await self.channel_layer.group_discard(live.user_group(self.user.pk), self.channel_name)
        if self.watching is not None:
            await self.channel_layer.group_discard(live.conversation_group(self.watching), self.channel_name)

    async def watch(self, conversation_id: int) -> None:
        if conversation_id == self.watching:
            return
        if self.watching is not None:
            await self.channel_layer.group_discard(live.conversation_group(self.watching), self.channel_name)
        self.watching = conversation_id
        await self.channel_layer.group_add(live.conversation_group(conversation_id), self.channel_name)

    async def conversation_message(self, event: dict) -> None:
        """A message added to the watched conversation from outside (a staff reply): shown now, so seen."""
        if event["conversation_id"] != self.watching:
            return
        try:
            conversation = await sync_to_async(selectors.conversation_get_for_user)(user=self.user, pk=self.watching)
        except Http404:  # deleted meanwhile
            return
        await sync_to_async(services.staff_replies_seen)(conversation=conversation, message_ids=[event["message_id"]])
        await self.send_event(events.message(conversation_id=event["conversation_id"], message_id=event["message_id"]))

    async def conversation_unread(self, event: dict) -> None:
        if event["conversation_id"] != self.watching:
            await self.send_event(events.unread(conversation_id=event["conversation_id"]))

    async def send_event(self, event: events.Event) -> None:
        try:
            await self.send(text_data=json.dumps(event, ensure_ascii=False))
        except Exception:  # the socket is gone; the pipeline still saves what it has
            self.cancel.set()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            payload = json.loads(text_data or "")
        except (json.JSONDecodeError, TypeError):
            await self.send_event(events.error("bad_request", "Messages must be JSON objects."))
            return
        if not isinstance(payload, dict):
            await self.send_event(events.error("bad_request", "Messages must be JSON objects."))
            return
        kind = payload.get("type")
        if kind == "stop":
            self.cancel.set()
            return
        if kind == "watch":
            conversation_id = payload.get("conversation_id")
            if not isinstance(conversation_id, int) or not await sync_to_async(_watchable)(self.user, conversation_id):
                await self.send_event(events.error("not_found", "No such conversation."))
                return
            await self.watch(conversation_id)
            await self.send_event(events.watching(conversation_id=conversation_id))
            return
        if kind not in ("ask", "regenerate"):
            await self.send_event(
                events.error(
                    "bad_request",
                    'Unknown type: send {"type": "ask"}, {"type": "regenerate"}, {"type": "stop"} or {"type": "watch"}.',
                )
            )
            return
        if self.answering is not None and not self.answering.done():
            await self.send_event(events.error("busy", "An answer is still streaming: stop it or wait."))
            return
        session_key = getattr(self.scope.get("session"), "session_key", None)
        if await sync_to_async(session_user_id)(session_key) != self.user.pk:  # logged out, or a new password
            await self.send_event(events.error("unauthenticated", "You are signed out: sign in again to ask."))
            await self.close(code=UNAUTHENTICATED)
            return
        if not await sync_to_async(ask_allowed)(self.user.pk):
            await self.send_event(events.error("throttled", "Too many questions in a short time; wait a minute."))
            return
        conversation_id = payload.get("conversation_id")
        if conversation_id is not None and not isinstance(conversation_id, int):
            await self.send_event(events.error("not_found", "No such conversation."))
            return
        self.cancel = asyncio.Event()
        if kind == "regenerate":
            stream = regenerate_events(user=self.user, conversation_id=conversation_id, cancel=self.cancel, pace=True)
        else:
            stream = answer_events(
                user=self.user,
                conversation_id=conversation_id,
                text=payload.get("message"),
                cancel=self.cancel,
                pace=True,
                edit_of=payload.get("edit"),
            )
        self.answering = asyncio.create_task(self._forward(stream))

    async def _forward(self, stream: AsyncIterator[events.Event]) -> None:
        try:
            async for event in stream:
                if event["type"] == "start":  # the conversation asked in (new or not) is the one on screen
                    await self.watch(event["conversation_id"])
                await self.send_event(event)
        except Exception:
            logger.exception("answer failed")
            await self.send_event(events.error("internal", "Something went wrong on our side; please try again."))


class HandoffInboxConsumer(AsyncWebsocketConsumer):
    """`ws://HOST/ws/staff/handoffs/`, staff only: {"type": "handoff", "handoff_id": ID, "new": bool} when a request
    opens or changes (the page fetches its row). Anyone else is closed with 4403."""

    joined = False

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_staff:
            await self.accept()  # accepted first, so the close code reaches the client
            await self.close(code=FORBIDDEN if user is not None and user.is_authenticated else UNAUTHENTICATED)
            return
        self.joined = True
        await self.channel_layer.group_add(live.INBOX_GROUP, self.channel_name)  # before the page can see it open
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.joined:
            await self.channel_layer.group_discard(live.INBOX_GROUP, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        pass  # nothing to ask: the inbox only listens

    async def handoff_new(self, event: dict) -> None:
        await self.send(text_data=json.dumps({"type": "handoff", "handoff_id": event["handoff_id"], "new": True}))

    async def handoff_changed(self, event: dict) -> None:
        await self.send(text_data=json.dumps({"type": "handoff", "handoff_id": event["handoff_id"], "new": False}))
