"""golden_warmup: export the ONNX query encoder if missing and embed golden questions that have no vector yet.

Run it at deploy (after migrate): otherwise the first lookup of the first process pays for it (several seconds).
"""

import time

from django.core.management.base import BaseCommand

from knowledge.golden.matching.encoder import get_encoder
from knowledge.golden.matching.index import current_snapshot


class Command(BaseCommand):
    requires_system_checks: list = []
    help = "Prepare the golden-answer lookup: the query encoder (ONNX export once per model) and the stored vectors."

    def handle(self, *args: object, **options: object) -> None:
        started = time.perf_counter()
        encoder = get_encoder()
        snapshot = current_snapshot()
        self.stdout.write(
            f"encoder {encoder.kind} ({encoder.name}); {len(snapshot.answers)} golden answers served, "
            f"{snapshot.matrix.shape[0]} phrasings, ready in {time.perf_counter() - started:.1f} s"
        )
