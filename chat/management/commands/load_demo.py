"""Load everything `make run` needs for a demo: the sample knowledge base, golden answers, a trained router.

Each step is idempotent and quick when already done, so a second `make run` reaches serving fast. Each prints what it
does and how long it took; the estimates are for a first run on an idle 2-core machine (more on a busy one).
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from routing.t5 import METRICS_FILE

DEMO_DIR = settings.BASE_DIR / "knowledge" / "demo"


class Command(BaseCommand):
    help = (
        "Ingest the demo knowledge base, load the demo golden answers, train the served router members if no router "
        "checkpoint is there (the T5 member only with `train_router --with-t5`)."
    )

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        router_missing = not (settings.ROUTER_MODEL_DIR / METRICS_FILE).is_file()
        steps: list[tuple[str, Callable[[], None]]] = [
            ("ingesting the demo knowledge base (first run: ~1-2 min, embedding on CPU)", self._ingest),
            ("re-embedding what an older index recipe left (usually nothing)", self._reindex_missing),
            ("loading the demo golden answers", self._golden),
        ]
        if router_missing:
            steps.append(
                (
                    "training the router's served members, semantic+lexical: ~1-2 min on an idle 2-core machine, "
                    "up to ~6 on a busy one (most of it embeds the 9,855 training queries)",
                    self._router,
                )
            )
        for number, (what, run) in enumerate(steps, start=1):
            self.stdout.write(f"[{number}/{len(steps)}] {what}...")
            step_started = time.monotonic()
            run()
            self.stdout.write(f"[{number}/{len(steps)}] done in {time.monotonic() - step_started:.1f} s")
        self.stdout.write(f"Demo data ready in {time.monotonic() - started:.1f} s")

    def _ingest(self) -> None:
        call_command("kb_ingest", str(DEMO_DIR), stdout=self.stdout, stderr=self.stderr)

    def _reindex_missing(self) -> None:
        call_command("kb_reindex", "--missing", stdout=self.stdout, stderr=self.stderr)  # after an index recipe change

    def _golden(self) -> None:
        call_command("golden_load_demo", stdout=self.stdout, stderr=self.stderr)

    def _router(self) -> None:
        call_command("train_router", stdout=self.stdout, stderr=self.stderr)
