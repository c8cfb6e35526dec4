"""Writes to the knowledge base. Postgres first (in a transaction), Chroma last and inside it, so a Chroma failure rolls
the database back: neither side keeps half of a document.

Order of one ingest: chunk and embed (no writes) -> in transaction.atomic: replace the document's chunks, bump the
corpus version, upsert the new vectors -> after commit: drop the replaced vectors and send `document_changed`.
"""

import dataclasses
import datetime
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Literal

import numpy as np
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from knowledge.ingest.drafts import DocumentDraft, draft_from_file, resolve_collection
from knowledge.ingest.limits import upload_limits_check
from knowledge.ingest.parsers import RejectedFile, checksum_of, clean_metadata, file_format, read_front_matter
from knowledge.models import Chunk, Collection, CorpusState, Document
from knowledge.search import index
from knowledge.search.embedding import ChunkText, chunk_gloss, embed_chunks
from knowledge.signals import document_changed

logger = logging.getLogger(__name__)

__all__ = [
    "IngestOutcome",
    "RejectedFile",
    "collection_reindex",
    "document_changed",
    "document_ingest",
    "document_ingest_pending",
    "document_upload",
    "document_reindex",
    "document_retire",
    "documents_ingest",
    "files_ingest",
]


@dataclass(frozen=True)
class IngestOutcome:
    document: Document
    status: Literal["created", "updated", "unchanged"]
    chunks: int


@dataclass(frozen=True)
class ChunkVectors:
    """Vectors of some chunks, one per embedded window: which chunk each belongs to, and its metadata."""

    vectors: np.ndarray
    owners: list[int]  # per vector: the position of its chunk in the list that was embedded

    def for_index(
        self, chunk_ids: Sequence[int], metadatas: Sequence[dict]
    ) -> tuple[list[int], np.ndarray, list[dict]]:
        """(chunk id per vector, vectors, metadata per vector) for index.upsert."""
        ids = [chunk_ids[owner] for owner in self.owners]
        return ids, self.vectors, [{**metadatas[owner], "chunk_id": chunk_ids[owner]} for owner in self.owners]

    def slice(self, start: int, end: int) -> "ChunkVectors":
        """The vectors of chunks start..end-1 (owners renumbered from 0)."""
        picked = [i for i, owner in enumerate(self.owners) if start <= owner < end]
        return ChunkVectors(self.vectors[picked], [self.owners[i] - start for i in picked])


def _embed(chunks: list[ChunkText], *, progress: bool) -> ChunkVectors:
    vectors, owners = embed_chunks(chunks, progress=progress)
    return ChunkVectors(vectors, owners)


def _vector_metadata(document: Document) -> dict:
    return {"document_id": document.pk, "language": document.language}


def existing_documents(drafts: Sequence[DocumentDraft]) -> dict[tuple[int, str], Document]:
    """The stored documents the drafts would replace, by (collection id, original name)."""
    names = {d.original_name for d in drafts}
    found = Document.objects.filter(original_name__in=names, collection__in={d.collection.pk for d in drafts})
    return {(doc.collection_id, doc.original_name): doc for doc in found}


