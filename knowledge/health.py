"""The /health lines for the knowledge base: the Chroma index answers, and how many documents are searchable."""

import os
from pathlib import Path

from django.conf import settings

from knowledge.models import Document
from nuzantara.health import CheckResult


def check_chroma() -> CheckResult:
    """A Chroma server: its heartbeat, with the configured scheme, TLS verification and token. A local directory: it
    is writable."""
    if settings.CHROMA_HOST:
        return _check_chroma_server()
    directory = Path(settings.CHROMA_DIR)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return CheckResult("error", healthy=False, reason=f"{type(exc).__name__}: {exc}"[:300])
    if not directory.is_dir() or not os.access(directory, os.W_OK | os.X_OK):
        return CheckResult("error", healthy=False, reason=f"{directory} is not a writable directory")
    return CheckResult("ok")


def _check_chroma_server() -> CheckResult:
    import httpx

    from knowledge.search.index import server_headers, server_url, server_version_problem

    try:
        with httpx.Client(timeout=2, verify=settings.CHROMA_SSL_VERIFY, headers=server_headers()) as client:
            client.get(server_url("/api/v2/heartbeat")).raise_for_status()
        problem = server_version_problem(timeout=2)
    except Exception as exc:  # down, TLS refused, token refused
        return CheckResult("error", healthy=False, reason=f"{type(exc).__name__}: {exc}"[:300])
    if problem:
        return CheckResult("error", healthy=False, reason=problem)
    return CheckResult("ok")


def check_knowledge() -> CheckResult:
    documents = Document.objects.filter(status=Document.Status.ACTIVE).count()
    if not documents:
        return CheckResult("empty", healthy=True, reason="no documents ingested (run kb_ingest)")
    return CheckResult(f"{documents} documents")
