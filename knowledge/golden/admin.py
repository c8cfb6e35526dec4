"""Curation: golden answers with usage and hit counts, the review queue (approve / edit / retire), CSV import/export,
"test a query" with the guards, the daily hit rate, the lookup log and the nightly runs."""

import datetime

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from nuzantara.admin_mixins import ReadOnlyAdminMixin

from . import selectors, services
from .forms import CsvImportForm, GoldenAnswerForm, TestQueryForm
from .models import GoldenAnswer, GoldenAnswerReview, GoldenAnswerVariant, GoldenLookup, NightlyRun

HIT_WINDOW_DAYS = 30


class VariantInline(admin.TabularInline):
    model = GoldenAnswerVariant
    extra = 2
    fields = ["question"]


class GoldenAnswerAdminBase(admin.ModelAdmin):
    form = GoldenAnswerForm
    inlines = [VariantInline]
    search_fields = ["question", "variants__question", "answer", "key"]
    list_filter = ["status", "language", "tool", "origin"]
    raw_id_fields = ["source_documents", "collection"]
    readonly_fields = [
        "key", "origin", "usage_count", "last_hit_at", "created_by", "approved_by", "approved_at", "nightly_run",
        "created_at", "updated_at",
    ]  # fmt: skip
    actions = ["approve", "retire", "send_to_review", "export_csv"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        since = timezone.now() - datetime.timedelta(days=HIT_WINDOW_DAYS)
        recent = Q(lookups__created_at__gte=since)
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_hits=Count("lookups", filter=recent & Q(lookups__hit=True), distinct=True),
                n_refused=Count(
                    "lookups", filter=recent & Q(lookups__hit=False) & ~Q(lookups__refused_by=""), distinct=True
                ),
            )
        )

    @admin.display(description=f"hits {HIT_WINDOW_DAYS}d", ordering="n_hits")
    def hits(self, obj: GoldenAnswer) -> int:
        return obj.n_hits

    @admin.display(description=f"refused {HIT_WINDOW_DAYS}d", ordering="n_refused")
    def refused(self, obj: GoldenAnswer) -> int:
        return obj.n_refused

    def save_model(self, request: HttpRequest, obj: GoldenAnswer, form: GoldenAnswerForm, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        previous = GoldenAnswer.objects.filter(pk=obj.pk).values_list("status", flat=True).first() if change else None
        if obj.status == GoldenAnswer.Status.APPROVED and previous != GoldenAnswer.Status.APPROVED:
            obj.approved_by, obj.approved_at, obj.review_reason = request.user, timezone.now(), ""
        super().save_model(request, obj, form, change)

    def response_change(self, request: HttpRequest, obj: GoldenAnswer) -> HttpResponse:
        # The review screen's extra buttons: save the edits first (done by now), then change the status.
        for button, transition in (
            ("_approve", services.golden_answer_approve),
            ("_retire", services.golden_answer_retire),
        ):
            if button in request.POST:
                return self._transition(request, [obj], transition) or HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def _transition(self, request: HttpRequest, objects, transition) -> None:  # noqa: ANN001
        done = 0
        for golden in objects:
            try:
                transition(golden_answer=golden, user=request.user)
                done += 1
            except services.GoldenAnswerError as exc:
                self.message_user(request, f"#{golden.pk}: {exc}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} golden answer(s) updated.", messages.SUCCESS)

    @admin.action(description="Approve (serve from now on)")
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._transition(request, list(queryset), services.golden_answer_approve)

    @admin.action(description="Retire (stop serving)")
    def retire(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._transition(request, list(queryset), services.golden_answer_retire)

    @admin.action(description="Send back to review")
    def send_to_review(self, request: HttpRequest, queryset: QuerySet) -> None:
        def to_review(*, golden_answer: GoldenAnswer, user) -> GoldenAnswer:  # noqa: ANN001
            return services.golden_answer_update(
                golden_answer=golden_answer, user=user, status=GoldenAnswer.Status.NEEDS_REVIEW
            )

        self._transition(request, list(queryset), to_review)

    @admin.action(description="Export selected as CSV")
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        answers = queryset.order_by("pk").prefetch_related("variants", "source_documents")
        response = HttpResponse(services.golden_answers_export_csv(answers=answers), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="golden-answers.csv"'
        return response


@admin.register(GoldenAnswer)
class GoldenAnswerAdmin(GoldenAnswerAdminBase):
    list_display = ["question", "status", "language", "tool", "usage_count", "hits", "refused", "last_hit_at"]
    change_list_template = "golden/admin/change_list.html"

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="golden_goldenanswer_import"),
            path("export/", view(self.export_all_view), name="golden_goldenanswer_export"),
            path("test-query/", view(self.test_query_view), name="golden_goldenanswer_test_query"),
            path("hit-rate/", view(self.hit_rate_view), name="golden_goldenanswer_hit_rate"),
            *super().get_urls(),
        ]

    def _context(self, request: HttpRequest, title: str, **extra: object) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **extra}

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return redirect("admin:golden_goldenanswer_changelist")
        form = CsvImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                text = form.cleaned_data["file"].read().decode("utf-8")
                imported = services.golden_answers_import_csv(text=text, user=request.user)
            except UnicodeDecodeError:
                form.add_error("file", "The CSV must be UTF-8 text.")
            except services.CsvImportError as exc:
                form.add_error("file", f"Nothing was imported. {exc}")
            else:
                self.message_user(request, f"{len(imported)} golden answer(s) imported.", messages.SUCCESS)
                return redirect("admin:golden_goldenanswer_changelist")
        return TemplateResponse(
            request, "golden/admin/import.html", self._context(request, "Import golden answers", form=form)
        )

    def export_all_view(self, request: HttpRequest) -> HttpResponse:
        return self.export_csv(request, GoldenAnswer.objects.all())

    def test_query_view(self, request: HttpRequest) -> HttpResponse:
        form = TestQueryForm(request.GET or None)
        reports = None
        if form.is_bound and form.is_valid():
            try:
                reports = selectors.golden_answer_explain(query=form.cleaned_data["q"])
            except selectors.InvalidGoldenQuery as exc:
                form.add_error("q", str(exc))
        context = self._context(
            request, "Test a query", form=form, reports=reports, threshold=selectors.golden_threshold()
        )
        return TemplateResponse(request, "golden/admin/test_query.html", context)

    def hit_rate_view(self, request: HttpRequest) -> HttpResponse:
        rows = selectors.golden_hit_rate_daily(days=30)
        context = self._context(request, "Golden answers: daily hit rate", rows=list(reversed(rows)))
        return TemplateResponse(request, "golden/admin/hit_rate.html", context)


