"""Celery tasks: thin wrappers around services for work too long for a request."""

from celery import shared_task

from knowledge.models import Collection, Document
from knowledge.services import collection_reindex, document_reindex


@shared_task(name="knowledge.collection_reindex")
def collection_reindex_task(collection_id: int) -> int:
    return collection_reindex(collection=Collection.objects.get(pk=collection_id))


@shared_task(name="knowledge.document_reindex")
def document_reindex_task(document_id: int) -> int:
    return document_reindex(document=Document.objects.get(pk=document_id))
