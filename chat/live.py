"""The Channels groups that carry staff-in-the-loop events to open pages, from any process (Redis channel layer).

A conversation's group reaches only its owner's sockets (a socket joins it after the conversation is checked to be
theirs); the user's group carries only "a reply is waiting" notices for the sidebar; the inbox group reaches staff.
Events carry ids and labels, never a message's text or contact details: pages fetch those through the checked views.
"""

import logging
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache

logger = logging.getLogger(__name__)
INBOX_GROUP = "handoff-inbox"


def conversation_group(conversation_id: int) -> str:
    return f"chat-conversation-{conversation_id}"


def user_group(user_id: int) -> str:
    return f"chat-user-{user_id}"


def group_send(group: str, event: dict) -> None:
    """Send to a group from sync code; a channel layer that is down is logged, never raised (the data is saved)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:
        logger.warning("live event not sent", extra={"group": group.split("-")[0], "event": event.get("type")})


# Whether a client has a chat page open, for "mail the replies of a client who has been away": a count of open sockets
# and when the last one opened or closed, in the shared cache (a day's timeout clears a crashed process's count).
_SOCKETS = "chat-sockets:{}"
_LAST = "chat-socket-last:{}"
_DAY = 24 * 3600


def socket_opened(user_id: int) -> None:
    cache.add(_SOCKETS.format(user_id), 0, timeout=_DAY)
    try:
        cache.incr(_SOCKETS.format(user_id))
    except ValueError:  # expired between add and incr
        cache.set(_SOCKETS.format(user_id), 1, timeout=_DAY)
    cache.set(_LAST.format(user_id), time.time(), timeout=_DAY)


def socket_closed(user_id: int) -> None:
    try:
        if cache.decr(_SOCKETS.format(user_id)) < 0:
            cache.set(_SOCKETS.format(user_id), 0, timeout=_DAY)
    except ValueError:
        pass
    cache.set(_LAST.format(user_id), time.time(), timeout=_DAY)


def client_away_seconds(user_id: int) -> float:
    """How long the client has had no chat socket open: 0 while one is open, a day when none was seen for a day."""
    if (cache.get(_SOCKETS.format(user_id)) or 0) > 0:
        return 0.0
    last = cache.get(_LAST.format(user_id))
    return float(_DAY) if last is None else max(0.0, time.time() - last)
