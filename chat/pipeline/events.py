"""The event vocabulary every transport streams: start, token, sources, done, error.

Websockets also get `watching` (the answer to a `watch`), `message` (a consultant's reply or a notice added to the
conversation the page shows) and `unread` (such a message waits in another of the user's conversations): ids only,
the page fetches the message's HTML.
"""

from typing import Any

Event = dict[str, Any]


def start(
    *, conversation_id: int, message_id: int, question_id: int | None = None, replaced: list[int] | None = None
) -> Event:
    """`question_id`: the question answered; `replaced`: ids of the messages this answer replaces (regenerate, edit)."""
    return {
        "type": "start",
        "conversation_id": conversation_id,
        "message_id": message_id,
        "question_id": question_id,
        "replaced": replaced or [],
    }


def token(text: str) -> Event:
    return {"type": "token", "text": text}


def sources(items: list[dict]) -> Event:
    return {"type": "sources", "sources": items}


def done(*, message_id: int, source: str, status: str, timings: dict) -> Event:
    return {"type": "done", "message_id": message_id, "source": source, "status": status, "timings": timings}


def error(code: str, message: str) -> Event:
    return {"type": "error", "code": code, "message": message}


def message(*, conversation_id: int, message_id: int) -> Event:
    return {"type": "message", "conversation_id": conversation_id, "message_id": message_id}


def unread(*, conversation_id: int) -> Event:
    return {"type": "unread", "conversation_id": conversation_id}


def watching(*, conversation_id: int) -> Event:
    """The answer to a `watch`: from now on this socket gets that conversation's `message` events."""
    return {"type": "watching", "conversation_id": conversation_id}
