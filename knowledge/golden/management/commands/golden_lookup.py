"""golden_lookup "QUERY" [--json] [--explain] [--no-log]: what the chat would serve for a question."""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from knowledge.golden.selectors import (
    InvalidGoldenQuery,
    golden_answer_explain,
    golden_answer_lookup,
    golden_query_validate,
    golden_threshold,
)


class Command(BaseCommand):
    requires_system_checks: list = []  # skip the URLconf import: a quick answer from the shell
    help = "Look a question up in the golden answers (logged like a chat lookup unless --no-log)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query")
        parser.add_argument("--json", action="store_true", help='print {"hit", "golden_answer_id", "similarity", ...}')
        parser.add_argument("--explain", action="store_true", help="also list the nearest answers and their guards")
        parser.add_argument("--no-log", action="store_true", help="do not write the lookup to the log")

    def handle(self, *args: object, query: str, **options: object) -> None:
        try:
            query = golden_query_validate(query)
        except InvalidGoldenQuery as exc:
            raise CommandError(str(exc), returncode=2) from None
        result = golden_answer_lookup(query=query, log=not options["no_log"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            return
        if result.hit:
            self.stdout.write(
                f"HIT golden answer {result.golden_answer_id} (similarity {result.similarity:.3f}, "
                f"{result.latency_ms:.1f} ms)\n\n{result.answer}"
            )
        else:
            why = f", refused by the {result.refused_by} guard" if result.refused_by else ""
            nearest = (
                f"nearest {result.golden_answer_id} at {result.similarity:.3f}" if result.golden_answer_id else "none"
            )
            self.stdout.write(f"MISS ({nearest}, threshold {golden_threshold():.2f}{why}, {result.latency_ms:.1f} ms)")
        if options["explain"]:
            self.stdout.write("\nNearest golden answers:")
            for report in golden_answer_explain(query=query):
                verdict = report.refused_by or (
                    "expired" if report.expired else ("ok" if report.above_threshold else "below")
                )
                self.stdout.write(f"  {report.similarity:.3f} #{report.golden_answer_id} [{verdict}] {report.question}")
                if report.refusal_detail:
                    self.stdout.write(f"        {report.refusal_detail}")