def documents_ingest(
    *, drafts: Sequence[DocumentDraft], progress: bool = False, on_embedded: Callable[[int], None] | None = None
) -> list[IngestOutcome]:
    """Create or replace documents in one step; drafts whose checksum is unchanged are skipped without embedding.

    Raises RejectedFile (nothing written) if a draft has nothing to index, IndexUnavailable (nothing written) if
    Chroma fails.
    """
    existing = existing_documents(drafts)
    outcomes: dict[int, IngestOutcome] = {}
    changed: list[tuple[int, DocumentDraft, Document | None]] = []
    seen: set[tuple[int, str]] = set()
    for position, draft in enumerate(drafts):
        key = (draft.collection.pk, draft.original_name)
        if key in seen:
            raise RejectedFile(draft.original_name, f"given twice for collection {draft.collection.slug}")
        seen.add(key)
        current = existing.get(key)
        if current is not None and current.checksum == draft.checksum:
            outcomes[position] = IngestOutcome(document=current, status="unchanged", chunks=0)
        else:
            changed.append((position, draft, current))
    if not changed:
        return [outcomes[i] for i in range(len(drafts))]

    # 1. No writes yet: chunk and embed everything (a RejectedFile here leaves the database untouched).
    texts = [
        ChunkText(title=draft.title, heading_path=chunk.heading_path, text=chunk.text, language=draft.language)
        for _, draft, _ in changed
        for chunk in draft.chunks
    ]
    vectors = _embed(texts, progress=progress)
    if on_embedded:
        on_embedded(len(texts))

    # 2. Postgres in one transaction, Chroma upsert last inside it.
    saved_files: list[str] = []
    upserted: dict[str, list[int]] = defaultdict(list)
    replaced_vectors: dict[str, list[int]] = defaultdict(list)
    replaced_files: list[str] = []
    try:
        with transaction.atomic():
            offset = 0
            pending: list[tuple[str, list[int], np.ndarray, list[dict]]] = []
            for position, draft, current in changed:
                document, old_ids, old_file = _write_document(draft, current, saved_files)
                if old_ids:
                    replaced_vectors[draft.collection.slug].extend(old_ids)
                if old_file:
                    replaced_files.append(old_file)
                chunks = Chunk.objects.bulk_create(
                    Chunk(
                        document=document,
                        ordinal=c.ordinal,
                        text=c.text,
                        heading_path=c.heading_path,
                        token_count=c.token_count,
                        page=c.page,
                        gloss=chunk_gloss(
                            title=draft.title, heading_path=c.heading_path, text=c.text, language=draft.language
                        ),
                    )
                    for c in draft.chunks
                )
                n = len(chunks)
                metadata = _vector_metadata(document)
                ids, part, metadatas = vectors.slice(offset, offset + n).for_index(
                    [c.pk for c in chunks], [metadata] * n
                )
                pending.append((draft.collection.slug, ids, part, metadatas))
                offset += n
                status = "updated" if current is not None else "created"
                outcomes[position] = IngestOutcome(document=document, status=status, chunks=n)
            CorpusState.bump()
            _upsert_grouped(pending, upserted)
            transaction.on_commit(lambda: _after_commit(replaced_vectors, replaced_files, outcomes.values()))
    except BaseException:
        _undo_side_effects(upserted, saved_files)
        raise
    return [outcomes[i] for i in range(len(drafts))]


def _write_document(
    draft: DocumentDraft, current: Document | None, saved_files: list[str]
) -> tuple[Document, list[int], str]:
    fields = {
        "title": draft.title,
        "source": draft.source,
        "source_url": draft.source_url,
        "language": draft.language,
        "last_reviewed": draft.last_reviewed,
        "status": Document.Status.ACTIVE,
        "file_format": draft.file_format,
        "checksum": draft.checksum,
        "body": draft.text,
        "ingest_status": Document.IngestStatus.READY,
        "ingest_error": "",
    }
    old_ids: list[int] = []
    old_file = ""
    if current is None:
        document = Document(collection=draft.collection, original_name=draft.original_name, **fields)
    else:
        document = current
        if document.status == Document.Status.ACTIVE:  # a retired document's vectors are already gone
            old_ids = list(document.chunks.values_list("pk", flat=True))
        document.chunks.all().delete()
        for name, value in fields.items():
            setattr(document, name, value)
    if draft.raw is not None:
        old_file = document.original_file.name or ""
        document.original_file.save(draft.original_name, ContentFile(draft.raw), save=False)
        saved_files.append(document.original_file.name)
    document.save()
    return document, old_ids, old_file


def _upsert_grouped(
    pending: list[tuple[str, list[int], np.ndarray, list[dict]]], upserted: dict[str, list[int]]
) -> None:
    by_slug: dict[str, list[tuple[list[int], np.ndarray, list[dict]]]] = defaultdict(list)
    for slug, ids, vectors, metadatas in pending:
        by_slug[slug].append((ids, vectors, metadatas))
    for slug, parts in by_slug.items():
        ids = [i for part in parts for i in part[0]]
        vectors = np.concatenate([part[1] for part in parts]) if parts else np.zeros((0, 0), dtype=np.float32)
        metadatas = [m for part in parts for m in part[2]]
        upserted[slug].extend(ids)  # before the call: a failure halfway still gets cleaned up
        index.upsert(slug=slug, chunk_ids=ids, vectors=vectors, metadatas=metadatas)


