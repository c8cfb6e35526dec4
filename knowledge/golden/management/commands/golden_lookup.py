"""golden_lookup "QUERY" [--json] [--explain] [--no-log]: what the chat would serve for a question.

golden_lookup --queries FILE.jsonl --json: one line per `{"q"}` line (or `{"query"}`), the single-query fields plus
"key" (the served answer's stable key, null on a miss) and "nearest_key"; the batch form writes no lookup-log rows.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from knowledge.golden.models import GoldenAnswer
from knowledge.golden.selectors import (
    InvalidGoldenQuery,
    golden_answer_explain,
    golden_answer_lookup,
    golden_query_validate,
    golden_threshold,
)
from nuzantara.jsonl import JsonlError, read_objects


def read_queries(path: Path) -> list[str]:
    """The queries of a JSONL file of `{"q"}` objects; CommandError (exit 2) names the first bad line."""
    try:
        rows = read_objects(path)
    except JsonlError as exc:
        raise CommandError(str(exc), returncode=2) from None
    queries = []
    for where, row in rows:
        try:
            queries.append(golden_query_validate(row.get("q", row.get("query"))))
        except InvalidGoldenQuery as exc:
            raise CommandError(
                f'{where}: each line must be an object with a "q" string ({exc})', returncode=2
            ) from None
    return queries


class Command(BaseCommand):
    requires_system_checks: list = []  # skip the URLconf import: a quick answer from the shell
    help = "Look a question up in the golden answers (logged like a chat lookup unless --no-log)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", nargs="?")
        parser.add_argument("--queries", type=Path, help='a JSONL file of {"q"} lines; writes no lookup-log rows')
        parser.add_argument("--json", action="store_true", help='print {"hit", "golden_answer_id", "similarity", ...}')
        parser.add_argument("--explain", action="store_true", help="also list the nearest answers and their guards")
        parser.add_argument("--no-log", action="store_true", help="do not write the lookup to the log")

    def handle(self, *args: object, query: str | None, **options: object) -> None:
        if (query is None) == (options["queries"] is None):
            raise CommandError("Give one query, or --queries FILE.jsonl.", returncode=2)
        if options["queries"] is not None:
            self._batch(read_queries(options["queries"]), as_json=options["json"])
            return
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

    def _batch(self, queries: list[str], *, as_json: bool) -> None:
        keys = dict(GoldenAnswer.objects.values_list("pk", "key"))
        for query in queries:
            result = golden_answer_lookup(query=query, log=False)
            nearest_key = keys.get(result.golden_answer_id) or None
            line = {**result.as_json(), "query": query, "key": nearest_key if result.hit else None}
            line["nearest_key"] = nearest_key
            if as_json:
                self.stdout.write(json.dumps(line, ensure_ascii=False))
            else:
                self.stdout.write(f"{'HIT ' if result.hit else 'MISS'} {line['key'] or '-':40} {query}")
