"""Curation: collections with counts, multi-file upload, documents with their chunks, reindex, "try a query"."""

import datetime

from django.conf import settings
from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from knowledge.forms import TryQueryForm, UploadForm
from knowledge.models import Chunk, Collection, CorpusState, Document
from knowledge.search.index import IndexUnavailable
from knowledge.selectors import InvalidQuery, knowledge_search
from knowledge.services import collection_reindex, document_reindex, document_retire, document_upload
from knowledge.tasks import collection_reindex_task

ACTIVE = Q(documents__status=Document.Status.ACTIVE)


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "document_count", "chunk_count", "score_boost", "ordering"]
    list_editable = ["score_boost", "ordering"]
    search_fields = ["slug", "name"]
    actions = ["reindex"]
    change_list_template = "admin/knowledge/collection/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_documents=Count("documents", filter=ACTIVE, distinct=True),
                n_chunks=Count("documents__chunks", filter=ACTIVE),
            )
        )

    @admin.display(description="documents", ordering="n_documents")
    def document_count(self, collection: Collection) -> HttpResponse:
        url = reverse("admin:knowledge_document_changelist") + f"?collection__id__exact={collection.pk}"
        return format_html('<a href="{}">{}</a>', url, collection.n_documents)

    @admin.display(description="chunks", ordering="n_chunks")
    def chunk_count(self, collection: Collection) -> int:
        return collection.n_chunks

    def save_model(self, request: HttpRequest, obj: Collection, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        CorpusState.bump()  # searchers reload boosts with their snapshot

    def has_delete_permission(self, request: HttpRequest, obj: Collection | None = None) -> bool:
        return False

    @admin.action(description="Rebuild the Chroma index of the selected collections")
    def reindex(self, request: HttpRequest, queryset: QuerySet) -> None:
        if not settings.CELERY_TASK_ALWAYS_EAGER:  # a worker is there: do not hold the request for minutes
            for collection in queryset:
                collection_reindex_task.delay(collection.pk)
            self.message_user(request, f"Reindex queued for {queryset.count()} collection(s).", messages.SUCCESS)
            return
        try:
            counts = {c.slug: collection_reindex(collection=c) for c in queryset}
        except IndexUnavailable as exc:
            self.message_user(request, f"The index is unavailable: {exc}", messages.ERROR)
            return
        summary = ", ".join(f"{slug} ({n} chunks)" for slug, n in counts.items())
        self.message_user(request, f"Reindexed {summary}.", messages.SUCCESS)

    def get_urls(self):
        extra = [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="knowledge_collection_upload"),
            path("try/", self.admin_site.admin_view(self.try_view), name="knowledge_collection_try"),
        ]
        return extra + super().get_urls()

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        initial = {"collection": request.GET.get("collection")}
        form = UploadForm(request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            collection = form.cleaned_data["collection"]
            with transaction.atomic():  # every file stored, then the ingest tasks queued
                for name, raw in form.cleaned_data["uploads"]:
                    document_upload(name=name, raw=raw, collection=collection)
            self.message_user(
                request,
                f"{len(form.cleaned_data['uploads'])} file(s) stored in {collection.slug}: each is parsed and indexed "
                "in the background; the ingest column shows when it is ready or why it failed.",
                messages.SUCCESS,
            )
            url = reverse("admin:knowledge_document_changelist")
            return HttpResponseRedirect(f"{url}?collection__id__exact={collection.pk}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Upload documents",
            "form": form,
        }
        return TemplateResponse(request, "admin/knowledge/upload.html", context)

    def try_view(self, request: HttpRequest) -> HttpResponse:
        form = TryQueryForm(request.GET or None)
        hits, error = [], ""
        if form.is_valid():
            slugs = [c.slug for c in form.cleaned_data["collections"]] or None
            try:
                hits = knowledge_search(
                    query=form.cleaned_data["q"],
                    collections=slugs,
                    language=form.cleaned_data["language"] or None,
                    k=form.cleaned_data["k"],
                )
            except (InvalidQuery, IndexUnavailable) as exc:
                error = str(exc)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Try a query",
            "form": form,
            "hits": hits,
            "error": error,
            "searched": form.is_bound,
        }
        return TemplateResponse(request, "admin/knowledge/try.html", context)


class StaleFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "stale"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin):
        return [("yes", f"stale (over {settings.KNOWLEDGE_STALE_DAYS} days)"), ("no", "reviewed recently")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        cutoff = timezone.localdate() - datetime.timedelta(days=settings.KNOWLEDGE_STALE_DAYS)
        stale = Q(last_reviewed__lt=cutoff) | Q(last_reviewed__isnull=True)
        if self.value() == "yes":
            return queryset.filter(stale)
        if self.value() == "no":
            return queryset.exclude(stale)
        return queryset


class ChunkInline(admin.TabularInline):
    model = Chunk
    fields = ["ordinal", "heading_path", "token_count", "preview"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    @admin.display(description="text")
    def preview(self, chunk: Chunk) -> HttpResponse:
        return format_html('<div style="white-space:pre-wrap;max-width:60em">{}</div>', chunk.text)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "collection",
        "language",
        "status",
        "ingest",
        "last_reviewed",
        "stale",
        "chunk_count",
        "updated_at",
    ]
    list_filter = ["collection", "language", "status", "ingest_status", StaleFilter]
    search_fields = ["title", "source", "original_name"]
    list_select_related = ["collection"]
    date_hierarchy = None
    actions = ["retire", "reindex"]
    inlines = [ChunkInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = [
        "collection",
        "title",
        "language",
        "status",
        "ingest_status",
        "ingest_error",
        "original_name",
        "original_download",
        "file_format",
        "checksum",
        "stale",
        "created_at",
        "updated_at",
    ]
    # Only fields outside the embedded text are edited here; content changes go through an upload (re-ingest).
    fields = ["collection", "title", "language", "status", "ingest_status", "ingest_error", "source", "source_url"] + [
        "last_reviewed",
        "stale",
        "original_name",
        "original_download",
        "file_format",
        "checksum",
        "created_at",
        "updated_at",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(n_chunks=Count("chunks"))

    def get_urls(self) -> list:
        view = self.admin_site.admin_view(self.original_view)
        return [path("<int:pk>/original/", view, name="knowledge_document_original"), *super().get_urls()]

    @admin.display(description="original file")
    def original_download(self, document: Document) -> str:
        if not document.original_file:
            return "-"
        url = reverse("admin:knowledge_document_original", args=[document.pk])
        return format_html('<a href="{}">{}</a>', url, document.original_name)

    def original_view(self, request: HttpRequest, pk: int) -> FileResponse:
        """Staff download the original through Django, from whichever storage holds it (disk or a private bucket)."""
        document = get_object_or_404(Document, pk=pk)
        if not self.has_view_permission(request, document) or not document.original_file:
            raise Http404("no original file")
        if not document.original_file.storage.exists(document.original_file.name):
            raise Http404("the original file is missing from storage")
        return FileResponse(document.original_file.open("rb"), as_attachment=True, filename=document.original_name)

    @admin.display(description="chunks", ordering="n_chunks")
    def chunk_count(self, document: Document) -> int:
        return document.n_chunks

    @admin.display(description="ingest", ordering="ingest_status")
    def ingest(self, document: Document) -> str:
        if document.ingest_status == Document.IngestStatus.FAILED:
            return f"failed: {document.ingest_error}"
        return document.get_ingest_status_display().lower()

    @admin.display(description="stale", boolean=True)
    def stale(self, document: Document) -> bool:
        return document.is_stale

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # documents arrive through the upload page or kb_ingest

    def has_delete_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        return False  # retire instead: keeps the record and leaves the index consistent

    @admin.action(description="Retire the selected documents (remove from search)")
    def retire(self, request: HttpRequest, queryset: QuerySet) -> None:
        try:
            retired = [document_retire(document=d) for d in queryset.select_related("collection")]
        except IndexUnavailable as exc:
            self.message_user(request, f"The index is unavailable: {exc}", messages.ERROR)
            return
        self.message_user(request, f"Retired {len(retired)} document(s).", messages.SUCCESS)

    @admin.action(description="Re-embed the selected documents into the index")
    def reindex(self, request: HttpRequest, queryset: QuerySet) -> None:
        try:
            chunks = sum(document_reindex(document=d) for d in queryset.select_related("collection"))
        except IndexUnavailable as exc:
            self.message_user(request, f"The index is unavailable: {exc}", messages.ERROR)
            return
        self.message_user(request, f"Re-indexed {chunks} chunk(s).", messages.SUCCESS)
