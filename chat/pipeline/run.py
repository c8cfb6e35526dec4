"""The answer pipeline, as an async generator of events.

validate -> save the user's message -> golden answer? -> route -> handler (smalltalk / handoff / memory / knowledge search)
-> recall memory -> build the prompt -> stream the LLM (Anthropic -> Llama worker -> offline) -> save -> enqueue extraction.

Database and CPU-bound steps run in `prepare_turn` (sync, in a worker thread); only the model stream is async.
"""

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from functools import partial

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from nuzantara.language import detect_language
from nuzantara.llm import (
    Completion,
    LLMInterrupted,
    LLMUnavailable,
    TextDelta,
    Usage,
    anthropic_client,
    cost_usd,
    vllm_client,
)

from .. import selectors, services
from ..budget import claude_allowed
from ..handoff import contact_details
from ..models import Conversation, HandoffRequest, Message
from . import events, steps
from .offline import handoff_details_noted, handoff_pending_note, offline_answer
from .prompt import SYSTEM_STATIC, SourceChunk, final_user_message, history_messages, system_dynamic

logger = logging.getLogger(__name__)
_WORD = re.compile(r"\S+\s*|\s+")


@dataclass
class Turn:
    conversation: Conversation
    user_message: Message
    language: str
    started: float
    assistant_message: Message | None = None
    timings: dict = field(default_factory=dict)
    tool: str = ""
    route_confidence: float | None = None
    chunks: list[SourceChunk] = field(default_factory=list)
    # Set when the answer needs no model: golden answer, handoff, memory command.
    final_text: str | None = None
    final_source: str = ""
    smalltalk: bool = False
    system_dynamic: str = ""
    messages: list[dict] = field(default_factory=list)
    history_dropped: int = 0
    personal: list[str] = field(default_factory=list)  # notes that answer a question about the user's own facts
    model_only: bool = False  # a regenerated answer: no golden answer, no handoff or memory command
    replaced: list[int] = field(default_factory=list)  # ids of the messages this turn replaced
    extracted: bool = False  # memory was already extracted from this exchange
    handoff_note: str = ""  # while a handoff request is open, the line that ends the answer: a consultant is on it


def prepare_turn(*, user, conversation_id: int | None, text: object, started: float, edit_of: object = None) -> Turn:
    """Everything before the model: raises ChatInputError or Http404 before anything is saved.

    `edit_of`: the id of the user's last question, which this text replaces (it and its answers are marked replaced).
    """
    text = services.message_text_validate(text)
    replaced: list[Message] = []
    with transaction.atomic():  # a failed save leaves no empty conversation behind
        if conversation_id is None:
            if edit_of is not None:
                raise Http404("No such message.")
            conversation = services.conversation_create(user=user)
        else:
            conversation = _conversation_locked(user=user, conversation_id=conversation_id)
        if edit_of is not None:
            replaced = services.conversation_question_replace(conversation=conversation, message_id=edit_of)
        language = detect_language(text, default=conversation.language or "en")
        user_message = services.user_message_save(conversation=conversation, text=text, language=language)
        answer = _answer_placeholder(conversation)
    turn = Turn(conversation=conversation, user_message=user_message, language=language, started=started)
    turn.replaced = [m.pk for m in replaced]
    try:
        _plan_answer(turn, user=user, text=text)
    except BaseException:
        answer.delete()  # the user's message stays; no empty answer is left behind
        raise
    turn.assistant_message = answer
    return turn


def prepare_regeneration(*, user, conversation_id: object, started: float) -> Turn:
    """A new answer to the last question, by the model (no golden answer, no handoff or memory command): the answers
    it had are marked replaced. Http404 for a conversation that is not the user's, ChatInputError without an answer."""
    with transaction.atomic():
        conversation = _conversation_locked(user=user, conversation_id=conversation_id)
        question, previous = services.conversation_answer_replace(conversation=conversation)
        answer = _answer_placeholder(conversation)
    language = detect_language(question.content, default=conversation.language or "en")
    turn = Turn(conversation=conversation, user_message=question, language=language, started=started, model_only=True)
    turn.replaced = [m.pk for m in previous]
    # The exchange was already read for memory when an earlier answer came from a model.
    turn.extracted = any(m.source in (Message.Source.LLM, Message.Source.OFFLINE) for m in previous)
    try:
        _plan_answer(turn, user=user, text=question.content)
    except BaseException:
        answer.delete()
        Message.objects.filter(pk__in=turn.replaced).update(replaced=False)  # nothing replaced them after all
        raise
    turn.assistant_message = answer
    return turn