@admin.register(GoldenAnswerReview)
class GoldenAnswerReviewAdmin(GoldenAnswerAdminBase):
    """Drafts (nightly, CSV, staff) and answers whose sources changed: approve, edit or retire."""

    list_display = ["question", "status", "review_reason", "origin", "language", "source_count", "created_at"]
    list_filter = ["status", "origin", "language"]
    change_form_template = "golden/admin/review_change_form.html"
    actions = ["approve", "retire"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        review = [GoldenAnswer.Status.DRAFT, GoldenAnswer.Status.NEEDS_REVIEW]
        return (
            super()
            .get_queryset(request)
            .filter(status__in=review)
            .annotate(n_sources=Count("source_documents", distinct=True))
        )

    @admin.display(description="sources", ordering="n_sources")
    def source_count(self, obj: GoldenAnswer) -> int:
        return obj.n_sources

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # new answers are written in the golden answers list


@admin.register(GoldenLookup)
class GoldenLookupAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every lookup with the nearest golden answer: where to tune the threshold from real traffic."""

    list_display = [
        "created_at",
        "query",
        "hit",
        "method",
        "similarity",
        "cosine",
        "coverage",
        "refused_by",
        "golden",
        "latency_ms",
    ]
    list_filter = ["hit", "method", "refused_by"]
    search_fields = ["query"]
    date_hierarchy = "created_at"
    list_select_related = ["golden_answer"]

    @admin.display(description="golden answer")
    def golden(self, obj: GoldenLookup) -> str:
        if obj.golden_answer_id is None:
            return "—"
        url = reverse("admin:golden_goldenanswer_change", args=[obj.golden_answer_id])
        return format_html('<a href="{}">#{}</a>', url, obj.golden_answer_id)


@admin.register(NightlyRun)
class NightlyRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "started_at",
        "finished_at",
        "status",
        "provider",
        "questions",
        "clusters",
        "uncovered_clusters",
        "drafts_created",
        "error_count",
    ]
    list_filter = ["status", "provider"]
    readonly_fields = [f.name for f in NightlyRun._meta.fields]
    actions = ["draft_now"]

    @admin.display(description="errors")
    def error_count(self, obj: NightlyRun) -> int:
        return len(obj.errors or [])

    @admin.action(description="Draft answers now (runs the nightly job)")
    def draft_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        from .tasks import golden_draft_nightly

        golden_draft_nightly.delay()
        self.message_user(request, "Nightly drafting queued; the run appears here when it starts.", messages.SUCCESS)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # The action needs no selection: allow it on an empty list too.
        if request.POST.get("action") == "draft_now" and not request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME):
            self.draft_now(request, NightlyRun.objects.none())
            return redirect(request.get_full_path())
        return super().changelist_view(request, extra_context)