def _undo_side_effects(upserted: dict[str, list[int]], saved_files: list[str]) -> None:
    """The transaction rolled back: remove what already reached Chroma and the file storage."""
    for slug, ids in upserted.items():
        try:
            index.delete(slug=slug, chunk_ids=ids)
        except index.IndexUnavailable:
            logger.error("orphan vectors left in Chroma; run kb_reindex", extra={"collection": slug, "count": len(ids)})
    for name in saved_files:
        default_storage.delete(name)


def _after_commit(replaced_vectors: dict[str, list[int]], replaced_files: list[str], outcomes) -> None:
    for slug, ids in replaced_vectors.items():
        try:
            index.delete(slug=slug, chunk_ids=ids)
        except index.IndexUnavailable:
            # Harmless for search (unknown chunk ids are skipped) but it wastes space until kb_reindex.
            logger.warning("replaced vectors not deleted from Chroma", extra={"collection": slug, "count": len(ids)})
    for name in replaced_files:
        default_storage.delete(name)
    for outcome in outcomes:
        if outcome.status != "unchanged":
            document_changed.send(sender=Document, document=outcome.document, change=outcome.status)


def document_ingest(
    *,
    collection: Collection,
    title: str,
    text: str,
    language: str,
    original_name: str,
    source: str = "",
    source_url: str = "",
    last_reviewed: datetime.date | None = None,
    file_format: str = "md",
    checksum: str = "",
    raw: bytes | None = None,
) -> Document:
    """Create a document, or replace the one with the same name in the collection (skipped if unchanged)."""
    draft = DocumentDraft(
        collection=collection,
        title=title,
        text=text,
        language=language,
        original_name=original_name,
        source=source,
        source_url=source_url,
        last_reviewed=last_reviewed,
        file_format=file_format,
        checksum=checksum,
        raw=raw,
    )
    return documents_ingest(drafts=[draft])[0].document


UPLOAD_OVERRIDES = ("title", "language", "source", "source_url", "last_reviewed")


def upload_check(*, name: str, raw: bytes) -> dict:
    """Everything about an upload that is cheap to check, with no text extracted: format, size and unpacking limits,
    the front matter's fields. Returns the front matter's cleaned metadata; raises RejectedFile / UploadOverLimit."""
    upload_limits_check(name, raw)
    if not raw:
        raise RejectedFile(name, "the file is empty")
    return clean_metadata(name, read_front_matter(name, raw), "")


def document_upload(
    *,
    name: str,
    raw: bytes,
    collection: Collection | None = None,
    current: Document | None = None,
    overrides: dict | None = None,
) -> Document:
    """Store an upload beside its document (new, or the one it replaces) as pending and queue its ingest task.

    Over-limit or unreadable uploads raise before anything is stored. Until the task has run, a replaced document
    keeps its content in search. `overrides` (title, language, source, source_url, last_reviewed) win over the file.
    """
    metadata = upload_check(name=name, raw=raw)
    target = collection or (current.collection if current else None)
    target = target or resolve_collection(name, metadata["collection"])
    if current is not None and target != current.collection:
        raise RejectedFile(current.original_name, "a document cannot move to another collection; retire it instead")
    overrides = {key: value for key, value in (overrides or {}).items() if key in UPLOAD_OVERRIDES}
    original_name = current.original_name if current else PurePath(name).name
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(collection=target, original_name=original_name).first()
        if document is None:
            document = Document(
                collection=target,
                original_name=original_name,
                title=overrides.get("title") or metadata["title"],
                language=overrides.get("language") or metadata["language"],
                file_format=file_format(name),
            )
        replaced_pending = document.pending_file.name or ""
        document.pending_file.save(PurePath(name).name, ContentFile(raw), save=False)
        stored = document.pending_file.name
        try:
            document.pending_upload = {
                "name": PurePath(name).name,
                "overrides": {key: str(value) if value is not None else None for key, value in overrides.items()},
            }
            document.ingest_status = Document.IngestStatus.PENDING
            document.ingest_error = ""
            document.save()
        except BaseException:
            default_storage.delete(stored)
            raise
        if replaced_pending:
            transaction.on_commit(lambda: default_storage.delete(replaced_pending))
        transaction.on_commit(lambda: _queue_pending_ingest(document.pk))
    logger.info("knowledge upload stored", extra={"document_id": document.pk, "bytes": len(raw)})
    return document


