"""Settings for NUZANTARA, read from environment variables with embedded defaults for a laptop.

DJANGO_ENV=production (or DEBUG=0) switches to the hardened profile, which refuses to start without SECRET_KEY and
ALLOWED_HOSTS. Unset DJANGO_ENV means development (DEBUG on) only for local settings: with SECRET_KEY, a non-local
ALLOWED_HOSTS or DATABASE_URL host the process refuses to start. Every variable is documented in `.env.example`.
"""

from .base import *  # noqa: F403

if not DEBUG:  # noqa: F405
    from .production import *  # noqa: F403
