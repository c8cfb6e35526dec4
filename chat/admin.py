from django.contrib import admin
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.template.response import TemplateResponse
from django.urls import path

from nuzantara.admin_mixins import ReadOnlyAdminMixin

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


@admin.register(HandoffRequest)
class HandoffRequestAdmin(admin.ModelAdmin):
    """The queue of users who asked for a human."""

    list_display = ["id", "user", "conversation", "status", "preferred_contact", "preferred_time", "created_at"]
    list_filter = ["status"]
    list_editable = ["status"]
    readonly_fields = ["user", "conversation", "message", "created_at"]
    actions = ["mark_contacted", "mark_closed"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    @admin.action(description="Mark as contacted")
    def mark_contacted(self, request, queryset) -> None:  # noqa: ANN001
        queryset.update(status=HandoffRequest.Status.CONTACTED)

    @admin.action(description="Mark as closed")
    def mark_closed(self, request, queryset) -> None:  # noqa: ANN001
        queryset.update(status=HandoffRequest.Status.CLOSED)
