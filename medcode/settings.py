"""medcode settings: one file, driven by the environment."""

from __future__ import annotations

import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from medcode.lib import env
from medcode.ops.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

# Every environment variable is read through medcode.lib.env: a value that does not parse stops
# start-up with an error naming the variable.
DEBUG = env.flag("MEDCODE_DEBUG", False)

# Where medcode keeps its own files (the SQLite database, caches).
VAR_DIR = Path(env.text("MEDCODE_VAR_DIR", str(BASE_DIR / "var"))).resolve()
# Where release files are read from (CMS/CDC downloads); never bundled.
MEDCODE_DATA_DIR = env.text("MEDCODE_DATA_DIR")

_secret = env.text("MEDCODE_SECRET_KEY")
_require_secret = env.flag("MEDCODE_REQUIRE_SECRET", False)
# A key a person typed or copied from an example is no secret: refused where one is required.
_PLACEHOLDER_SECRET = re.compile(r"change.?me|change.?it|placeholder|example|insecure|secret", re.I)
if (
    _secret
    and not DEBUG
    and _require_secret
    and (len(_secret) < 32 or len(set(_secret)) < 10 or _PLACEHOLDER_SECRET.search(_secret))
):
    raise ImproperlyConfigured(
        "MEDCODE_SECRET_KEY looks like a placeholder (under 32 characters, under 10 different "
        "characters, or a word like 'change-me'); set it to a long random value, e.g. the "
        "output of: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
if not _secret:
    if not DEBUG and _require_secret:
        raise ImproperlyConfigured("MEDCODE_SECRET_KEY must be set in production")
    # A per-install key kept beside the database, so sessions survive restarts.
    _key_file = VAR_DIR / "secret_key"
    try:
        _secret = _key_file.read_text().strip()
    except OSError:
        import secrets

        _secret = secrets.token_urlsafe(50)
        try:
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            _key_file.write_text(_secret)
            _key_file.chmod(0o600)
        except OSError:
            pass
SECRET_KEY = _secret

ALLOWED_HOSTS = env.items("MEDCODE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env.items("MEDCODE_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # django-ninja as an app: /api/v1/docs loads Swagger UI from our static files, not a CDN
    # (the CSP, script-src 'self', blocked the CDN and left the page blank).
    "ninja",
    "template_partials",
    "medcode.codes",
    "medcode.claims",
    "medcode.search",
    "medcode.assistant",
    "medcode.accounts",
    "allauth",
    "allauth.account",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "medcode.jobs",
    "medcode.ops",
    "anymail",
    "medcode.consult",
    "medcode.fhir",
    "medcode.mcp",
    "medcode.changes",
]

MIDDLEWARE = [
    "medcode.ops.middleware.ForwardedProtoMiddleware",
    "medcode.ops.middleware.ProbeMiddleware",
    "medcode.ops.middleware.RequestLogMiddleware",
    "medcode.accounts.budget.RequestBudgetMiddleware",
    "medcode.ops.dbfaults.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "medcode.accounts.limits.BodySizeLimitMiddleware",
    "medcode.ops.csp.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "medcode.accounts.privacy.PrivateResponseMiddleware",
    "medcode.accounts.throttle.ApiAccessMiddleware",
    "medcode.accounts.costs.ExpensiveRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "medcode.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "medcode" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

WSGI_APPLICATION = "medcode.wsgi.application"
ASGI_APPLICATION = "medcode.asgi.application"

_default_db = f"sqlite:///{VAR_DIR / 'medcode.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env.text("DATABASE_URL", _default_db), conn_max_age=60, conn_health_checks=True
    )
}
# PostgreSQL through medcode's thin subclass (health checks only for idle connections).
PG_ENGINE = "medcode.ops.postgres"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = PG_ENGINE
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # medcode's subclass keeps the write-ahead log open between requests (see its docstring).
    DATABASES["default"]["ENGINE"] = "medcode.ops.sqlite3"
    # Each request thread keeps its connection for a minute, as with PostgreSQL: opening one
    # reads and parses the schema before the first query, ~0.65 ms of CPU, and with its close
    # ~11% of the server's CPU on long-tail code pages (py-spy, bench/pages.py's 3,000 codes).
    # Reads go through a memory map of up to 2 GB (SQLite's largest by default), the operating
    # system's page cache shared by every connection: kept connections do not each grow a
    # private page cache (with 256 MB mapped, the 32 of two workers took 1.5 GB more memory).
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
            " PRAGMA cache_size=-65536; PRAGMA mmap_size=2147418112;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    # The test database is in memory; ":memory:" (not None) so that pytest-xdist's per-worker
    # suffix leaves it alone whatever the engine's module path.
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
# Read replicas (comma-separated URLs): aliases replica1, replica2, ... get the reads of
# reference data (medcode.ops.routers); in tests each mirrors the default database.
for _n, _url in enumerate(env.items("DATABASE_REPLICA_URLS"), 1):
    DATABASES[f"replica{_n}"] = dj_database_url.parse(
        _url, conn_max_age=60, conn_health_checks=True
    )
    if DATABASES[f"replica{_n}"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES[f"replica{_n}"]["ENGINE"] = PG_ENGINE
    DATABASES[f"replica{_n}"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["medcode.ops.routers.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.text("MEDCODE_TIME_ZONE", "America/New_York")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.text("MEDCODE_STATIC_ROOT", str(VAR_DIR / "static"))).resolve()
STATICFILES_DIRS = [BASE_DIR / "medcode" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names, gzip/brotli copies; `medcode serve` collects (medcode.ops.static).
    "staticfiles": {"BACKEND": "medcode.ops.static.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_https = env.flag("MEDCODE_HTTPS", False)
if _https:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.whole("MEDCODE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.flag("MEDCODE_HSTS_PRELOAD", True)
    SECURE_SSL_REDIRECT = env.flag("MEDCODE_SSL_REDIRECT", True)
    # Probes and scrapers may connect over plain HTTP on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

MEDCODE_METERING = env.flag("MEDCODE_METERING", True)

# Code page data, search results and CasePilot answers kept per data generation in the cache
# (medcode.ops.datacache): on/off, how long an entry lives, how many each process keeps.
MEDCODE_DATA_CACHE = env.flag("MEDCODE_DATA_CACHE", True)
# `medcode data import` embeds the texts it added for meaning-aware search (off: words only until
# `medcode search build`).
MEDCODE_SEARCH_EMBED_ON_IMPORT = env.flag("MEDCODE_SEARCH_EMBED_ON_IMPORT", True)
# medcode's own CPT titles and summaries: the shipped medcode/content/cpt_titles.csv unless set.
MEDCODE_CPT_TITLES_FILE = env.text("MEDCODE_CPT_TITLES_FILE")
MEDCODE_DATA_CACHE_SECONDS = env.whole("MEDCODE_DATA_CACHE_SECONDS", 6 * 3600)
MEDCODE_DATA_CACHE_LOCAL = env.whole("MEDCODE_DATA_CACHE_LOCAL", 2048)
# Rendered code pages kept by each web process (megabytes; medcode.codes.page.cache).
MEDCODE_PAGE_CACHE_MB = env.number("MEDCODE_PAGE_CACHE_MB", 64)
# How often each process checks whether an import changed the data (medcode.ops.generation), and
# how long a failing shared cache is stepped around (medcode.ops.datacache), in seconds; the
# CACHES alias that holds the data cache.
MEDCODE_RELEASE_CHECK_SECONDS = env.number("MEDCODE_RELEASE_CHECK_SECONDS", 1)
MEDCODE_DATA_CACHE_RETRY_SECONDS = env.number("MEDCODE_DATA_CACHE_RETRY_SECONDS", 30)
MEDCODE_DATA_CACHE_ALIAS = "default"

# --- Accounts, sign-in and the security baseline (medcode.accounts) ---------------------------
# Redis for metering counters and the cache when REDIS_URL is set; the database otherwise.
REDIS_URL = env.text("REDIS_URL")
if REDIS_URL:
    CACHES = {
        # Falls back to per-process memory while Redis is down (medcode.ops.safecache).
        "default": {"BACKEND": "medcode.ops.safecache.ResilientRedisCache", "LOCATION": REDIS_URL}
    }
# Comma-separated addresses or networks of the reverse proxies whose X-Forwarded-For is
# believed; without it the client address is REMOTE_ADDR.
MEDCODE_TRUSTED_PROXIES = env.items("MEDCODE_TRUSTED_PROXIES")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[medcode] "
ACCOUNT_SIGNUP_FORM_CLASS = "medcode.accounts.forms.SignupExtra"
ACCOUNT_ADAPTER = "medcode.accounts.adapter.AccountAdapter"
MEDCODE_SIGNUP_OPEN = env.flag("MEDCODE_SIGNUP", True)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if _https else "http"
# Registration and sign-in throttles (allauth, in the cache), on top of axes' lockout.
ACCOUNT_RATE_LIMITS = {
    "signup": env.text("MEDCODE_SIGNUP_RATE", "5/h/ip"),
    "login_failed": "20/m/ip,10/5m/key",
    "confirm_email": "1/3m/key",
    "reset_password": "5/h/ip,3/h/key",
}
# A reset asked for an address with no account sends nothing (no mail to strangers), and the page
# says the same as for a known address (no account discovery).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
AXES_FAILURE_LIMIT = env.whole("MEDCODE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env.number("MEDCODE_LOGIN_COOLOFF_HOURS", 0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_CALLABLE = "medcode.accounts.viewers.login_name"
AXES_CLIENT_IP_CALLABLE = "medcode.accounts.viewers.axes_client_address"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SAMESITE = "Lax"
# Form and JSON bodies (file uploads aside): over this a request gets a clear 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.whole("MEDCODE_MAX_BODY_BYTES", 2_621_440)
MEDCODE_MAX_UPLOAD_BYTES = env.whole("MEDCODE_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)

# Email: MEDCODE_EMAIL_URL = smtp://user:password@host:587?tls=1 | file:///folder | console:
# (the console in DEBUG without a URL; pytest swaps in the in-memory outbox).
DEFAULT_FROM_EMAIL = env.text("MEDCODE_FROM_EMAIL", "medcode <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Without MEDCODE_EMAIL_URL or EMAIL_HOST, mail goes to the console (the server's log), so
# sign-up works on a default install; `medcode up` and `medcode serve` warn about it.
MEDCODE_MAIL_CONFIGURED = bool(env.text("MEDCODE_EMAIL_URL") or env.text("EMAIL_HOST"))
_email_url = env.text(
    "MEDCODE_EMAIL_URL", "" if MEDCODE_MAIL_CONFIGURED and not DEBUG else "console:"
)
if _email_url:
    _mail = env.mail_url("MEDCODE_EMAIL_URL", _email_url)
    EMAIL_BACKEND = _mail.backend
    EMAIL_HOST = _mail.host
    EMAIL_PORT = _mail.port
    EMAIL_HOST_USER = _mail.user
    EMAIL_HOST_PASSWORD = _mail.password
    EMAIL_USE_SSL = _mail.use_ssl
    EMAIL_USE_TLS = _mail.use_tls
    if _mail.file_path:
        EMAIL_FILE_PATH = _mail.file_path
else:
    EMAIL_HOST = env.text("EMAIL_HOST", "localhost")
    EMAIL_PORT = env.whole("EMAIL_PORT", 25)

# Background tasks (django-tasks with the django-tasks-db backend): `medcode worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A task left running this long by a worker no longer heard from is run again when a worker
# starts (medcode.jobs.recovery); the tasks make sure a retry sends no email twice.
MEDCODE_TASK_LEASE_SECONDS = env.number("MEDCODE_TASK_LEASE_SECONDS", 300)
# The site's address as users reach it, for links in email sent by the worker.
MEDCODE_SITE_URL = env.text("MEDCODE_SITE_URL", "http://localhost:8000")
# The site's name in pages and account mail ("Hello from medcode").
MEDCODE_SITE_NAME = env.text("MEDCODE_SITE_NAME", "medcode")
# The plans page's way to a paid plan: a checkout page, else a sales contact address.
MEDCODE_UPGRADE_URL = env.text("MEDCODE_UPGRADE_URL")
MEDCODE_SALES_EMAIL = env.text("MEDCODE_SALES_EMAIL")
MEDCODE_JOBS_POSTS_PER_DAY = env.whole("MEDCODE_JOBS_POSTS_PER_DAY", 5)
MEDCODE_JOBS_EXPIRY_NOTICE_DAYS = env.whole("MEDCODE_JOBS_EXPIRY_NOTICE_DAYS", 3)

# --- CaseConsultant (medcode.consult): questions by email, answered by email ------------------
# The address users write to; replies come from it and their Message-IDs use its domain.
MEDCODE_CONSULT_ADDRESS = env.text("MEDCODE_CONSULT_ADDRESS", "consult@localhost")
# The staff review queue's target time to answer, in hours (older items are marked overdue).
MEDCODE_CONSULT_TARGET_HOURS = env.number("MEDCODE_CONSULT_TARGET_HOURS", 24)
# Only Authentication-Results headers written by this verifier (its authserv-id, e.g. the MX
# host name) can make a pass; empty: no header can (a failure in the topmost still refuses).
MEDCODE_CONSULT_AUTHSERV_ID = env.text("MEDCODE_CONSULT_AUTHSERV_ID")
# On (default): answer only mail with an SPF/DKIM/DMARC pass for the From domain (from the
# verifier above, or Mailgun's verdict); without a verifier, SMTP mail is then not answered.
# Off: only behind a trusted relay; an envelope sender aligned with From is then enough.
MEDCODE_CONSULT_REQUIRE_AUTH = env.flag("MEDCODE_CONSULT_REQUIRE_AUTH", True)
# How long a worker holds an inquiry before another may take it over (seconds).
MEDCODE_CONSULT_LEASE_SECONDS = env.number("MEDCODE_CONSULT_LEASE_SECONDS", 120)
# The SMTP listener's daily intake per connecting address and per envelope sender; past
# either it answers 450 (the sending server retries later), so a flood from an unknown sender
# cannot fill the database (plan quotas cap replies, not recorded mail).
MEDCODE_CONSULT_SMTP_PER_CLIENT_DAY = env.whole("MEDCODE_CONSULT_SMTP_PER_CLIENT_DAY", 1000)
MEDCODE_CONSULT_SMTP_PER_SENDER_DAY = env.whole("MEDCODE_CONSULT_SMTP_PER_SENDER_DAY", 50)
# Hard time budget per request, seconds (medcode.accounts.budget); 0: none. `medcode serve`
# (gunicorn's gthread workers, which --timeout does not stop) uses 60 unless this is set.
MEDCODE_REQUEST_BUDGET_SECONDS = env.number("MEDCODE_REQUEST_BUDGET_SECONDS", 0)
# Largest inbound message the SMTP listener accepts (bytes).
MEDCODE_CONSULT_MAX_BYTES = env.whole("MEDCODE_CONSULT_MAX_BYTES", 10 * 1024 * 1024)
# Mailgun inbound webhook (/consult/inbound/mailgun/): off unless the signing key is set.
MEDCODE_MAILGUN_WEBHOOK_SIGNING_KEY = env.text("MEDCODE_MAILGUN_WEBHOOK_SIGNING_KEY")
_webhook_secret = env.text("MEDCODE_INBOUND_WEBHOOK_SECRET")
# Basic-auth credentials ("user:password") the provider must send as well, when set.
ANYMAIL = {"WEBHOOK_SECRET": _webhook_secret} if _webhook_secret else {}

# --- CasePilot (medcode.assistant) ----------------------------------------------------------------
# An optional OpenAI-compatible chat endpoint that may plan tool calls and phrase answers; off
# unless both the base URL (for example http://127.0.0.1:8080/v1) and the model are set.
MEDCODE_LLM_BASE_URL = env.text("MEDCODE_LLM_BASE_URL")
MEDCODE_LLM_MODEL = env.text("MEDCODE_LLM_MODEL")
MEDCODE_LLM_API_KEY = env.text("MEDCODE_LLM_API_KEY")
MEDCODE_LLM_TIMEOUT = env.number("MEDCODE_LLM_TIMEOUT", 20)

# --- Operations (medcode.ops): logs, probes, metrics ------------------------------------------
# plain (a terminal) or json (one object per line, for a log shipper).
LOGGING = logging_config(
    env.text("MEDCODE_LOG_FORMAT", "plain"), env.text("MEDCODE_LOG_LEVEL", "INFO")
)
# /metrics: a scraper sending this bearer token, or connecting straight from these networks.
MEDCODE_METRICS_TOKEN = env.text("MEDCODE_METRICS_TOKEN")
MEDCODE_METRICS_NETWORKS = env.items("MEDCODE_METRICS_NETWORKS")
# /readyz: the worker is fine if its heartbeat is this recent (seconds), or else if no task
# has waited longer than MEDCODE_QUEUE_MAX_AGE.
MEDCODE_WORKER_HEARTBEAT_SECONDS = env.number("MEDCODE_WORKER_HEARTBEAT_SECONDS", 15)
MEDCODE_WORKER_MAX_SILENCE = env.number("MEDCODE_WORKER_MAX_SILENCE", 120)
MEDCODE_QUEUE_MAX_AGE = env.number("MEDCODE_QUEUE_MAX_AGE", 300)
