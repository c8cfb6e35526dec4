"""Celery tasks: thin wrappers around services for work too long for a request."""

from celery import shared_task

from knowledge.models import Collection, Document
from knowledge.search.index import IndexUnavailable
from knowledge.services import collection_reindex, document_ingest_pending, document_reindex


@shared_task(name="knowledge.collection_reindex")
def collection_reindex_task(collection_id: int) -> int:
    return collection_reindex(collection=Collection.objects.get(pk=collection_id))


@shared_task(name="knowledge.document_reindex")
def document_reindex_task(document_id: int) -> int:
    return document_reindex(document=Document.objects.get(pk=document_id))


@shared_task(bind=True, name="knowledge.document_ingest_pending", acks_late=True, max_retries=4)
def document_ingest_pending_task(self, document_id: int) -> str:
    """Parse, chunk and index an upload stored by document_upload (the broker carries only the id); while the index
    is unavailable, retry after 30 s, 1, 2 and 4 minutes before the document is marked failed."""
    try:
        document = document_ingest_pending(
            document_id=document_id, last_attempt=self.request.retries >= self.max_retries
        )
    except IndexUnavailable as exc:
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
    return document.ingest_status if document is not None else "gone"


@shared_task(name="knowledge.tasks.stale_knowledge_report", acks_late=True, time_limit=300, soft_time_limit=270)
def stale_knowledge_report() -> dict:
    """Weekly: active documents whose last_reviewed is older than KNOWLEDGE_STALE_DAYS (or missing), mailed to MANAGERS."""
    import datetime
    import logging

    from django.conf import settings
    from django.core.mail import mail_managers
    from django.db.models import Q
    from django.utils import timezone

    cutoff = timezone.localdate() - datetime.timedelta(days=settings.KNOWLEDGE_STALE_DAYS)
    stale = (
        Document.objects.filter(status=Document.Status.ACTIVE)
        .filter(Q(last_reviewed__lt=cutoff) | Q(last_reviewed__isnull=True))
        .select_related("collection")
        .order_by("last_reviewed")
    )
    rows = [
        {
            "id": d.pk,
            "title": d.title,
            "collection": d.collection.slug,
            "last_reviewed": str(d.last_reviewed or "never"),
        }
        for d in stale
    ]
    logging.getLogger(__name__).info("stale knowledge report", extra={"stale": len(rows)})
    if rows and settings.MANAGERS:
        body = "\n".join(f"- [{r['collection']}] {r['title']} (last reviewed {r['last_reviewed']})" for r in rows)
        mail_managers(f"{len(rows)} knowledge documents need a review", body, fail_silently=True)
    return {"stale": len(rows), "documents": rows}
