"""Typed readers for environment variables: a bad value stops the process with one line naming the variable."""

import os
from urllib.parse import urlparse


class ConfigError(SystemExit):
    """Raised at import time; SystemExit prints the message as one line and exits non-zero."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"Configuration error: {name} {reason}")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(name, f"must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, f"must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigError(name, f"must be >= {minimum}, got {value}")
    return value


def env_float(name: str, default: float, *, minimum: float | None = None, maximum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(name, f"must be a number, got {raw!r}") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ConfigError(name, f"must be between {minimum} and {maximum}, got {value}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, *, schemes: set[str]) -> str:
    """An optional URL: empty means "not configured"; a value must parse with one of the schemes and a host."""
    raw = env_str(name)
    if not raw:
        return ""
    try:
        parsed = urlparse(raw)
        parsed.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise ConfigError(name, f"is malformed ({exc})") from None
    if parsed.scheme not in schemes or not (parsed.hostname or parsed.path):
        raise ConfigError(
            name, f"is malformed: expected a {'/'.join(sorted(schemes))} URL, got scheme {parsed.scheme!r}"
        )
    return raw


LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]", "testserver"}


def is_local_host(host: str) -> bool:
    """A host name of this machine only: loopback, localhost, Django's test client, or a Unix socket path ("")."""
    host = host.strip().lower()
    return (
        not host
        or host.startswith("/")
        or host in LOCAL_HOSTS
        or host.startswith("127.")
        or host.endswith(".localhost")
    )
