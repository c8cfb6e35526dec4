"""A document ready to ingest: validated metadata, its text and (lazily) its chunks. Building one writes nothing."""

import datetime
import hashlib
import json
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings

from knowledge.ingest.chunking import ChunkDraft, chunk_text
from knowledge.ingest.parsers import LANGUAGES, RejectedFile, parse_file, source_url_rejection
from knowledge.models import Collection, is_web_url


@dataclass(frozen=True)
class DocumentDraft:
    collection: Collection
    title: str
    text: str
    language: str
    original_name: str
    source: str = ""
    source_url: str = ""
    last_reviewed: datetime.date | None = None
    file_format: str = "md"
    checksum: str = ""  # of the original file; computed from the fields when empty
    raw: bytes | None = None  # the original file, kept with the document when given

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise RejectedFile(self.original_name, f"language {self.language!r} is not one of {', '.join(LANGUAGES)}")
        if not self.original_name:
            raise RejectedFile("(document)", "a document needs a name")
        if self.source_url and not is_web_url(self.source_url):
            raise RejectedFile(self.original_name, source_url_rejection(self.source_url))
        if not self.checksum:
            object.__setattr__(self, "checksum", self._content_checksum())

    def _content_checksum(self) -> str:
        fields = [self.title, self.text, self.language, self.source, self.source_url, str(self.last_reviewed or "")]
        return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()

    @cached_property
    def chunks(self) -> list[ChunkDraft]:
        """The document's chunks; RejectedFile when there is no text to index."""
        drafts = chunk_text(
            self.text,
            max_tokens=settings.KNOWLEDGE_CHUNK_TOKENS,
            overlap=getattr(settings, "KNOWLEDGE_CHUNK_OVERLAP", 40),
            paged=self.file_format == "pdf",
        )
        if not drafts:
            raise RejectedFile(self.original_name, "the document has headings but no text to index")
        return drafts


def upload_limit_text() -> str:
    """The upload size limit for messages: "20 MB", or "512 KB" for small limits."""
    limit = settings.KNOWLEDGE_MAX_UPLOAD_BYTES
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{max(1, limit // 1024)} KB"


def resolve_collection(name: str, slug: str, collections: dict[str, Collection] | None = None) -> Collection:
    if not slug:
        raise RejectedFile(name, "no collection: add `collection:` to the front matter or pass --collection")
    if collections is not None:
        if slug in collections:
            return collections[slug]
    else:
        collection = Collection.objects.filter(slug=slug).first()
        if collection is not None:
            return collection
    raise RejectedFile(name, f"unknown collection {slug!r}")


def draft_from_file(
    *, name: str, raw: bytes, collection: Collection | None = None, collections: dict[str, Collection] | None = None
) -> DocumentDraft:
    """Parse a file into a draft; `collection` forces the collection, otherwise the front matter names it."""
    if len(raw) > settings.KNOWLEDGE_MAX_UPLOAD_BYTES:
        raise RejectedFile(name, f"the file is larger than {upload_limit_text()}")
    parsed = parse_file(name=name, raw=raw)
    metadata = parsed.metadata
    target = collection or resolve_collection(parsed.name, metadata["collection"], collections)
    draft = DocumentDraft(
        collection=target,
        title=metadata["title"],
        text=parsed.text,
        language=metadata["language"],
        original_name=parsed.name,
        source=metadata["source"],
        source_url=metadata["source_url"],
        last_reviewed=metadata["last_reviewed"],
        file_format=parsed.file_format,
        checksum=parsed.checksum,
        raw=raw,
    )
    draft.chunks  # noqa: B018 - chunk now so an unindexable file is rejected before anything is written
    return draft
