"""golden_draft_nightly [--json]: run the nightly drafting now, in this process."""

import json

from django.core.management.base import BaseCommand, CommandParser

from knowledge.golden.drafting.run import golden_drafts_nightly_run


class Command(BaseCommand):
    help = "Cluster last week's missed questions and draft golden answers for review (what the 02:00 job does)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        run = golden_drafts_nightly_run()
        summary = {
            "run": run.pk,
            "status": run.status,
            "provider": run.provider,
            "questions": run.questions,
            "clusters": run.clusters,
            "uncovered_clusters": run.uncovered_clusters,
            "drafts": run.drafts_created,
            "errors": run.errors,
            "skipped": run.skipped_reason,
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        if run.skipped_reason:
            self.stdout.write(f"Skipped: {run.skipped_reason} ({run.questions} missed questions waiting).")
            return
        self.stdout.write(
            f"{run.status}: {run.questions} questions, {run.clusters} clusters ({run.uncovered_clusters} uncovered), "
            f"{run.drafts_created} drafts, {len(run.errors)} errors (provider {run.provider})."
        )