def _conversation_locked(*, user, conversation_id: object) -> Conversation:
    if not isinstance(conversation_id, int) or isinstance(conversation_id, bool):
        raise Http404("No such conversation.")
    conversation = selectors.conversation_get_for_user(user=user, pk=conversation_id)
    # Asks sent at once into one conversation take turns here, so each answer sits next to its question.
    Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
    return conversation


def _answer_placeholder(conversation: Conversation) -> Message:
    return Message.objects.create(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        status=Message.Status.PARTIAL,
        source=Message.Source.LLM,
    )


# A follow-up in an open handoff that is about how to be reached ("WhatsApp please: +62 812 ..."): at most this many
# words when it names no channel ("besok pagi aja").
FOLLOW_UP_WORDS = 8


def _handoff_follow_up(turn: Turn, *, text: str, request: HandoffRequest | None) -> bool:
    """Note how and when the client wants to be reached in the conversation's open request; True when that is all the
    message says, and the reply is planned."""
    details = contact_details(text) if request is not None else None
    if not details:
        return False
    services.handoff_details_update(request=request, contact=details.contact, time=details.time)
    if not details.contact and len(text.split()) > FOLLOW_UP_WORDS:
        return False  # a question that mentions a day: noted, and answered
    turn.final_text = handoff_details_noted(
        language=turn.language, request_id=request.pk, contact=request.preferred_contact, time=request.preferred_time
    )
    turn.final_source, turn.tool = Message.Source.HANDOFF, "handoff"
    return True


def _plan_answer(turn: Turn, *, user, text: str) -> None:
    request = services.handoff_request_open(conversation=turn.conversation)
    if request is not None and not turn.model_only:
        services.handoff_client_wrote(request=request)
    _plan_reply(turn, user=user, text=text, request=request)
    if request is not None and turn.final_source != Message.Source.HANDOFF:
        turn.handoff_note = handoff_pending_note(language=turn.language, request_id=request.pk)


def _plan_reply(turn: Turn, *, user, text: str, request: HandoffRequest | None) -> None:
    conversation, user_message, language = turn.conversation, turn.user_message, turn.language
    if not turn.model_only and _handoff_follow_up(turn, text=text, request=request):
        return
    if turn.model_only:
        golden = steps.Golden(None)
    else:
        golden, turn.timings["golden_ms"] = steps.golden_lookup(text, conversation_id=conversation.pk)
    if golden.hit is not None:
        hit = golden.hit
        turn.final_text, turn.final_source, turn.chunks = hit.answer, Message.Source.GOLDEN, hit.sources
        turn.tool = "golden"
        return

    decision, turn.timings["route_ms"] = steps.route(text)
    turn.tool, turn.route_confidence = decision.tool, decision.confidence
    if turn.model_only and decision.handler in ("handoff", "memory"):
        decision = steps.Route(decision.tool, "knowledge", (), decision.confidence, abstained=True)
    if decision.handler == "handoff":
        request, created = services.handoff_request_create(user=user, conversation=conversation, message=user_message)
        turn.final_text = handoff_details_noted(
            language=language,
            request_id=request.pk,
            contact=request.preferred_contact,
            time=request.preferred_time,
            created=created,
        )
        turn.final_source = Message.Source.HANDOFF
        return
    if decision.handler == "memory":
        turn.final_text = steps.memory_command(user, text, language, user_message.pk)
        turn.final_source = Message.Source.MEMORY
        return

    attached, attachments_ms = steps.retrieve_attachments(text, conversation.pk)
    if attached:
        turn.timings["attachments_ms"] = attachments_ms
    turn.smalltalk = decision.handler == "smalltalk" and not attached  # "summarize it" is about the attached file
    if not turn.smalltalk:
        chunks, turn.timings["retrieve_ms"] = steps.retrieve(text, decision.collections)
        turn.chunks = steps.with_attachments(attached, steps.curated_sources(golden.near, chunks))
    recalled, turn.timings["memory_ms"] = steps.recall_memory(user, text, settings.MEMORY_RECALL_TOKENS)
    memory_block, turn.personal = recalled.block, recalled.answering

    history, turn.history_dropped = history_messages(
        selectors.conversation_turns(conversation=conversation, before_id=user_message.pk)
    )
    summary = steps.conversation_summary(conversation.pk) if turn.history_dropped else ""
    turn.system_dynamic = system_dynamic(memory_block=memory_block, summary=summary, language=language)
    question = final_user_message(
        question=text, chunks=turn.chunks, with_sources=not turn.smalltalk, about_user=bool(turn.personal)
    )
    if history and history[-1]["role"] == "user":
        history[-1]["content"] += "\n\n" + question
        turn.messages = history
    else:
        turn.messages = [*history, {"role": "user", "content": question}]


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


