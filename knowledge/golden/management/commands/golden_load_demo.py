"""golden_load_demo [--update] [--file PATH]: load the demo golden answers (idempotent; quick when already loaded)."""

import time
from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from knowledge.golden.services import GoldenAnswerError, golden_answers_load_file

DEMO_FILE = Path(__file__).resolve().parents[2] / "data" / "demo_golden.yaml"


class Command(BaseCommand):
    requires_system_checks: list = []  # run by `make run` on every start: skip the URLconf import
    help = (
        "Load the approved demo golden answers from knowledge/golden/data/demo_golden.yaml, linking their sources to the "
        "documents ingested from knowledge/demo (run kb_ingest knowledge/demo first). Existing answers are kept as "
        "curated unless --update. Then embeds their questions, so the first lookup is fast."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=DEMO_FILE)
        parser.add_argument("--demo-root", type=Path, default=settings.BASE_DIR / "knowledge" / "demo")
        parser.add_argument("--update", action="store_true", help="rewrite existing demo answers from the file")

    def handle(self, *args: object, file: Path, demo_root: Path, update: bool, **options: object) -> None:
        started = time.perf_counter()
        try:
            entries = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}", returncode=2) from None
        if not isinstance(entries, list) or not all(isinstance(e, dict) and e.get("key") for e in entries):
            raise CommandError(f"{file} must be a list of entries, each with a key.", returncode=2)
        try:
            report = golden_answers_load_file(entries=entries, demo_root=demo_root, update=update)
        except GoldenAnswerError as exc:
            raise CommandError(f"{file}: {exc}", returncode=2) from None

        from knowledge.golden.matching.index import current_snapshot

        snapshot = current_snapshot()  # embeds new questions once and stores the vectors for every process
        self.stdout.write(
            f"golden answers: {report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.sources_attached} sources attached; {len(snapshot.answers)} served "
            f"({snapshot.matrix.shape[0]} phrasings) in {time.perf_counter() - started:.1f} s"
        )
        for missing in report.unresolved_sources:
            self.stderr.write(f"source not found (ingest knowledge/demo first?): {missing}")
