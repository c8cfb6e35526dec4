"""answer "QUESTION"... [--user USERNAME] [--json]: the whole chat pipeline, from the shell, one question after the other.

The questions go into one new conversation, as a chat would send them. With --json each prints one line:
{"answer", "source", "tool", "sources": [{"title", "collection"}], "language"}. Without --user a throwaway user asks,
and nothing it caused is left behind: its conversation, memory facts and golden lookup-log rows are deleted at the end.
"""

import json
import uuid

from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from chat.models import Message
from chat.pipeline.run import answer_events
from chat.services import ChatInputError, message_text_validate


class Command(BaseCommand):
    help = "Ask questions through the whole pipeline (golden, router, memory, search, model or offline answerer)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("questions", nargs="+", metavar="QUESTION")
        parser.add_argument(
            "--user", help="ask as this user (their memory is used and kept); default: a throwaway user"
        )
        parser.add_argument("--json", action="store_true", help="one JSON line per question")

    def handle(self, *args: object, questions: list[str], user: str | None, **options: object) -> None:
        for question in questions:
            try:
                message_text_validate(question)
            except ChatInputError as exc:
                raise CommandError(f"{exc.message} ({question[:40]!r})", returncode=2) from None
        users = get_user_model().objects
        if user is not None:
            asker = users.filter(username=user).first()
            if asker is None:
                raise CommandError(f"No user {user!r}.", returncode=2)
        else:
            asker = users.create_user(username=f"answer-cli-{uuid.uuid4().hex[:12]}", password=None, is_active=False)
        from knowledge.golden.models import GoldenLookup

        first_lookup = (GoldenLookup.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        try:
            conversation_id = None
            for question in questions:
                conversation_id = self._ask(asker, conversation_id, question, as_json=options["json"])
        finally:
            if user is None:
                with transaction.atomic():
                    GoldenLookup.objects.filter(pk__gte=first_lookup, query__in=questions).delete()
                    asker.delete()  # conversations, messages, memory facts and summaries go with the user

    def _ask(self, asker, conversation_id: int | None, question: str, *, as_json: bool) -> int | None:  # noqa: ANN001
        async def collect() -> list[dict]:
            return [e async for e in answer_events(user=asker, conversation_id=conversation_id, text=question)]

        events = async_to_sync(collect)()
        start = next((e for e in events if e["type"] == "start"), None)
        done = next((e for e in events if e["type"] == "done"), None)
        if start is None or done is None:
            error = next((e for e in events if e["type"] == "error"), {"message": "no answer"})
            raise CommandError(error["message"])
        message = Message.objects.get(pk=done["message_id"])
        from knowledge.models import Document

        collections = dict(
            Document.objects.filter(
                pk__in=[s["document_id"] for s in message.sources or [] if s["document_id"]]
            ).values_list("pk", "collection__slug")
        )
        row = {
            "answer": message.content,
            "source": message.source,
            "tool": message.tool,
            "sources": [
                {
                    "title": s["title"],
                    "collection": "golden" if s.get("golden_answer_id") else collections.get(s["document_id"]),
                }
                for s in message.sources or []
            ],
            "language": message.conversation.language,
        }
        if as_json:
            self.stdout.write(json.dumps(row, ensure_ascii=False))
        else:
            self.stdout.write(
                f"Q: {question}\n[{row['source']} · {row['tool']} · {row['language']}]\n{row['answer']}\n"
            )
        return start["conversation_id"]
