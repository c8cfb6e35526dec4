import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from routing.dataset import InvalidQuery
from routing.services import route_query


class Command(BaseCommand):
    help = "Route one query and print the decision (not logged)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options) -> None:
        try:
            prediction = route_query(query=options["query"], log=False)
        except InvalidQuery as exc:
            raise CommandError(str(exc), returncode=2) from None
        body = prediction.as_payload()
        if options["json"]:
            self.stdout.write(json.dumps(body))
        else:
            state = "abstained, " if prediction.abstained else ""
            self.stdout.write(
                f"{prediction.tool or '(no model)'} ({state}confidence {prediction.confidence:.2f}, "
                f"{prediction.latency_ms:.1f} ms, model {prediction.model_version or 'none'})"
            )
