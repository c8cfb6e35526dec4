"""Liveness (/health) and readiness (/ready).

/health answers 503 ("unhealthy") only when a required check fails (database, Redis): a platform restarts a web process
on that. Any other failing check (chroma, worker, beat, budget, ...) gives 200 with "status": "degraded" and its reason,
so an outage of a dependency never gets healthy web processes restarted.

Apps add their own checks with `register_check` from their AppConfig.ready(), so this module never imports them
(dependencies point one way: apps -> nuzantara).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

STARTED_AT = time.monotonic()


@dataclass(frozen=True)
class CheckResult:
    value: str  # what /health shows: "ok", "not configured", "missing", "anthropic", ...
    healthy: bool = True
    reason: str = ""


@dataclass(frozen=True)
class HealthCheck:
    name: str
    run: Callable[[], CheckResult]
    required: bool  # a failing required check makes /health answer 503


_checks: dict[str, HealthCheck] = {}


def register_check(name: str, run: Callable[[], CheckResult], *, required: bool = False) -> None:
    _checks[name] = HealthCheck(name=name, run=run, required=required)


def _error(exc: BaseException) -> CheckResult:
    return CheckResult(value="error", healthy=False, reason=f"{type(exc).__name__}: {exc}".strip()[:300])


def check_database() -> CheckResult:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means the database is not usable
        connections[DEFAULT_DB_ALIAS].close()
        return _error(exc)
    return CheckResult("ok")


def check_redis() -> CheckResult:
    if not settings.REDIS_URL:
        return CheckResult("not configured")
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # connection refused, timeout, auth
        return _error(exc)
    return CheckResult("ok")


def check_ai() -> CheckResult:
    if settings.ANTHROPIC_API_KEY:
        return CheckResult("anthropic")
    if settings.VLLM_BASE_URL:
        return CheckResult("vllm")
    return CheckResult("offline")


def check_llama() -> CheckResult:
    from nuzantara.llm import vllm_client

    if not vllm_client.is_configured():
        return CheckResult("not configured")
    state = vllm_client.breaker.state()
    if state == "open":
        return CheckResult(
            "circuit open", healthy=False, reason="the Llama endpoint failed repeatedly; callers fall back"
        )
    return CheckResult("ok")


register_check("database", check_database, required=True)
register_check("redis", check_redis, required=True)  # "not configured" counts as healthy
register_check("ai", check_ai)
register_check("llama", check_llama)


def run_checks() -> tuple[str, dict[str, str], dict[str, str]]:
    """("healthy" | "degraded" | "unhealthy", each check's value, the failing checks' reasons)."""
    values: dict[str, str] = {}
    reasons: dict[str, str] = {}
    required_failed = False
    for check in _checks.values():
        try:
            result = check.run()
        except Exception as exc:  # a broken check reports itself instead of breaking /health
            result = _error(exc)
        values[check.name] = result.value
        if not result.healthy:
            reasons[check.name] = result.reason
            required_failed = required_failed or check.required
    status = "unhealthy" if required_failed else "degraded" if reasons else "healthy"
    return status, values, reasons


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    status, values, reasons = run_checks()
    body: dict = {
        "status": status,
        "uptime_s": round(time.monotonic() - STARTED_AT, 1),
        "version": settings.VERSION,
        "checks": values,
    }
    if reasons:
        body["reasons"] = reasons
    return JsonResponse(body, status=503 if status == "unhealthy" else 200)


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # no database: not ready
        return JsonResponse({"ready": False, "reason": _error(exc).reason}, status=503)
    if pending:
        return JsonResponse({"ready": False, "pending_migrations": len(pending)}, status=503)
    return JsonResponse({"ready": True})
