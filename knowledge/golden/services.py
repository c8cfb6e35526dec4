"""Writes to golden answers: create/update/approve/retire, CSV import/export, the lookup log, stale-on-source-change.

Every change to answers or variants bumps GoldenIndexState (receivers.py), so each process rebuilds its matrix on its
next lookup. Usage counters are written with UPDATE ... F() + 1 and never bump it.
"""

import csv
import datetime
import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from knowledge.models import Collection, Document

from . import lookup_log
from .matching.text import normalize_question
from .models import MAX_QUESTION_CHARS, GoldenAnswer, GoldenAnswerVariant, GoldenIndexState, GoldenLookup

logger = logging.getLogger(__name__)

LANGUAGES = {choice.value for choice in GoldenAnswer.Language}
STATUSES = {choice.value for choice in GoldenAnswer.Status}
MAX_ANSWER_CHARS = 20_000
MAX_VARIANTS = 50
MAX_CSV_ROWS = 5_000
CSV_COLUMNS = ["id", "question", "answer", "language", "tool", "variants", "source_document_ids", "status"]
REQUIRED_CSV_COLUMNS = {"question", "answer"}


class GoldenAnswerError(ValueError):
    """A golden answer that cannot be saved as asked; str(exc) is a message for the curator (HTTP 400)."""


class CsvImportError(GoldenAnswerError):
    def __init__(self, row: int, message: str) -> None:
        self.row = row
        super().__init__(f"Row {row}: {message}" if row else message)


# --- the lookup log -------------------------------------------------------------------------------------------------


def golden_lookup_record(
    *,
    query: str,
    result,  # noqa: ANN001 - a selectors.GoldenLookupResult (selectors import this module)
    method: str,
    refusal_detail: str,
    threshold: float,
    cosine: float | None = None,
    coverage: float | None = None,
    conversation_id: int | None = None,
) -> None:
    """Log one lookup and, on a hit, count it on the answer, without making the caller wait for the database
    (see lookup_log: queued outside a transaction, written in the caller's transaction inside one)."""
    lookup_log.record(
        lookup_log.LookupEntry(
            query=query,
            golden_answer_id=result.golden_answer_id,
            similarity=result.similarity if result.golden_answer_id else None,
            cosine=cosine,
            coverage=coverage,
            hit=result.hit,
            method=method,
            refused_by=result.refused_by or "",
            refusal_detail=refusal_detail,
            threshold=threshold,
            latency_ms=round(result.latency_ms, 3),
            created_at=timezone.now(),
            conversation_id=conversation_id,
        )
    )


def golden_lookups_erase(*, conversation_id: int) -> int:
    """Erase the logged questions of one chat conversation (deleted by its user), those still queued here included."""
    lookup_log.flush()
    deleted, _ = GoldenLookup.objects.filter(conversation_id=conversation_id).delete()
    return deleted


