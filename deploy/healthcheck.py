"""Container health probe: GET /health on this container's web port, exit 0 only on HTTP 200.

Runs without Django (quick, every 30 s). Sends the first ALLOWED_HOSTS name as Host, since Django answers other
hosts with 400.
"""

import os
import sys
import urllib.error
import urllib.request


def served_host() -> str:
    first = (os.environ.get("ALLOWED_HOSTS") or "localhost").split(",")[0].strip().lstrip(".")
    return "localhost" if first in {"", "*"} else first


def main() -> int:
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/health"
    request = urllib.request.Request(url, headers={"Host": served_host(), "X-Forwarded-Proto": "https"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 - a fixed local http URL
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"health check failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
