"""Load everything `make run` needs for a demo: the sample knowledge base, golden answers, a trained router.

Each step is idempotent and quick when already done, so a second `make run` reaches serving fast.
"""

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

DEMO_DIR = settings.BASE_DIR / "knowledge" / "demo"


class Command(BaseCommand):
    help = "Load the demo knowledge base and golden answers, and train the router if its checkpoint is missing."

    def handle(self, *args: object, **options: object) -> None:
        available = get_commands()
        if "kb_ingest" in available and DEMO_DIR.is_dir():
            call_command("kb_ingest", str(DEMO_DIR))
        if "golden_load_demo" in available:
            call_command("golden_load_demo")
        if "train_router" in available and not (settings.ROUTER_MODEL_DIR / "config.json").is_file():
            self.stdout.write("Router checkpoint missing: training it (takes a few minutes on 2 cores)...")
            call_command("train_router")