def golden_lookups_expire() -> int:
    """Erase lookup log rows older than GOLDEN_LOOKUP_RETENTION_DAYS (never shorter than the nightly drafts' window)."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.GOLDEN_LOOKUP_RETENTION_DAYS)
    deleted, _ = GoldenLookup.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- create / update ------------------------------------------------------------------------------------------------


def _clean_question(text: object, *, what: str = "question") -> str:
    if not isinstance(text, str) or not text.strip():
        raise GoldenAnswerError(f"The {what} is empty.")
    text = " ".join(text.split())
    if len(text) > MAX_QUESTION_CHARS:
        raise GoldenAnswerError(f"The {what} is {len(text)} characters; the limit is {MAX_QUESTION_CHARS}.")
    if not normalize_question(text):
        raise GoldenAnswerError(f"The {what} has no words.")
    return text


def _clean_answer(text: object) -> str:
    if not isinstance(text, str) or not text.strip():
        raise GoldenAnswerError("The answer is empty.")
    if len(text) > MAX_ANSWER_CHARS:
        raise GoldenAnswerError(f"The answer is {len(text)} characters; the limit is {MAX_ANSWER_CHARS}.")
    return text.strip()


def _clean_variants(question: str, variants: Iterable[str]) -> list[str]:
    seen = {normalize_question(question)}
    cleaned: list[str] = []
    for variant in variants:
        if not (variant or "").strip():
            continue
        text = _clean_question(variant, what="variant")
        key = normalize_question(text)
        if key not in seen:
            seen.add(key)
            cleaned.append(text)
    if len(cleaned) > MAX_VARIANTS:
        raise GoldenAnswerError(f"{len(cleaned)} variants; the limit is {MAX_VARIANTS}.")
    return cleaned


def _documents(ids: Iterable[int]) -> list[Document]:
    ids = list(dict.fromkeys(int(i) for i in ids))
    found = {doc.pk: doc for doc in Document.objects.filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise GoldenAnswerError(f"Unknown source document id(s): {', '.join(map(str, missing))}.")
    return [found[i] for i in ids]


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise GoldenAnswerError(f"Unknown language {language!r}; use one of {', '.join(sorted(LANGUAGES))}.")
    return language


def _check_status(status: str) -> str:
    if status not in STATUSES:
        raise GoldenAnswerError(f"Unknown status {status!r}; use one of {', '.join(sorted(STATUSES))}.")
    return status


def _check_approvable(answer: GoldenAnswer, documents: Sequence[Document]) -> None:
    retired = [doc for doc in documents if doc.status == Document.Status.RETIRED]
    if retired:
        names = ", ".join(f"{doc.pk} ({doc.title})" for doc in retired)
        raise GoldenAnswerError(f"Cannot approve: source document(s) retired: {names}.")


def _set_variants(answer: GoldenAnswer, variants: list[str]) -> None:
    wanted = {normalize_question(v): v for v in variants}
    current = {v.question_normalized: v for v in answer.variants.all()}
    stale = [v.pk for key, v in current.items() if key not in wanted]
    if stale:
        GoldenAnswerVariant.objects.filter(pk__in=stale).delete()
    for key, text in wanted.items():
        existing = current.get(key)
        if existing is None:
            GoldenAnswerVariant.objects.create(golden_answer=answer, question=text)
        elif existing.question != text:
            existing.question = text
            existing.save()


@transaction.atomic
def golden_answer_create(
    *,
    question: str,
    answer: str,
    language: str = "en",
    tool: str = "",
    collection: Collection | None = None,
    source_document_ids: Iterable[int] = (),
    variants: Iterable[str] = (),
    status: str = GoldenAnswer.Status.DRAFT,
    valid_until=None,  # noqa: ANN001 - a date or None
    created_by=None,  # noqa: ANN001 - a user or None
    origin: str = GoldenAnswer.Origin.MANUAL,
    key: str = "",
    nightly_run=None,  # noqa: ANN001
    review_reason: str = "",
) -> GoldenAnswer:
    """Create a golden answer with its variants and source documents. Raises GoldenAnswerError on bad input."""
    question = _clean_question(question)
    documents = _documents(source_document_ids)
    golden = GoldenAnswer(
        question=question,
        answer=_clean_answer(answer),
        language=_check_language(language),
        tool=(tool or "").strip()[:30],
        collection=collection,
        status=_check_status(status),
        valid_until=valid_until,
        created_by=created_by,
        origin=origin,
        key=key,
        nightly_run=nightly_run,
        review_reason=review_reason[:300],
    )
    if golden.status == GoldenAnswer.Status.APPROVED:
        _check_approvable(golden, documents)
        golden.approved_by, golden.approved_at = created_by, timezone.now()
    golden.save()
    golden.source_documents.set(documents)
    _set_variants(golden, _clean_variants(question, variants))
    return golden


_UNSET = object()


@transaction.atomic
def golden_answer_update(
    *,
    golden_answer: GoldenAnswer,
    user=None,  # noqa: ANN001
    variants: Iterable[str] | None = None,
    source_document_ids: Iterable[int] | None = None,
    **fields: object,
) -> GoldenAnswer:
    """Change fields (question, answer, language, tool, collection, valid_until, status), variants or sources.

    Approving through here records who approved; editing the text of an approved answer keeps it approved.
    """
    allowed = {"question", "answer", "language", "tool", "collection", "valid_until", "status"}
    unknown = set(fields) - allowed
    if unknown:
        raise GoldenAnswerError(f"Cannot change {', '.join(sorted(unknown))}.")
    golden = golden_answer
    if "question" in fields:
        golden.question = _clean_question(fields["question"])
    if "answer" in fields:
        golden.answer = _clean_answer(fields["answer"])
    if "language" in fields:
        golden.language = _check_language(str(fields["language"]))
    if "tool" in fields:
        golden.tool = str(fields["tool"] or "").strip()[:30]
    if "collection" in fields:
        golden.collection = fields["collection"]
    if "valid_until" in fields:
        golden.valid_until = fields["valid_until"]
    documents = _documents(source_document_ids) if source_document_ids is not None else None
    if "status" in fields and fields["status"] != golden.status:
        status = _check_status(str(fields["status"]))
        if status == GoldenAnswer.Status.APPROVED:
            _check_approvable(golden, documents if documents is not None else list(golden.source_documents.all()))
            golden.approved_by, golden.approved_at, golden.review_reason = user, timezone.now(), ""
        golden.status = status
    golden.save()
    if documents is not None:
        golden.source_documents.set(documents)
    if variants is not None:
        _set_variants(golden, _clean_variants(golden.question, variants))
    return golden


def golden_answer_approve(*, golden_answer: GoldenAnswer, user) -> GoldenAnswer:  # noqa: ANN001
    """Serve it from now on. Refused (GoldenAnswerError) while a source document is retired."""
    return golden_answer_update(golden_answer=golden_answer, user=user, status=GoldenAnswer.Status.APPROVED)


def golden_answer_retire(*, golden_answer: GoldenAnswer, user=None) -> GoldenAnswer:  # noqa: ANN001
    """Stop serving it for good (kept for the record and the lookup log)."""
    return golden_answer_update(golden_answer=golden_answer, user=user, status=GoldenAnswer.Status.RETIRED)


# --- stale on source change -----------------------------------------------------------------------------------------


@transaction.atomic
def golden_answers_flag_for_document(*, document: Document, change: str) -> int:
    """A source document changed or was retired: its approved golden answers move to needs_review (no longer served).

    Drafts keep their status but get the reason, so the reviewer sees it. Returns how many answers were flagged.
    """
    reason = f"Source document {document.pk} ({document.title[:150]}) was {change} on {timezone.localdate():%Y-%m-%d}."
    linked = GoldenAnswer.objects.filter(source_documents=document)
    flagged = linked.filter(status=GoldenAnswer.Status.APPROVED).update(
        status=GoldenAnswer.Status.NEEDS_REVIEW, review_reason=reason[:300], updated_at=timezone.now()
    )
    linked.filter(status__in=[GoldenAnswer.Status.DRAFT, GoldenAnswer.Status.NEEDS_REVIEW]).update(
        review_reason=reason[:300]
    )
    if flagged:
        GoldenIndexState.bump()
        logger.info("golden answers need review", extra={"document_id": document.pk, "change": change, "n": flagged})
    return flagged


# --- CSV ------------------------------------------------------------------------------------------------------------


def _split(value: str, separators: str = "|") -> list[str]:
    parts = [value or ""]
    for separator in separators:
        parts = [piece for part in parts for piece in part.split(separator)]
    return [part.strip() for part in parts if part.strip()]


@dataclass
class _CsvRow:
    row: int
    pk: int | None
    question: str
    answer: str
    language: str
    tool: str
    variants: list[str]
    document_ids: list[int]
    status: str
    existing: GoldenAnswer | None = field(default=None)


def _parse_csv_row(number: int, raw: dict, documents: dict[int, Document]) -> _CsvRow:
    try:
        question = _clean_question(raw.get("question"))
        answer = _clean_answer(raw.get("answer"))
        language = _check_language((raw.get("language") or "en").strip().lower())
        status = _check_status((raw.get("status") or GoldenAnswer.Status.DRAFT).strip().lower())
        variants = _clean_variants(question, _split(raw.get("variants") or ""))
    except GoldenAnswerError as exc:
        raise CsvImportError(number, str(exc)) from None
    tool = (raw.get("tool") or "").strip()
    if len(tool) > 30:
        raise CsvImportError(number, f"tool {tool[:40]!r} is longer than 30 characters.")
    try:
        ids = [int(part) for part in _split(raw.get("source_document_ids") or "", "|,; ")]
    except ValueError:
        raise CsvImportError(
            number, f"source_document_ids {raw.get('source_document_ids')!r} are not numbers."
        ) from None
    missing = [i for i in ids if i not in documents]
    if missing:
        raise CsvImportError(number, f"unknown source document id(s): {', '.join(map(str, missing))}.")
    if status == GoldenAnswer.Status.APPROVED:
        retired = [i for i in ids if documents[i].status == Document.Status.RETIRED]
        if retired:
            raise CsvImportError(number, f"cannot be approved: source document(s) {retired} are retired.")
    pk_text = (raw.get("id") or "").strip()
    if pk_text and not pk_text.isdigit():
        raise CsvImportError(number, f"id {pk_text!r} is not a number.")
    return _CsvRow(number, int(pk_text) if pk_text else None, question, answer, language, tool, variants, ids, status)


def golden_answers_import_csv(*, text: str, user=None) -> list[GoldenAnswer]:  # noqa: ANN001
    """Import golden answers from CSV (columns: question, answer, language, tool, variants separated by `|`,
    source_document_ids; optional id to update an existing answer, status, default draft).

    All or nothing: every row is checked first; the first bad row raises CsvImportError naming the row (the header is
    row 1) and nothing is written.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text))
    columns = {c.strip().lower() for c in (reader.fieldnames or []) if c}
    missing = REQUIRED_CSV_COLUMNS - columns
    if missing:
        raise CsvImportError(1, f"missing column(s): {', '.join(sorted(missing))} (expected {', '.join(CSV_COLUMNS)}).")
    raw_rows = []
    for raw in reader:
        if None in raw:
            raise CsvImportError(reader.line_num, "more values than columns (check the quoting).")
        raw_rows.append((reader.line_num, {(k or "").strip().lower(): (v or "") for k, v in raw.items()}))
        if len(raw_rows) > MAX_CSV_ROWS:
            raise CsvImportError(0, f"more than {MAX_CSV_ROWS} rows; split the file.")
    if not raw_rows:
        raise CsvImportError(0, "the file has no rows.")

    all_ids = {
        int(p) for _, raw in raw_rows for p in _split(raw.get("source_document_ids") or "", "|,; ") if p.isdigit()
    }
    documents = {doc.pk: doc for doc in Document.objects.filter(pk__in=all_ids)}
    rows = [_parse_csv_row(number, raw, documents) for number, raw in raw_rows]

    existing = GoldenAnswer.objects.in_bulk([row.pk for row in rows if row.pk])
    seen: dict[str, int] = {}
    for row in rows:
        if row.pk is not None:
            row.existing = existing.get(row.pk)
            if row.existing is None:
                raise CsvImportError(row.row, f"no golden answer with id {row.pk}.")
        for phrasing in [row.question, *row.variants]:
            key = normalize_question(phrasing)
            if key in seen and seen[key] != row.row:
                raise CsvImportError(row.row, f"the phrasing {phrasing[:80]!r} is already used on row {seen[key]}.")
            seen[key] = row.row

    imported: list[GoldenAnswer] = []
    with transaction.atomic():
        for row in rows:
            try:
                if row.existing is not None:
                    golden = golden_answer_update(
                        golden_answer=row.existing,
                        user=user,
                        question=row.question,
                        answer=row.answer,
                        language=row.language,
                        tool=row.tool,
                        status=row.status,
                        variants=row.variants,
                        source_document_ids=row.document_ids,
                    )
                else:
                    golden = golden_answer_create(
                        question=row.question,
                        answer=row.answer,
                        language=row.language,
                        tool=row.tool,
                        status=row.status,
                        variants=row.variants,
                        source_document_ids=row.document_ids,
                        created_by=user,
                        origin=GoldenAnswer.Origin.CSV,
                    )
            except GoldenAnswerError as exc:
                raise CsvImportError(row.row, str(exc)) from None
            imported.append(golden)
    return imported


