import os

# Models load from local directories only: nothing is fetched from a model hub at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")  # chromadb

from .celery import app as celery_app  # noqa: E402

__all__ = ["celery_app"]
