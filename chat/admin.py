from django.contrib import admin
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.template.response import TemplateResponse
from django.urls import path

from nuzantara.admin_mixins import ReadOnlyAdminMixin

from . import selectors, services
from .budget import budget_state
from .models import Conversation, HandoffRequest, Message


class MessageInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Message
    extra = 0
    can_delete = False
    fields = [
        "role",
        "content",
        "status",
        "source",
        "tool",
        "model",
        "cost_usd",
        "feedback",
        "feedback_comment",
        "created_at",
    ]
    readonly_fields = fields


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "title", "user", "language", "message_count", "cost", "updated_at", "archived"]
    list_filter = ["language", "archived"]
    search_fields = ["title", "user__username"]
    inlines = [MessageInline]

    def get_queryset(self, request):  # noqa: ANN001, ANN201
        return (
            super()
            .get_queryset(request)
            .select_related("user")
            .annotate(n_messages=Count("messages"), cost_usd=Sum("messages__cost_usd"))
        )

    @admin.display(description="messages", ordering="n_messages")
    def message_count(self, obj: Conversation) -> int:
        return obj.n_messages

    @admin.display(description="LLM cost (USD)", ordering="cost_usd")
    def cost(self, obj: Conversation) -> str:
        return f"{obj.cost_usd or 0:.4f}"

    def get_urls(self) -> list:
        return [
            path("cost/", self.admin_site.admin_view(self.cost_view), name="chat_cost_per_day"),
            *super().get_urls(),
        ]

    def cost_view(self, request):  # noqa: ANN001, ANN201
        rows = (
            Message.objects.filter(role=Message.Role.ASSISTANT)
            .annotate(day=TruncDate("created_at"))
            .values("day")
            .annotate(
                answers=Count("id"), cost=Sum("cost_usd"), tokens_in=Sum("tokens_in"), tokens_out=Sum("tokens_out")
            )
            .order_by("-day")[:60]
        )
        per_user = (
            Message.objects.filter(role=Message.Role.ASSISTANT)
            .values("conversation__user__username")
            .annotate(answers=Count("id"), conversations=Count("conversation", distinct=True), cost=Sum("cost_usd"))
            .order_by("-cost", "conversation__user__username")[:100]
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "LLM cost per day and per user",
            "rows": rows,
            "per_user": per_user,
            "budget": budget_state(),
        }
        return TemplateResponse(request, "admin/chat/cost_per_day.html", context)


class ThumbsDownFilter(admin.SimpleListFilter):
    title = "feedback"
    parameter_name = "feedback"

    def lookups(self, request, model_admin):  # noqa: ANN001, ANN201
        return [("down", "👎 thumbs down"), ("up", "👍 thumbs up")]

    def queryset(self, request, queryset):  # noqa: ANN001, ANN201
        if self.value() == "down":
            return queryset.filter(feedback=-1)
        if self.value() == "up":
            return queryset.filter(feedback=1)
        return queryset


@admin.register(Message)
class MessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Answers to review: filter on thumbs down to see what users found wrong."""

    list_display = [
        "id",
        "conversation",
        "role",
        "short",
        "source",
        "tool",
        "status",
        "feedback",
        "cost_usd",
        "created_at",
    ]
    list_filter = [ThumbsDownFilter, "role", "source", "status", "tool"]
    search_fields = ["content", "feedback_comment"]
    date_hierarchy = "created_at"

    @admin.display(description="content")
    def short(self, obj: Message) -> str:
        return obj.content[:80]


@admin.action(description="Save as golden answer (review queue)")
def save_as_golden_answer(modeladmin, request, queryset) -> None:  # noqa: ANN001
    """From answers or consultant replies: draft golden answers in the review queue (the question is the client's
    message before each, the answer its text, the sources its citations)."""
    saved, refused = 0, 0
    for message in queryset.select_related("conversation"):
        try:
            services.message_golden_answer_create(message=message, user=request.user)
            saved += 1
        except services.ChatInputError:
            refused += 1
    modeladmin.message_user(request, f"{saved} draft golden answer(s) in the review queue; {refused} skipped.")


MessageAdmin.actions = [save_as_golden_answer]


@admin.register(HandoffRequest)
class HandoffRequestAdmin(admin.ModelAdmin):
    """The queue of clients who asked for a person: filter by status, assignee and language; time to first reply."""

    list_display = [
        "id", "user", "conversation", "status", "assigned_to", "language", "first_reply", "preferred_contact",
        "preferred_time", "created_at",
    ]  # fmt: skip
    list_filter = ["status", ("assigned_to", admin.RelatedOnlyFieldListFilter), "language"]
    list_select_related = ["user", "conversation", "assigned_to"]
    fields = [
        "user", "conversation", "message", "status", "assigned_to", "language", "preferred_contact", "preferred_time",
        "created_at", "first_reply_at", "resolved_at",
    ]  # fmt: skip
    readonly_fields = ["user", "conversation", "message", "language", "created_at", "first_reply_at", "resolved_at"]
    actions = ["assign_to_me", "mark_resolved"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    @admin.display(description="time to first reply", ordering="first_reply_at")
    def first_reply(self, obj: HandoffRequest) -> str:
        seconds = obj.first_reply_seconds
        return "—" if seconds is None else f"{seconds / 60:.0f} min"

    def save_model(self, request, obj, form, change) -> None:  # noqa: ANN001
        """Status and assignee through the service: resolving tells the client, as in the staff inbox."""
        changes = {name: form.cleaned_data[name] for name in ("status", "assigned_to") if name in form.changed_data}
        details = {name: form.cleaned_data[name] for name in ("preferred_contact", "preferred_time")}
        HandoffRequest.objects.filter(pk=obj.pk).update(**details)
        if changes:
            services.handoff_update(request=obj, **changes)

    @admin.action(description="Assign to me")
    def assign_to_me(self, request, queryset) -> None:  # noqa: ANN001
        for handoff in queryset:
            services.handoff_update(request=handoff, assigned_to=request.user)

    @admin.action(description="Mark as resolved (the client is told)")
    def mark_resolved(self, request, queryset) -> None:  # noqa: ANN001
        for handoff in queryset.exclude(status=HandoffRequest.Status.RESOLVED):
            services.handoff_update(request=handoff, status=HandoffRequest.Status.RESOLVED)

    def get_urls(self) -> list:
        return [
            path("first-reply/", self.admin_site.admin_view(self.first_reply_view), name="chat_handoff_first_reply"),
            *super().get_urls(),
        ]

    def first_reply_view(self, request):  # noqa: ANN001, ANN201
        context = {
            **self.admin_site.each_context(request),
            "title": "Handoff requests: time to first reply per day",
            "rows": selectors.handoff_first_reply_daily(days=60),
        }
        return TemplateResponse(request, "admin/chat/handoff_first_reply.html", context)

    def changelist_view(self, request, extra_context=None):  # noqa: ANN001, ANN201
        extra_context = {**(extra_context or {}), "first_reply_url": "first-reply/"}
        return super().changelist_view(request, extra_context)