def golden_answers_export_csv(*, answers: Iterable[GoldenAnswer]) -> str:
    """The answers as CSV in the import format (round-trips: importing it back updates the same rows)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for golden in answers:
        writer.writerow(
            [
                golden.pk,
                golden.question,
                golden.answer,
                golden.language,
                golden.tool,
                " | ".join(v.question for v in golden.variants.all()),
                "|".join(str(doc.pk) for doc in golden.source_documents.all()),
                golden.status,
            ]
        )
    return out.getvalue()


# --- the demo set ---------------------------------------------------------------------------------------------------


@dataclass
class DemoLoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    sources_attached: int = 0
    unresolved_sources: list[str] = field(default_factory=list)


def document_resolve(*, demo_path: str, demo_root) -> Document | None:  # noqa: ANN001 - a Path
    """The Document ingested from `<collection>/<file>` under the demo folder: by collection and original file name,
    else by the title in the file's front matter."""
    slug, _, name = demo_path.partition("/")
    found = Document.objects.filter(collection__slug=slug, original_name=name).first()
    if found is not None:
        return found
    try:
        import yaml

        text = (demo_root / demo_path).read_text(encoding="utf-8")
        front = yaml.safe_load(text.split("---", 2)[1]) if text.startswith("---") else {}
        title = (front or {}).get("title")
    except (OSError, IndexError, ValueError):
        title = None
    if title:
        return Document.objects.filter(collection__slug=slug, title=title).first()
    return None