def _queue_pending_ingest(document_id: int) -> None:
    from knowledge.tasks import document_ingest_pending_task

    document_ingest_pending_task.delay(document_id)


def _upload_overrides(stored: dict) -> dict:
    overrides = dict(stored)
    if overrides.get("last_reviewed"):
        overrides["last_reviewed"] = datetime.date.fromisoformat(overrides["last_reviewed"])
    return overrides


def document_ingest_pending(*, document_id: int, last_attempt: bool = True) -> Document | None:
    """Parse, chunk and index a document's pending upload; the document ends ready, or failed with the reason.

    While the index is unavailable and this is not the last attempt, IndexUnavailable is raised and the upload stays
    pending for a retry.
    """
    document = Document.objects.select_related("collection").filter(pk=document_id).first()
    if document is None or document.ingest_status != Document.IngestStatus.PENDING or not document.pending_file:
        return document
    pending = document.pending_file.name
    upload = document.pending_upload or {}
    try:
        with document.pending_file.open("rb") as stored:
            raw = stored.read()
        draft = draft_from_file(
            name=upload.get("name") or document.original_name, raw=raw, collection=document.collection
        )
        overrides = _upload_overrides(upload.get("overrides") or {})
        if overrides:
            overrides["checksum"] = ""  # edited metadata: the file's checksum no longer describes the content
        draft = dataclasses.replace(draft, original_name=document.original_name, **overrides)
        documents_ingest(drafts=[draft])
    except RejectedFile as exc:
        outcome = {"ingest_status": Document.IngestStatus.FAILED, "ingest_error": exc.reason[:1000]}
    except index.IndexUnavailable as exc:
        if not last_attempt:
            raise
        outcome = {"ingest_status": Document.IngestStatus.FAILED, "ingest_error": f"the index is unavailable: {exc}"}
    except OSError as exc:
        outcome = {"ingest_status": Document.IngestStatus.FAILED, "ingest_error": f"cannot read the upload ({exc})"}
    else:
        outcome = {"ingest_status": Document.IngestStatus.READY, "ingest_error": ""}
    # Only if no newer upload replaced this one meanwhile (its own task will settle the document).
    settled = Document.objects.filter(pk=document_id, pending_file=pending).update(
        pending_file="", pending_upload={}, **outcome
    )
    if settled:
        default_storage.delete(pending)
    logger.info("knowledge upload ingested", extra={"document_id": document_id, "status": outcome["ingest_status"]})
    document.refresh_from_db()
    return document


def document_retire(*, document: Document) -> Document:
    """Take a document out of search (its chunks stay in Postgres for the record). Idempotent."""
    if document.status == Document.Status.RETIRED:
        return document
    chunk_ids = list(document.chunks.values_list("pk", flat=True))
    with transaction.atomic():
        document.status = Document.Status.RETIRED
        document.save(update_fields=["status", "updated_at"])
        CorpusState.bump()
        index.delete(slug=document.collection.slug, chunk_ids=chunk_ids)
        transaction.on_commit(lambda: document_changed.send(sender=Document, document=document, change="retired"))
    return document


def document_reindex(*, document: Document) -> int:
    """Re-embed one active document's chunks into Chroma (e.g. after a failed index write); returns chunk count."""
    if document.status != Document.Status.ACTIVE:
        return 0
    chunks = list(document.chunks.all())
    vectors = _embed(
        [ChunkText(document.title, c.heading_path, c.text, document.language) for c in chunks], progress=False
    )
    metadata = _vector_metadata(document)
    ids, part, metadatas = vectors.for_index([c.pk for c in chunks], [metadata] * len(chunks))
    index.delete(slug=document.collection.slug, chunk_ids=[c.pk for c in chunks])  # windows of the old recipe too
    index.upsert(slug=document.collection.slug, chunk_ids=ids, vectors=part, metadatas=metadatas)
    CorpusState.bump()  # other processes reopen a local index to see the new vectors
    return len(chunks)


