"""The /health line for the knowledge base: how many documents are searchable."""

from knowledge.models import Document
from nuzantara.health import CheckResult


def check_knowledge() -> CheckResult:
    documents = Document.objects.filter(status=Document.Status.ACTIVE).count()
    if not documents:
        return CheckResult("empty", healthy=True, reason="no documents ingested (run kb_ingest)")
    return CheckResult(f"{documents} documents")
