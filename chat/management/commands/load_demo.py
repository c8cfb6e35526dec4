"""Load everything `make run` needs for a demo: the sample knowledge base, golden answers, a trained router.

Each step is idempotent and quick when already done, so a second `make run` reaches serving fast.
"""

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

DEMO_DIR = settings.BASE_DIR / "knowledge" / "demo"


class Command(BaseCommand):
    help = (
        "Ingest the demo knowledge base, load the demo golden answers, train the router if its checkpoint is missing."
    )

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        call_command("kb_ingest", str(DEMO_DIR), stdout=self.stdout, stderr=self.stderr)
        call_command("kb_reindex", "--missing", stdout=self.stdout, stderr=self.stderr)  # after an index recipe change
        call_command("golden_load_demo", stdout=self.stdout, stderr=self.stderr)
        if not (settings.ROUTER_MODEL_DIR / "config.json").is_file():
            self.stdout.write("Router checkpoint missing: training it (a few minutes on 2 cores)...")
            call_command("train_router", stdout=self.stdout, stderr=self.stderr)
        self.stdout.write(f"Demo data ready in {time.monotonic() - started:.1f} s")
