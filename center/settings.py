"""Settings for the work-order center, read from environment variables only.

Development defaults need no servers (SQLite and a Celery broker on files under
``var/``). With ``DEBUG`` off, the production values are required.
"""
import ipaddress
import os
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent.parent
# Everything the embedded default writes (SQLite files, broker, keys, uploads) lives here.
VAR_DIR = Path(env.str("CENTER_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Off unless asked for: a server started without the variable gets the production behaviour (no
# debug pages listing the URL conf, required secrets). ./run, ./test and the benchmarks set
# DEBUG=true for the embedded development set-up.
DEBUG = env.bool("DEBUG", default=False)


def _development_secret_key() -> str:
    """Generate the development key once and keep it in var/ so sessions survive restarts."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _development_secret_key()
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
else:
    SECRET_KEY = env.str("SECRET_KEY")  # required in production
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Transport security (production defaults: on when DEBUG is off) -------------------------------
# Behind nginx (or any proxy that terminates TLS and sets X-Forwarded-Proto), set
# CENTER_PROXY_SSL_HEADER=true; without it, an SSL redirect behind such a proxy would loop.
if env.bool("CENTER_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("CENTER_SSL_REDIRECT", default=not DEBUG)
# The health check answers on plain HTTP too, for load balancers probing the backend directly.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("CENTER_SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("CENTER_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("CENTER_HSTS_INCLUDE_SUBDOMAINS", default=True)
# "preload" consents to the browsers' HTTPS-only list; it matters only once the domain is submitted.
SECURE_HSTS_PRELOAD = env.bool("CENTER_HSTS_PRELOAD", default=not DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "workdays",
    "projects",
    "departments",
    "notifications",
    "workorders",
    "center",
    "api",
]

# --- REST API (api/) -------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.ClientTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: signed in, and a read-only token cannot write.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "api.auth.ScopeAllowsMethod"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        # DRF's search with its size bounded (at most 10 words, 200 characters: 400 past them).
        "api.filters.BoundedSearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Per client token and per user, counted in the shared cache (api/throttles.py): 429 with
    # Retry-After past CENTER_API_RATE_PER_TOKEN / CENTER_API_RATE_PER_USER.
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.ClientTokenThrottle", "api.throttles.UserThrottle"],
    # A service's refusal (the domain error) becomes a JSON answer in this one place.
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
}
# Requests per window ("number/second|minute|hour|day"): each client token, and each user over all
# their tokens and their session.
CENTER_API_RATE_PER_TOKEN = env.str("CENTER_API_RATE_PER_TOKEN", default="60/minute")
CENTER_API_RATE_PER_USER = env.str("CENTER_API_RATE_PER_USER", default="120/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "投资服务工单中心 API · Investment-service work-order center API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs are public documentation; every endpoint they describe is not.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI and ReDoc from our own static files (drf-spectacular-sidecar), no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "kind"; the departments' requests to the center get their own enum's name.
    "ENUM_NAME_OVERRIDES": {"DepartmentAskKindEnum": "workorders.models.DepartmentAsk.Kind"},
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads a body: 413 for one over CENTER_UPLOAD_MAX_BODY_BYTES (core.upload_limits).
    "core.upload_limits.BodySizeLimit",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "center.middleware.StaffSessionTimeout",
    "center.two_factor.middleware.TwoFactorRequired",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: refuses a locked-out login before the view runs.
    "axes.middleware.AxesMiddleware",
]

# --- Hardening ----------------------------------------------------------------
# Login brute force (django-axes): every login form (the site's and the admin's) goes through
# authenticate(); after CENTER_LOGIN_FAILURE_LIMIT failures for one user name from one address the
# pair is locked for CENTER_LOGIN_COOLOFF_MINUTES (HTTP 429, a page saying so in both languages).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("CENTER_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("CENTER_LOGIN_COOLOFF_MINUTES", default=30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
# Failures are counted in the database, which every web process and host shares (the cache handler
# on a per-process cache would lock nobody out across workers; center/checks.py refuses it).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# The proxies (nginx, a load balancer) whose X-Forwarded-For is believed: addresses or networks
# (10.0.0.0/24), comma-separated. The client's address for the lock, the rate limits and the API
# throttles is the first address, walking the header from the right, that is not one of them
# (core/client_address.py); with none listed the header is never believed.
CENTER_TRUSTED_PROXIES = env.list("CENTER_TRUSTED_PROXIES", default=[])
try:
    [ipaddress.ip_network(entry.strip(), strict=False) for entry in CENTER_TRUSTED_PROXIES if entry.strip()]
except ValueError as error:
    raise ImproperlyConfigured(f"CENTER_TRUSTED_PROXIES: {error}") from error
if "CENTER_PROXY_COUNT" in os.environ:
    # It counted hops without asking who wrote them, so a client reaching gunicorn directly chose
    # its own address; refuse to start rather than silently count everyone by the proxy's address.
    raise ImproperlyConfigured("CENTER_PROXY_COUNT is replaced by CENTER_TRUSTED_PROXIES: list the proxies' "
                               "addresses (e.g. CENTER_TRUSTED_PROXIES=127.0.0.1) and remove CENTER_PROXY_COUNT.")
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_address"
# Center staff, officers and heads are signed out after this many idle seconds (enterprises keep
# Django's session age); each request starts the count again.
CENTER_STAFF_SESSION_IDLE_SECONDS = env.int("CENTER_STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
# Two-factor sign-in (django-otp, TOTP): center staff and department heads may enrol an authenticator
# app at /accounts/two-factor/; whoever has one must type a code after the password. With
# CENTER_TOTP_REQUIRED, staff and heads without one are sent to enrol before anything else.
OTP_TOTP_ISSUER = env.str("CENTER_TOTP_ISSUER", default="工单中心 Work-order center")
CENTER_TOTP_REQUIRED = env.bool("CENTER_TOTP_REQUIRED", default=False)
# The admin never shows a device's secret or QR code again (that would let staff copy someone's codes).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Content-Security-Policy (django-csp): our own scripts only; styles may be inline (Swagger UI
# sets them); no framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

ROOT_URLCONF = "center.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_notifications",
                "workorders.context_processors.upload_limits",
            ],
        },
    },
]

WSGI_APPLICATION = "center.wsgi.application"
ASGI_APPLICATION = "center.asgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'center.sqlite3'}"),
}
# A PostgreSQL read replica for the dashboards (center/dashboards/db_router.py): only the leader's dashboard
# and the dashboard exports read from it; everything else uses the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # In tests the replica is the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["center.dashboards.db_router.DashboardReplicaRouter"]
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; the timeout waits for locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
    # A file, not memory, so that a real Celery worker started by a test sees the test database.
    # One file per test run, so that two runs side by side do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-center-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files live outside the web root and are served only through permission-checked views.
MEDIA_ROOT = Path(env.str("CENTER_MEDIA_ROOT", default=str(VAR_DIR / "uploads")))
# Each upload is written whole or not at all (a full disk leaves no partial file): core/storage.py.
STORAGES = {
    "default": {"BACKEND": "core.storage.WholeFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# Production: EMAIL_URL=smtp+tls://user:password@smtp.example.gov.cn:587 (django-environ's form).
if env.str("EMAIL_URL", default=""):
    globals().update(env.email_url("EMAIL_URL"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="center@localhost")

# The cache, shared by every process: it keeps the rate limits' and the API throttles' counts, which
# must be one count for all the web workers. Embedded default (CACHE_URL unset): one SQLite file in
# var/ (core/sqlite_cache.py, atomic counts between processes on one host). Production: Redis
# (CACHE_URL=redis://host:6379/2), shared by every web host, through django-redis with
# IGNORE_EXCEPTIONS, so that a Redis outage costs speed only: sessions are read from and written to
# the database too (cached_db), and the rate limits let requests through while the count cannot be
# kept. With DEBUG off, a per-process cache (locmemcache://, dummycache://) refuses to start (center/checks.py).
CACHE_URL = env.str("CACHE_URL", default="")
if not CACHE_URL:
    CACHES = {"default": {"BACKEND": "core.sqlite_cache.SQLiteCache", "LOCATION": str(VAR_DIR / "cache.sqlite3")}}
elif CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": env.cache("CACHE_URL")}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Celery ---------------------------------------------------------------
# The default broker is kombu's SQLAlchemy transport on a SQLite file: no server needed.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=f"db+sqlite:///{VAR_DIR / 'celery-results.sqlite3'}")
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Reliability: a task is acknowledged after it ran, and a task whose worker died is given to another
# (every task is idempotent); each worker process reserves one task at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=840)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=900)
# Redis gives an unacknowledged task (its worker killed) to another worker after this many seconds;
# it must exceed the longest task (the time limit above).
# (The embedded SQLAlchemy transport hands its options to create_engine, so only Redis gets it.)
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith(("redis", "rediss", "sentinel")):
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {}
if env.str("CENTER_REDIS_SENTINEL_MASTER", default=""):
    # CELERY_BROKER_URL=sentinel://h1:26379;sentinel://h2:26379;sentinel://h3:26379 (same for results)
    CELERY_BROKER_TRANSPORT_OPTIONS["master_name"] = env.str("CENTER_REDIS_SENTINEL_MASTER")
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS["master_name"] = env.str("CENTER_REDIS_SENTINEL_MASTER")
# A web request that queues a task while the broker is down waits this long, then gives up (the
# outbox and beat send what was not queued); it never fails the request.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_RESULT_EXPIRES = 24 * 3600
# Queues by kind, so that a long sweep never holds up the e-mails: run a worker per queue in
# production (docs/deploy.md); the embedded ./run has one worker that consumes all of them.
CELERY_TASK_DEFAULT_QUEUE = "default"
CENTER_CELERY_QUEUES = ("default", "sla", "agenda", "notifications")
CELERY_TASK_QUEUES = tuple(Queue(name, Exchange(name, type="direct"), routing_key=name) for name in CENTER_CELERY_QUEUES)
CELERY_TASK_ROUTES = {
    "workorders.tasks.sla_sweep": {"queue": "sla"},
    "center.tasks.prepare_office_hours": {"queue": "agenda"},
    "notifications.tasks.*": {"queue": "notifications"},
}
CELERY_TASK_CREATE_MISSING_QUEUES = True
# Exactly one beat sends the schedule: a second beat (another host, for availability) waits for
# the lock and takes over when the first one dies (center/beat.py).
CELERY_BEAT_SCHEDULER = "center.beat:LockedScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "center.tasks.record_heartbeat",
        "schedule": env.float("CENTER_HEARTBEAT_SECONDS", default=30.0),
    },
    # The outbox is also sent right after each commit; this catches what a broker outage left.
    "send-pending-emails": {
        "task": "notifications.tasks.send_pending_emails",
        "schedule": env.float("CENTER_OUTBOX_SECONDS", default=60.0),
    },
    # Keeps the office-hours sessions ahead and builds the next agenda in its window.
    "office-hours": {
        "task": "center.tasks.prepare_office_hours",
        "schedule": env.float("CENTER_OFFICE_HOURS_SECONDS", default=600.0),
    },
    # Moves SLA states and sends the digests (workorders.services.sla_sweep).
    "sla-sweep": {
        "task": "workorders.tasks.sla_sweep",
        "schedule": env.float("CENTER_SLA_SWEEP_SECONDS", default=300.0),
    },
    # Recomputes this month's and last month's figures for the dashboards (center.dashboards.figures).
    "dashboard-figures": {
        "task": "center.tasks.refresh_dashboard_figures",
        "schedule": env.float("CENTER_DASHBOARD_REFRESH_SECONDS", default=600.0),
    },
}

# --- The center's own rules ----------------------------------------------
# Working days an assignment has, by request kind; kinds not listed get the default.
CENTER_SLA_WORKING_DAYS = env.int("CENTER_SLA_WORKING_DAYS", default=10)
CENTER_SLA_WORKING_DAYS_BY_KIND = env.dict("CENTER_SLA_WORKING_DAYS_BY_KIND", cast={"value": int}, default={})
CENTER_DUE_SOON_WORKING_DAYS = env.int("CENTER_DUE_SOON_WORKING_DAYS", default=2)
CENTER_ESCALATE_AFTER_WORKING_DAYS = env.int("CENTER_ESCALATE_AFTER_WORKING_DAYS", default=5)
# Departments ask, the center decides: an assignment is acknowledged (签收) by the end of this many
# working days after issue, else the sweep tells the department's heads and center staff once; an
# extension asks for at most this many working days; a pause for a third party resumes by itself
# after this many working days unless the center approves that it goes on.
# A sweep that moved at least this many assignments refreshes the planner's statistics of the
# transitions it wrote (PostgreSQL ANALYZE, in its transaction), so that its own later statements
# plan with the new rows.
CENTER_SWEEP_ANALYZE_AFTER = env.int("CENTER_SWEEP_ANALYZE_AFTER", default=5000)
CENTER_ACK_WORKING_DAYS = env.int("CENTER_ACK_WORKING_DAYS", default=1)
CENTER_EXTENSION_MAX_WORKING_DAYS = env.int("CENTER_EXTENSION_MAX_WORKING_DAYS", default=10)
CENTER_THIRD_PARTY_PAUSE_WORKING_DAYS = env.int("CENTER_THIRD_PARTY_PAUSE_WORKING_DAYS", default=5)
# A worker heartbeat older than this makes /healthz report the worker as down.
CENTER_HEARTBEAT_MAX_AGE_SECONDS = env.int("CENTER_HEARTBEAT_MAX_AGE_SECONDS", default=180)
# A request that finds the database unreachable is answered 503 with this Retry-After (center/errors.py).
CENTER_OUTAGE_RETRY_AFTER_SECONDS = env.int("CENTER_OUTAGE_RETRY_AFTER_SECONDS", default=30)
# Office hours: sessions this many weeks ahead; the agenda is built from this many days before the
# session and rebuilt (keeping staff edits) until the session. 7: from the day after the last
# session, so there is always a current agenda to look at; 4: from the Thursday before a Monday.
CENTER_OFFICE_HOURS_WEEKS_AHEAD = env.int("CENTER_OFFICE_HOURS_WEEKS_AHEAD", default=8)
CENTER_AGENDA_BUILD_DAYS_BEFORE = env.int("CENTER_AGENDA_BUILD_DAYS_BEFORE", default=7)
CENTER_OFFICE_HOURS_START = env.str("CENTER_OFFICE_HOURS_START", default="09:00")
CENTER_AGENDA_SLOT_MINUTES = env.int("CENTER_AGENDA_SLOT_MINUTES", default=15)
# Stamp signing keys (workorders/signing.py): PEM files "<key id>.pem" in this folder, or one key
# from the environment; generated into var/ on first use only in development.
CENTER_STAMP_KEY_DIR = env.str("CENTER_STAMP_KEY_DIR", default=str(VAR_DIR / "stamp-keys"))
CENTER_STAMP_PRIVATE_KEY = env.str("CENTER_STAMP_PRIVATE_KEY", default="")
CENTER_STAMP_KEY_ID = env.str("CENTER_STAMP_KEY_ID", default="")
CENTER_STAMP_ACTIVE_KEY_ID = env.str("CENTER_STAMP_ACTIVE_KEY_ID", default="")
CENTER_STAMP_GENERATE_KEYS = env.bool("CENTER_STAMP_GENERATE_KEYS", default=DEBUG)
# The public address that QR codes on printed stamps lead to (verification page).
CENTER_PUBLIC_BASE_URL = env.str("CENTER_PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
CENTER_VERIFY_RATE_PER_MINUTE = env.int("CENTER_VERIFY_RATE_PER_MINUTE", default=30)
# Enterprise sign-ups (the public form) per client address and hour.
CENTER_SIGNUP_RATE_PER_HOUR = env.int("CENTER_SIGNUP_RATE_PER_HOUR", default=10)
# A problem tag seen at least this many times in one town within this many months is a candidate
# for a mechanism (a written procedure), shown to center staff.
CENTER_MECHANISM_CANDIDATE_COUNT = env.int("CENTER_MECHANISM_CANDIDATE_COUNT", default=3)
CENTER_MECHANISM_CANDIDATE_MONTHS = env.int("CENTER_MECHANISM_CANDIDATE_MONTHS", default=12)
# The similar-case index (workorders/similarity.py), rebuilt by a Celery task when cases change.
CENTER_SIMILARITY_INDEX_PATH = env.str("CENTER_SIMILARITY_INDEX_PATH", default=str(VAR_DIR / "model-case-index.joblib"))
# Dashboards: an assignment answered (reply, request for material or done) within this many
# working days counts towards the response rate; the leader's escalated list shows this many rows.
CENTER_RESPONSE_WORKING_DAYS = env.int("CENTER_RESPONSE_WORKING_DAYS", default=2)
CENTER_DASHBOARD_ESCALATED_ROWS = env.int("CENTER_DASHBOARD_ESCALATED_ROWS", default=100)
CENTER_OFFICE_HOURS_VENUE = env.str("CENTER_OFFICE_HOURS_VENUE", default="宝山区行政服务中心 Baoshan District Administrative Service Center")

# Logs go to stdout; LOG_FORMAT=json writes one JSON object per line (python-json-logger) for a
# log collector. Celery keeps Django's logging instead of installing its own.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"

# --- Uploads ---------------------------------------------------------------
CENTER_UPLOAD_MAX_FILE_BYTES = env.int("CENTER_UPLOAD_MAX_FILE_BYTES", default=20 * 1024 * 1024)
CENTER_UPLOAD_MAX_REQUEST_BYTES = env.int("CENTER_UPLOAD_MAX_REQUEST_BYTES", default=50 * 1024 * 1024)
CENTER_UPLOAD_MAX_FILES = env.int("CENTER_UPLOAD_MAX_FILES", default=10)
# A whole request body (the files and the form) over this is refused with 413 on its Content-Length,
# before anything reads it (core.upload_limits.BodySizeLimit). The same as nginx's
# client_max_body_size (deploy/nginx/center.conf): change both together.
CENTER_UPLOAD_MAX_BODY_BYTES = env.int("CENTER_UPLOAD_MAX_BODY_BYTES", default=CENTER_UPLOAD_MAX_REQUEST_BYTES + 10 * 1024 * 1024)
# Files held for a retry after a form error, kept this long; the purge (beat, below) deletes older ones.
CENTER_UPLOAD_STASH_HOURS = env.int("CENTER_UPLOAD_STASH_HOURS", default=24)
# What one account may have held for retries at a time, in bytes (two full submissions).
CENTER_UPLOAD_STASH_QUOTA_BYTES = env.int("CENTER_UPLOAD_STASH_QUOTA_BYTES", default=2 * CENTER_UPLOAD_MAX_REQUEST_BYTES)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Follows the product's limit: up to ten times CENTER_UPLOAD_MAX_FILES (100, Django's own default)
# the form answers with its own message beside the file field and keeps what was typed (the files
# past the limit are not kept, core.upload_limits); past that, Django refuses the request (400).
DATA_UPLOAD_MAX_NUMBER_FILES = 10 * CENTER_UPLOAD_MAX_FILES
# The first handler stops keeping a file one chunk past CENTER_UPLOAD_MAX_FILE_BYTES (core.upload_limits).
FILE_UPLOAD_HANDLERS = [
    "core.upload_limits.PerFileCap",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Less free space than this where attachments or the retry stash are written makes /healthz report
# "degraded" (still 200): uploads are about to fail (center/health/selectors.py). Default 1 GiB.
CENTER_MEDIA_MIN_FREE_BYTES = env.int("CENTER_MEDIA_MIN_FREE_BYTES", default=1024**3)
# Scheduled here, beside the stash's settings: deletes stashed files older than CENTER_UPLOAD_STASH_HOURS.
CELERY_BEAT_SCHEDULE["purge-upload-stash"] = {
    "task": "workorders.tasks.purge_upload_stash",
    "schedule": env.float("CENTER_UPLOAD_STASH_PURGE_SECONDS", default=3600.0),
}
# Deletes attachment files that no row refers to, once they are a day old (workorders/services/orphans.py).
CELERY_BEAT_SCHEDULE["sweep-orphan-attachments"] = {
    "task": "workorders.tasks.sweep_orphan_attachments",
    "schedule": env.float("CENTER_ORPHAN_SWEEP_SECONDS", default=6 * 3600.0),
}
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
