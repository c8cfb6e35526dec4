from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from .dataset import InvalidQuery
from .models import RouteDecision
from .registry import TOOLS
from .services import query_hash, route_decision_correct


class CorrectionForm(forms.Form):
    tool = forms.ChoiceField(choices=[(label, label) for label in TOOLS], label="Correct tool")
    query_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        label="Query text",
        help_text="Paste the user's message exactly (from the conversation). Only its hash was logged; the text is "
        "kept with the correction because `export_router_data` turns it into a training line.",
    )


class ReviewedFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "reviewed"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("no", "not reviewed"), ("right", "router was right"), ("wrong", "router was wrong")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        from django.db.models import F

        if self.value() == "no":
            return queryset.filter(corrected_tool="")
        if self.value() == "right":
            return queryset.exclude(corrected_tool="").filter(corrected_tool=F("tool"))
        if self.value() == "wrong":
            return queryset.exclude(corrected_tool="").exclude(corrected_tool=F("tool"))
        return queryset


@admin.register(RouteDecision)
class RouteDecisionAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "tool",
        "confidence",
        "abstained",
        "latency_ms",
        "model_version",
        "corrected_tool",
        "short_hash",
    ]
    list_filter = ["tool", "abstained", ReviewedFilter, "corrected_tool", "model_version", "created_at"]
    search_fields = ["query_hash"]
    search_help_text = "Paste a user's message to find the decisions taken for it (matched by its hash)."
    date_hierarchy = "created_at"
    actions = ["record_correct_tool"]
    readonly_fields = [f.name for f in RouteDecision._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="query hash")
    def short_hash(self, obj: RouteDecision) -> str:
        return obj.query_hash[:12]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        # Only hashes are stored: a pasted message is found through its hash, a pasted hash (or prefix) directly.
        return queryset.filter(query_hash=query_hash(term)) | queryset.filter(
            query_hash__startswith=term.lower()
        ), False

    @admin.action(description="Record the correct tool for the selected decisions", permissions=["change"])
    def record_correct_tool(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = CorrectionForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            corrected = 0
            for decision in queryset:
                try:
                    route_decision_correct(
                        decision=decision,
                        tool=form.cleaned_data["tool"],
                        query_text=form.cleaned_data["query_text"],
                        corrected_by=request.user,
                    )
                    corrected += 1
                except (ValidationError, InvalidQuery) as exc:
                    message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                    self.message_user(request, f"Decision #{decision.pk}: {message}", messages.ERROR)
            if corrected:
                self.message_user(request, f"Recorded the correct tool for {corrected} decision(s).", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Record the correct tool",
            "opts": self.model._meta,
            "form": form,
            "decisions": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/routing/routedecision/correct.html", context)