def collection_reindex(
    *, collection: Collection, batch_size: int = 512, on_progress: Callable[[int], None] | None = None
) -> int:
    """Rebuild a collection's Chroma index from Postgres (drop, then embed every active chunk) and refresh the chunks'
    stored glosses (the lexicon may have changed); returns chunk count."""
    started = time.perf_counter()
    index.recreate(slug=collection.slug)
    rows = (
        Chunk.objects.filter(document__collection=collection, document__status=Document.Status.ACTIVE)
        .order_by("pk")
        .values_list("pk", "document_id", "document__language", "document__title", "heading_path", "text", "gloss")
    )
    total = 0
    batch: list[tuple] = []

    def flush() -> None:
        stale = [
            Chunk(pk=r[0], gloss=gloss)
            for r in batch
            if (gloss := chunk_gloss(title=r[3], heading_path=r[4], text=r[5], language=r[2])) != r[6]
        ]
        Chunk.objects.bulk_update(stale, ["gloss"])
        vectors = _embed([ChunkText(r[3], r[4], r[5], r[2]) for r in batch], progress=False)
        ids, part, metadatas = vectors.for_index(
            [r[0] for r in batch], [{"document_id": r[1], "language": r[2]} for r in batch]
        )
        index.upsert(slug=collection.slug, chunk_ids=ids, vectors=part, metadatas=metadatas)
        if on_progress:
            on_progress(len(batch))

    for row in rows.iterator(chunk_size=batch_size):
        batch.append(row)
        if len(batch) >= batch_size:
            flush()
            total += len(batch)
            batch = []
    if batch:
        flush()
        total += len(batch)
    CorpusState.bump()  # other processes reopen a local index to see the rebuilt collection
    logger.info(
        "knowledge collection reindexed",
        extra={"collection": collection.slug, "chunks": total, "s": round(time.perf_counter() - started, 2)},
    )
    return total


def corpus_touch() -> None:
    """Make every process rebuild its in-memory search snapshot (after a collection's boost changed)."""
    CorpusState.bump()


@dataclass
class FilesReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    chunks: int = 0
    seconds: float = 0.0


def files_ingest(
    *,
    paths: Sequence[Path],
    collection: Collection | None = None,
    batch_chunks: int = 512,
    on_file: Callable[[Path], None] | None = None,
) -> FilesReport:
    """Ingest files (kb_ingest, uploads, benches): unchanged ones are skipped by checksum before any parsing or
    embedding; bad ones are reported in `rejected` and written nowhere; the rest go in batches of ~batch_chunks chunks.

    `collection` forces the collection; otherwise each file's front matter names it.
    """
    started = time.perf_counter()
    report = FilesReport()
    collections = {c.slug: c for c in Collection.objects.all()}
    stored = {
        (collection_id, name): checksum
        for collection_id, name, checksum in Document.objects.values_list("collection_id", "original_name", "checksum")
    }
    seen: set[tuple[int, str]] = set()
    batch: list[tuple[Path, DocumentDraft]] = []
    batch_size = 0

    def flush() -> None:
        nonlocal batch, batch_size
        if batch:
            for (path, _), outcome in zip(batch, documents_ingest(drafts=[d for _, d in batch]), strict=True):
                getattr(report, outcome.status).append(str(path))
                report.chunks += outcome.chunks
        batch, batch_size = [], 0

    for path in paths:
        try:
            raw = path.read_bytes()
            target = collection or resolve_collection(
                path.name, str(read_front_matter(path.name, raw).get("collection") or ""), collections
            )
            key = (target.pk, path.name)
            if key in seen:
                raise RejectedFile(path.name, f"another file named {path.name} was already given for {target.slug}")
            seen.add(key)
            if stored.get(key) == checksum_of(raw):
                report.unchanged.append(str(path))
            else:
                draft = draft_from_file(name=path.name, raw=raw, collection=target)
                batch.append((path, draft))
                batch_size += len(draft.chunks)
        except RejectedFile as exc:
            report.rejected.append((str(path), exc.reason))
        except OSError as exc:
            report.rejected.append((str(path), f"cannot read the file ({exc.strerror or exc})"))
        if batch_size >= batch_chunks:
            flush()
        if on_file:
            on_file(path)
    flush()
    report.seconds = time.perf_counter() - started
    return report