FINISHED_FIELDS = (
    "content", "status", "source", "model", "tool", "route_confidence", "sources", "tokens_in", "tokens_out",
    "tokens_cache_read", "cost_usd", "timings",
)  # fmt: skip


def finish_turn(
    turn: Turn, *, content: str, status: str, source: str, completion: Completion | None, timings: dict
) -> Message:
    message = turn.assistant_message
    usage = completion.usage if completion else Usage()
    message.content = content
    message.status = status
    message.source = source
    message.model = completion.model if completion else ""
    message.tool = turn.tool
    message.route_confidence = turn.route_confidence
    message.sources = [chunk.citation() for chunk in turn.chunks]
    message.tokens_in = usage.input_tokens
    message.tokens_out = usage.output_tokens
    message.tokens_cache_read = usage.cache_read_tokens
    message.cost_usd = cost_usd(message.model, usage) if completion else 0
    message.timings = timings
    # Named fields: `replaced` may have been set meanwhile (a regeneration or an edit while this one streamed).
    message.save(update_fields=[*FINISHED_FIELDS])
    if message.cost_usd and settings.LLM_MONTHLY_BUDGET_USD:
        from ..tasks import llm_budget_check

        transaction.on_commit(llm_budget_check.delay)
    Conversation.objects.filter(pk=turn.conversation.pk).update(updated_at=timezone.now())
    return message


def after_answer(turn: Turn, *, content: str, source: str) -> None:
    """Off the request path: memory extraction (and a summary when the history outgrew the budget)."""
    if source not in (Message.Source.LLM, Message.Source.OFFLINE) or not content or turn.extracted:
        return
    transaction.on_commit(
        lambda: steps.enqueue_memory_extraction(
            user_message_id=turn.user_message.pk, answer_message_id=turn.assistant_message.pk
        )
    )
    if turn.history_dropped:
        from ..tasks import conversation_summarize

        transaction.on_commit(lambda: conversation_summarize.delay(turn.conversation.pk))


async def _model_stream(turn: Turn, *, pace: bool) -> AsyncIterator[TextDelta | Completion]:
    """Anthropic, then the Llama worker, then the offline answerer: each next one only if nothing was produced.
    Claude is skipped once this month's LLM budget is spent."""
    if anthropic_client.is_configured() and await sync_to_async(claude_allowed)():
        try:
            async for item in anthropic_client.anthropic_stream(
                system_static=SYSTEM_STATIC, system_dynamic=turn.system_dynamic, messages=turn.messages
            ):
                yield item
            return
        except LLMUnavailable as exc:
            logger.warning("falling back from anthropic", extra={"code": exc.code})
    if vllm_client.is_configured():
        system = SYSTEM_STATIC + "\n\n" + turn.system_dynamic
        try:
            async for item in vllm_client.vllm_stream(messages=[{"role": "system", "content": system}, *turn.messages]):
                yield item
            return
        except LLMUnavailable as exc:
            logger.warning("falling back from vllm", extra={"code": exc.code})
    answer = offline_answer(
        chunks=turn.chunks,
        language=turn.language,
        smalltalk=turn.smalltalk,
        question=turn.user_message.content,
        told=turn.personal,
    )
    turn.chunks = answer.chunks  # cite exactly what is quoted
    async for item in _text_stream(answer.text, provider="offline", pace=pace):
        yield item


async def _text_stream(text: str, provider: str = "none", *, pace: bool) -> AsyncIterator[TextDelta | Completion]:
    """A text that needs no model (golden, handoff, memory, offline), streamed word by word like a model's.

    Paced for a reader (CHAT_TEXT_WORD_SECONDS a word, CHAT_TEXT_STREAM_SECONDS at most in all), so Stop can still
    reach an answer that is on screen; unpaced where nobody watches it arrive (POST, commands).
    """
    pieces = _WORD.findall(text)
    pause = min(settings.CHAT_TEXT_WORD_SECONDS, settings.CHAT_TEXT_STREAM_SECONDS / max(len(pieces), 1)) if pace else 0
    for piece in pieces:
        yield TextDelta(piece)
        if pause:
            await asyncio.sleep(pause)
    yield Completion(provider=provider, model="")


def _source_for(completion: Completion | None, turn: Turn) -> str:
    if turn.final_text is not None:
        return turn.final_source
    if completion is None or completion.provider == "offline":
        return Message.Source.OFFLINE
    return Message.Source.LLM


