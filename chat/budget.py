"""The monthly LLM budget (LLM_MONTHLY_BUDGET_USD, 0 = none): what this calendar month's answers cost (UTC).

At 80% staff are mailed once a month; from 100% new questions skip Claude (golden -> Llama worker -> offline) until
the month ends. Spending is the sum of the answers' recorded `cost_usd`.
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone

from nuzantara.health import CheckResult

from .models import Message

logger = logging.getLogger(__name__)

WARN_SHARE = Decimal("0.8")


@dataclass(frozen=True)
class BudgetState:
    budget: Decimal  # 0: no budget
    spent: Decimal
    month: str  # "2026-12"

    @property
    def share(self) -> Decimal:
        return self.spent / self.budget if self.budget else Decimal(0)

    @property
    def exhausted(self) -> bool:
        return bool(self.budget) and self.spent >= self.budget


def _month_start(now: datetime.datetime) -> datetime.datetime:
    now = now.astimezone(datetime.UTC)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def budget_state(*, now: datetime.datetime | None = None) -> BudgetState:
    start = _month_start(now or timezone.now())
    budget = Decimal(str(settings.LLM_MONTHLY_BUDGET_USD))
    answers = Message.objects.filter(role=Message.Role.ASSISTANT, created_at__gte=start)
    spent = answers.aggregate(total=Sum("cost_usd"))["total"] or Decimal(0)
    return BudgetState(budget=budget, spent=spent, month=start.strftime("%Y-%m"))


def claude_allowed() -> bool:
    """False once this month's spending reached the budget: new questions go to the next model in the chain."""
    if not settings.LLM_MONTHLY_BUDGET_USD:
        return True
    state = budget_state()
    if state.exhausted:
        logger.info("llm budget exhausted: skipping claude", extra={"month": state.month})
    return not state.exhausted


def budget_warn_staff() -> bool:
    """Mail active staff once a month when spending crossed 80% of the budget; True when this call sent it."""
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail

    state = budget_state()
    if not state.budget or state.share < WARN_SHARE:
        return False
    if not cache.add(f"llm-budget-warned:{state.month}", 1, timeout=40 * 24 * 3600):
        return False  # already sent this month
    recipients = list(
        get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="").values_list("email", flat=True)
    )
    if recipients:
        send_mail(
            subject=f"ZANTARA: {state.share:.0%} of this month's LLM budget used",
            message=(
                f"Answers cost {state.spent:.2f} USD so far in {state.month}, of a budget of {state.budget:.2f} USD "
                "(LLM_MONTHLY_BUDGET_USD). At 100%, new questions skip Claude (golden answers, then the Llama "
                "worker, then the offline answerer) until the month ends."
            ),
            from_email=None,
            recipient_list=recipients,
        )
    logger.warning("llm budget warning sent", extra={"month": state.month, "recipients": len(recipients)})
    return True


def check_budget() -> CheckResult:
    """/health: "not set", "ok (12% of 100.00 USD)" or "exhausted": degraded (answers still flow, without Claude)."""
    state = budget_state()
    if not state.budget:
        return CheckResult("not set")
    summary = f"{state.share:.0%} of {state.budget:.2f} USD in {state.month}"
    if state.exhausted:
        return CheckResult(
            f"exhausted ({summary})", healthy=False, reason="new questions skip Claude until the month ends"
        )
    return CheckResult(f"ok ({summary})")
