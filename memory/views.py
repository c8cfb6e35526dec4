"""The "What ZANTARA remembers" page: list, add, edit and delete facts, and forget everything after a confirmation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .models import FACT_KINDS, MemoryDeletion
from .selectors import memory_fact_get_for_user, memory_facts_grouped, memory_history_for_user
from .services import (
    MemoryInputError,
    memory_fact_create,
    memory_fact_delete,
    memory_fact_update,
    memory_forget_everything,
)

HISTORY_SHOWN = 100
KIND_LABELS = {
    "identity": gettext_lazy("About you"),
    "family": gettext_lazy("Family"),
    "location": gettext_lazy("Where you live"),
    "business": gettext_lazy("Work and company"),
    "immigration": gettext_lazy("Visa and stay"),
    "deadline": gettext_lazy("Deadlines"),
    "preference": gettext_lazy("Preferences"),
    "other": gettext_lazy("Other"),
}


@login_required
@require_GET
def facts_page(request: HttpRequest) -> HttpResponse:
    groups = memory_facts_grouped(user=request.user)
    history = list(memory_history_for_user(user=request.user)[: HISTORY_SHOWN + 1])
    context = {
        "groups": [(KIND_LABELS.get(kind, kind), facts) for kind, facts in groups],
        "count": sum(len(facts) for _, facts in groups),
        "history": history[:HISTORY_SHOWN],
        "history_more": len(history) > HISTORY_SHOWN,
        "kinds": [(kind, KIND_LABELS.get(kind, kind)) for kind in FACT_KINDS],
    }
    return render(request, "memory/facts.html", context)


@login_required
@require_POST
def fact_add(request: HttpRequest) -> HttpResponse:
    try:
        memory_fact_create(
            user=request.user,
            text=request.POST.get("text", ""),
            kind=request.POST.get("kind", "other"),
            pinned=request.POST.get("pinned") == "on",
        )
    except MemoryInputError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("memory:facts")


@login_required
@require_POST
def fact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    fact = memory_fact_get_for_user(user=request.user, pk=pk)
    try:
        memory_fact_update(
            fact=fact,
            text=request.POST.get("text", ""),
            kind=request.POST.get("kind", fact.kind),
            pinned=request.POST.get("pinned") == "on",
        )
    except MemoryInputError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Updated."))
    return redirect("memory:facts")


@login_required
@require_POST
def fact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    fact = memory_fact_get_for_user(user=request.user, pk=pk, include_history=True)
    if request.POST.get("confirm") != "yes":  # one click must not erase for good: the page asks first
        messages.error(request, _("Nothing was deleted: confirm with “Delete for good”."))
        return redirect("memory:facts")
    memory_fact_delete(fact=fact, how=MemoryDeletion.How.PAGE_ONE)
    messages.success(request, _("Deleted. It is erased from ZANTARA's memory."))
    return redirect("memory:facts")


@login_required
@require_http_methods(["GET", "POST"])
def forget_everything(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        count = memory_forget_everything(user=request.user, how=MemoryDeletion.How.PAGE_ALL)
        messages.success(
            request,
            ngettext("Erased %(count)d fact.", "Erased %(count)d facts.", count) % {"count": count},
        )
        return redirect("memory:facts")
    if request.method == "POST":
        messages.error(request, _("Nothing was erased: tick the confirmation first."))
    groups = memory_facts_grouped(user=request.user)
    context = {
        "count": sum(len(facts) for _, facts in groups),
        "history_count": memory_history_for_user(user=request.user).count(),
    }
    return render(request, "memory/forget_confirm.html", context)