def golden_answers_load_file(*, entries: list[dict], demo_root, update: bool = False) -> DemoLoadReport:  # noqa: ANN001
    """Load keyed golden answers (the demo set) as approved. Idempotent: existing keys are left as curated, except that
    sources which now resolve are attached; `update=True` rewrites them from the file."""
    report = DemoLoadReport()
    existing = {
        g.key: g
        for g in GoldenAnswer.objects.filter(key__in=[e["key"] for e in entries]).prefetch_related(
            "source_documents", "variants"
        )
    }
    with transaction.atomic():
        for entry in entries:
            documents: list[Document] = []
            for path in entry.get("sources", []):
                document = document_resolve(demo_path=path, demo_root=demo_root)
                if document is None:
                    report.unresolved_sources.append(f"{entry['key']}: {path}")
                else:
                    documents.append(document)
            current = existing.get(entry["key"])
            if current is None:
                golden_answer_create(
                    question=entry["question"],
                    answer=entry["answer"],
                    language=entry.get("language", "en"),
                    tool=entry.get("tool", ""),
                    collection=documents[0].collection if documents else None,
                    source_document_ids=[d.pk for d in documents],
                    variants=entry.get("variants", []),
                    status=GoldenAnswer.Status.APPROVED,
                    origin=GoldenAnswer.Origin.DEMO,
                    key=entry["key"],
                )
                report.created += 1
            elif update:
                golden_answer_update(
                    golden_answer=current,
                    question=entry["question"],
                    answer=entry["answer"],
                    language=entry.get("language", "en"),
                    tool=entry.get("tool", ""),
                    variants=entry.get("variants", []),
                    source_document_ids=[d.pk for d in documents],
                    status=GoldenAnswer.Status.APPROVED,
                )
                report.updated += 1
            else:
                have = {d.pk for d in current.source_documents.all()}
                missing = [d for d in documents if d.pk not in have]
                if missing and current.status != GoldenAnswer.Status.RETIRED:
                    current.source_documents.add(*missing)
                    report.sources_attached += len(missing)
                else:
                    report.unchanged += 1
    return report
