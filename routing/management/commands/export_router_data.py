import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from routing.dataset import DATA_DIR, InvalidDataset, examples_read
from routing.selectors import corrections_as_examples


class Command(BaseCommand):
    help = (
        "Turn staff corrections of routing decisions into training lines ({query, tool} JSONL), one per query, "
        "leaving out queries of the dev set so it stays unseen. Append them to routing/data/train.jsonl and retrain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, help="write the lines to this file instead of stdout")
        parser.add_argument(
            "--exclude", type=Path, action="append", help="JSONL whose queries are left out (default: the dev set)"
        )

    def handle(self, *args, **options) -> None:
        excluded: set[str] = set()
        for path in options["exclude"] or [DATA_DIR / "dev.jsonl"]:
            try:
                excluded.update(example.query for example in examples_read(path))
            except InvalidDataset as exc:
                raise CommandError(str(exc), returncode=2) from None
        examples = corrections_as_examples(exclude_queries=frozenset(excluded))
        lines = "".join(json.dumps({"query": e.query, "tool": e.tool}, ensure_ascii=False) + "\n" for e in examples)
        if options["out"] is None:
            self.stdout.write(lines, ending="")
            return
        try:
            options["out"].write_text(lines, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{options['out']}: cannot be written ({exc.strerror or exc})", returncode=2) from None
        self.stderr.write(f"{len(examples)} training lines written to {options['out']}")
