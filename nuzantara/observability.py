"""Error reporting to Sentry, on when SENTRY_DSN is set (web, worker and beat alike: each reads the settings).

What leaves the process is kept to what the logs may hold: no request bodies, query strings (a search's `q` is a
question), cookies, headers, local variables or breadcrumbs; no user details.
"""

from typing import Any


def sentry_event_scrub(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("query_string", "data", "cookies", "headers", "env"):
            request.pop(key, None)
        if isinstance(request.get("url"), str):
            request["url"] = request["url"].split("?", 1)[0]
    event.pop("breadcrumbs", None)
    event.pop("user", None)
    return event


def sentry_init(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        max_breadcrumbs=0,
        traces_sample_rate=traces_sample_rate,
        before_send=sentry_event_scrub,
        before_send_transaction=sentry_event_scrub,
    )