async def answer_events(
    *,
    user,
    conversation_id: int | None,
    text: object,
    cancel: asyncio.Event | None = None,
    pace: bool = False,
    edit_of: object = None,
) -> AsyncIterator[events.Event]:
    """Answer one user message, yielding the event vocabulary. Always ends with `done` or `error`.

    `pace`: stream texts that need no model at reading speed (the websocket and SSE transports, where Stop applies).
    `edit_of`: the id of the user's last question, replaced by this one (see prepare_turn).
    """
    started = time.perf_counter()
    prepare = partial(
        prepare_turn, user=user, conversation_id=conversation_id, text=text, started=started, edit_of=edit_of
    )
    async for event in _turn_events(prepare, started=started, cancel=cancel, pace=pace):
        yield event


async def regenerate_events(
    *, user, conversation_id: object, cancel: asyncio.Event | None = None, pace: bool = False
) -> AsyncIterator[events.Event]:
    """A new answer to the conversation's last question (see prepare_regeneration), as the same events as an ask."""
    started = time.perf_counter()
    prepare = partial(prepare_regeneration, user=user, conversation_id=conversation_id, started=started)
    async for event in _turn_events(prepare, started=started, cancel=cancel, pace=pace):
        yield event


async def _turn_events(
    prepare: Callable[[], Turn], *, started: float, cancel: asyncio.Event | None, pace: bool
) -> AsyncIterator[events.Event]:
    try:
        turn = await sync_to_async(prepare)()
    except services.ChatInputError as exc:
        yield events.error(exc.code, exc.message)
        return
    except Http404 as exc:
        yield events.error("not_found", str(exc) or "No such conversation.")
        return
    except Exception:
        logger.exception("answer preparation failed")
        yield events.error("internal", "Something went wrong on our side; your question could not be answered.")
        return

    message_id = turn.assistant_message.pk
    yield events.start(
        conversation_id=turn.conversation.pk,
        message_id=message_id,
        question_id=turn.user_message.pk,
        replaced=turn.replaced,
    )
    announced = [chunk.citation() for chunk in turn.chunks]
    if announced:
        yield events.sources(announced)

    parts: list[str] = []
    completion: Completion | None = None
    status = Message.Status.COMPLETE
    failure: events.Event | None = None
    if turn.final_text is not None:
        stream = _text_stream(turn.final_text, pace=pace)
    else:
        stream = _model_stream(turn, pace=pace)
    timings = dict(turn.timings)
    try:
        async for item in stream:
            if isinstance(item, Completion):
                completion = item
                continue
            if not parts:
                timings["ttft_ms"] = _elapsed_ms(started)
            parts.append(item.text)
            yield events.token(item.text)
            if cancel is not None and cancel.is_set():
                status = Message.Status.PARTIAL
                break
        else:
            if turn.handoff_note and parts and status == Message.Status.COMPLETE:
                note = "\n\n" + turn.handoff_note  # a consultant is on it: after the answer, golden ones too
                parts.append(note)
                yield events.token(note)
    except LLMInterrupted as exc:
        status = Message.Status.PARTIAL
        failure = events.error("model_interrupted", "The answer was cut off; what arrived is saved as partial.")
        logger.warning("model stream interrupted", extra={"code": exc.code, "message_id": message_id})
    except Exception:
        status = Message.Status.PARTIAL if parts else Message.Status.FAILED
        failure = events.error("internal", "Something went wrong on our side; what arrived is saved.")
        logger.exception("answer stream failed", extra={"message_id": message_id})
    except (asyncio.CancelledError, GeneratorExit):
        # The client went away: keep what was said, marked partial, then let the cancellation through.
        timings["total_ms"] = _elapsed_ms(started)
        await asyncio.shield(
            sync_to_async(finish_turn)(
                turn,
                content="".join(parts),
                status=Message.Status.PARTIAL,
                source=_source_for(completion, turn),
                completion=completion,
                timings=timings,
            )
        )
        raise
    finally:
        await stream.aclose()

    timings["total_ms"] = _elapsed_ms(started)
    content = "".join(parts)
    source = _source_for(completion, turn)
    await sync_to_async(finish_turn)(
        turn, content=content, status=status, source=source, completion=completion, timings=timings
    )
    if failure:
        yield failure
    cited = [chunk.citation() for chunk in turn.chunks]
    if cited != announced:  # the offline answer cites only what it quotes
        yield events.sources(cited)
    yield events.done(message_id=message_id, source=source, status=status, timings=timings)
    if status == Message.Status.COMPLETE:
        # After `done`: with eager Celery (no Redis) the extraction runs here, still after the user has the answer.
        await sync_to_async(after_answer)(turn, content=content, source=source)
