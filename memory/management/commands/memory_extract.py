"""memory_extract --queries FILE.jsonl --json: what the offline extractor takes from each message; writes nothing.

Each line is {"text", "language"} (optional "assistant": the previous assistant turn); each output line is
{"text", "facts": [{"key", "value", "text", "kind", "action"}]}.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from memory.extraction.rules import RuleBasedExtractor
from nuzantara.jsonl import JsonlError, read_objects


def read_messages(path: Path) -> list[dict]:
    """The message lines of a JSONL file; CommandError (exit 2) names the first bad line."""
    try:
        rows = read_objects(path)
    except JsonlError as exc:
        raise CommandError(str(exc), returncode=2) from None
    for where, row in rows:
        if not isinstance(row.get("text"), str) or not row["text"].strip():
            raise CommandError(f'{where}: each line must be an object with a non-empty "text"', returncode=2)
        if not isinstance(row.get("assistant", ""), str):
            raise CommandError(f'{where}: "assistant" must be a string', returncode=2)
    return [row for _, row in rows]


def extract(text: str, assistant: str = "") -> list[dict]:
    """The offline extractor's facts for one user message, as the batch form prints them."""
    candidates = RuleBasedExtractor().extract(user_text=text, assistant_text=assistant, existing=[])
    return [{"key": c.key, "value": c.value, "text": c.text, "kind": c.kind, "action": c.action} for c in candidates]


class Command(BaseCommand):
    requires_system_checks: list = []
    help = "Run the offline memory extractor over a file of messages and print the facts it finds (nothing is saved)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queries", type=Path, required=True, help='a JSONL file of {"text", "language"} lines')
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: object, queries: Path, **options: object) -> None:
        for row in read_messages(queries):
            facts = extract(row["text"], row.get("assistant", ""))
            if options["json"]:
                self.stdout.write(json.dumps({"text": row["text"], "facts": facts}, ensure_ascii=False))
            else:
                listed = "; ".join(f"{f['key'] or f['kind']}={f['value'] or f['text']}" for f in facts) or "-"
                self.stdout.write(f"{row['text'][:70]:70}  {listed}")
