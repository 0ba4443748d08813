"""medcode settings: one file, driven by the environment."""

from __future__ import annotations

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from medcode.ops.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be on/off (or true/false), not {value!r}")


DEBUG = env_bool("MEDCODE_DEBUG", False)

# Where medcode keeps its own files (the SQLite database, caches).
VAR_DIR = Path(os.environ.get("MEDCODE_VAR_DIR", BASE_DIR / "var")).resolve()
# Where release files are read from (CMS/CDC downloads); never bundled.
MEDCODE_DATA_DIR = os.environ.get("MEDCODE_DATA_DIR", "")

_secret = os.environ.get("MEDCODE_SECRET_KEY", "")
# A key a person typed or copied from an example is no secret: refused where one is required.
_PLACEHOLDER_SECRET = re.compile(r"change.?me|change.?it|placeholder|example|insecure|secret", re.I)
if (
    _secret
    and not DEBUG
    and os.environ.get("MEDCODE_REQUIRE_SECRET") == "1"
    and (len(_secret) < 32 or len(set(_secret)) < 10 or _PLACEHOLDER_SECRET.search(_secret))
):
    raise ImproperlyConfigured(
        "MEDCODE_SECRET_KEY looks like a placeholder (under 32 characters, under 10 different "
        "characters, or a word like 'change-me'); set it to a long random value, e.g. the "
        "output of: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
if not _secret:
    if not DEBUG and os.environ.get("MEDCODE_REQUIRE_SECRET") == "1":
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

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("MEDCODE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("MEDCODE_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

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
        os.environ.get("DATABASE_URL", _default_db), conn_max_age=60, conn_health_checks=True
    )
}
# PostgreSQL through medcode's thin subclass (health checks only for idle connections).
PG_ENGINE = "medcode.ops.postgres"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = PG_ENGINE
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # medcode's subclass keeps the write-ahead log open between requests (see its docstring).
    DATABASES["default"]["ENGINE"] = "medcode.ops.sqlite3"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
            " PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    # In memory unless a file is named; ":memory:" (not None) so that pytest-xdist's per-worker
    # suffix leaves it alone whatever the engine's module path.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("MEDCODE_TEST_SQLITE") or ":memory:"}
# Read replicas (comma-separated URLs): aliases replica1, replica2, ... get the reads of
# reference data (medcode.ops.routers); in tests each mirrors the default database.
for _n, _url in enumerate(
    [u.strip() for u in os.environ.get("DATABASE_REPLICA_URLS", "").split(",") if u.strip()], 1
):
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
TIME_ZONE = os.environ.get("MEDCODE_TIME_ZONE", "America/New_York")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("MEDCODE_STATIC_ROOT", VAR_DIR / "static")).resolve()
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
if env_bool("MEDCODE_HTTPS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("MEDCODE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("MEDCODE_HSTS_PRELOAD", True)
    SECURE_SSL_REDIRECT = env_bool("MEDCODE_SSL_REDIRECT", True)
    # Probes and scrapers may connect over plain HTTP on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

MEDCODE_METERING = env_bool("MEDCODE_METERING", True)

# Code page data, search results and CasePilot answers kept per data generation in the cache
# (medcode.ops.datacache): on/off, how long an entry lives, how many each process keeps.
MEDCODE_DATA_CACHE = env_bool("MEDCODE_DATA_CACHE", True)
# `medcode data import` embeds the texts it added for meaning-aware search (off: words only until
# `medcode search build`).
MEDCODE_SEARCH_EMBED_ON_IMPORT = env_bool("MEDCODE_SEARCH_EMBED_ON_IMPORT", True)
# medcode's own CPT titles and summaries: the shipped medcode/content/cpt_titles.csv unless set.
MEDCODE_CPT_TITLES_FILE = os.environ.get("MEDCODE_CPT_TITLES_FILE", "")
MEDCODE_DATA_CACHE_SECONDS = int(os.environ.get("MEDCODE_DATA_CACHE_SECONDS", str(6 * 3600)))
MEDCODE_DATA_CACHE_LOCAL = int(os.environ.get("MEDCODE_DATA_CACHE_LOCAL", "2048"))
# Rendered code pages kept by each web process (megabytes of text; medcode.codes.catalog).
MEDCODE_PAGE_CACHE_MB = float(os.environ.get("MEDCODE_PAGE_CACHE_MB", "64"))
# How often each process checks whether an import changed the data (medcode.ops.generation), and
# how long a failing shared cache is stepped around (medcode.ops.datacache), in seconds; the
# CACHES alias that holds the data cache.
MEDCODE_RELEASE_CHECK_SECONDS = float(os.environ.get("MEDCODE_RELEASE_CHECK_SECONDS", "1"))
MEDCODE_DATA_CACHE_RETRY_SECONDS = float(os.environ.get("MEDCODE_DATA_CACHE_RETRY_SECONDS", "30"))
MEDCODE_DATA_CACHE_ALIAS = "default"

# --- Accounts, sign-in and the security baseline (medcode.accounts) ---------------------------
# Redis for metering counters and the cache when REDIS_URL is set; the database otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        # Falls back to per-process memory while Redis is down (medcode.ops.safecache).
        "default": {"BACKEND": "medcode.ops.safecache.ResilientRedisCache", "LOCATION": REDIS_URL}
    }
# Comma-separated addresses or networks of the reverse proxies whose X-Forwarded-For is
# believed; without it the client address is REMOTE_ADDR.
MEDCODE_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("MEDCODE_TRUSTED_PROXIES", "").split(",") if p.strip()
]

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
MEDCODE_SIGNUP_OPEN = env_bool("MEDCODE_SIGNUP", True)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if env_bool("MEDCODE_HTTPS", False) else "http"
# Registration and sign-in throttles (allauth, in the cache), on top of axes' lockout.
ACCOUNT_RATE_LIMITS = {
    "signup": os.environ.get("MEDCODE_SIGNUP_RATE", "5/h/ip"),
    "login_failed": "20/m/ip,10/5m/key",
    "confirm_email": "1/3m/key",
    "reset_password": "5/h/ip,3/h/key",
}
# A reset asked for an address with no account sends nothing (no mail to strangers), and the page
# says the same as for a known address (no account discovery).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
AXES_FAILURE_LIMIT = int(os.environ.get("MEDCODE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("MEDCODE_LOGIN_COOLOFF_HOURS", "0.25"))
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
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MEDCODE_MAX_BODY_BYTES", str(2_621_440)))
MEDCODE_MAX_UPLOAD_BYTES = int(os.environ.get("MEDCODE_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))

# Email: MEDCODE_EMAIL_URL = smtp://user:password@host:587?tls=1 | file:///folder | console:
# (the console in DEBUG without a URL; pytest swaps in the in-memory outbox).
DEFAULT_FROM_EMAIL = os.environ.get("MEDCODE_FROM_EMAIL", "medcode <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Without MEDCODE_EMAIL_URL or EMAIL_HOST, mail goes to the console (the server's log), so
# sign-up works on a default install; `medcode up` and `medcode serve` warn about it.
MEDCODE_MAIL_CONFIGURED = bool(os.environ.get("MEDCODE_EMAIL_URL") or os.environ.get("EMAIL_HOST"))
_email_url = os.environ.get(
    "MEDCODE_EMAIL_URL", "" if MEDCODE_MAIL_CONFIGURED and not DEBUG else "console:"
)
if _email_url.startswith("console:"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif _email_url.startswith("file://"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = _email_url.removeprefix("file://")
elif _email_url.startswith(("smtp://", "smtps://")):
    from urllib.parse import parse_qs, unquote, urlsplit

    _mail = urlsplit(_email_url)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or (465 if _mail.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_SSL = _mail.scheme == "smtps"
    EMAIL_USE_TLS = parse_qs(_mail.query).get("tls", ["0"])[0] in {"1", "true", "on"}
elif _email_url:
    raise ImproperlyConfigured(
        "MEDCODE_EMAIL_URL must start with smtp://, smtps://, file:// or console:"
    )
else:
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))

# Background tasks (django-tasks with the django-tasks-db backend): `medcode worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A task left running this long by a worker no longer heard from is run again when a worker
# starts (medcode.jobs.recovery); the tasks make sure a retry sends no email twice.
MEDCODE_TASK_LEASE_SECONDS = float(os.environ.get("MEDCODE_TASK_LEASE_SECONDS", "300"))
# The site's address as users reach it, for links in email sent by the worker.
MEDCODE_SITE_URL = os.environ.get("MEDCODE_SITE_URL", "http://localhost:8000")
# The site's name in pages and account mail ("Hello from medcode").
MEDCODE_SITE_NAME = os.environ.get("MEDCODE_SITE_NAME", "medcode")
# The plans page's way to a paid plan: a checkout page, else a sales contact address.
MEDCODE_UPGRADE_URL = os.environ.get("MEDCODE_UPGRADE_URL", "")
MEDCODE_SALES_EMAIL = os.environ.get("MEDCODE_SALES_EMAIL", "")
MEDCODE_JOBS_POSTS_PER_DAY = int(os.environ.get("MEDCODE_JOBS_POSTS_PER_DAY", "5"))
MEDCODE_JOBS_EXPIRY_NOTICE_DAYS = int(os.environ.get("MEDCODE_JOBS_EXPIRY_NOTICE_DAYS", "3"))

# --- CaseConsultant (medcode.consult): questions by email, answered by email ------------------
# The address users write to; replies come from it and their Message-IDs use its domain.
MEDCODE_CONSULT_ADDRESS = os.environ.get("MEDCODE_CONSULT_ADDRESS", "consult@localhost")
# The staff review queue's target time to answer, in hours (older items are marked overdue).
MEDCODE_CONSULT_TARGET_HOURS = float(os.environ.get("MEDCODE_CONSULT_TARGET_HOURS", "24"))
# Only Authentication-Results headers written by this verifier (its authserv-id, e.g. the MX
# host name) can make a pass; empty: no header can (a failure in the topmost still refuses).
MEDCODE_CONSULT_AUTHSERV_ID = os.environ.get("MEDCODE_CONSULT_AUTHSERV_ID", "")
# On (default): answer only mail with an SPF/DKIM/DMARC pass for the From domain (from the
# verifier above, or Mailgun's verdict); without a verifier, SMTP mail is then not answered.
# Off: only behind a trusted relay; an envelope sender aligned with From is then enough.
MEDCODE_CONSULT_REQUIRE_AUTH = env_bool("MEDCODE_CONSULT_REQUIRE_AUTH", True)
# How long a worker holds an inquiry before another may take it over (seconds).
MEDCODE_CONSULT_LEASE_SECONDS = float(os.environ.get("MEDCODE_CONSULT_LEASE_SECONDS", "120"))
# The SMTP listener's daily intake per connecting address and per envelope sender; past
# either it answers 450 (the sending server retries later), so a flood from an unknown sender
# cannot fill the database (plan quotas cap replies, not recorded mail).
MEDCODE_CONSULT_SMTP_PER_CLIENT_DAY = int(
    os.environ.get("MEDCODE_CONSULT_SMTP_PER_CLIENT_DAY", "1000")
)
MEDCODE_CONSULT_SMTP_PER_SENDER_DAY = int(
    os.environ.get("MEDCODE_CONSULT_SMTP_PER_SENDER_DAY", "50")
)
# Hard time budget per request, seconds (medcode.accounts.budget); 0: none. `medcode serve`
# (gunicorn's gthread workers, which --timeout does not stop) uses 60 unless this is set.
MEDCODE_REQUEST_BUDGET_SECONDS = float(os.environ.get("MEDCODE_REQUEST_BUDGET_SECONDS", "0"))
# Largest inbound message the SMTP listener accepts (bytes).
MEDCODE_CONSULT_MAX_BYTES = int(os.environ.get("MEDCODE_CONSULT_MAX_BYTES", str(10 * 1024 * 1024)))
# Mailgun inbound webhook (/consult/inbound/mailgun/): off unless the signing key is set.
MEDCODE_MAILGUN_WEBHOOK_SIGNING_KEY = os.environ.get("MEDCODE_MAILGUN_WEBHOOK_SIGNING_KEY", "")
_webhook_secret = os.environ.get("MEDCODE_INBOUND_WEBHOOK_SECRET", "")
# Basic-auth credentials ("user:password") the provider must send as well, when set.
ANYMAIL = {"WEBHOOK_SECRET": _webhook_secret} if _webhook_secret else {}

# --- CasePilot (medcode.assistant) ----------------------------------------------------------------
# An optional OpenAI-compatible chat endpoint that may plan tool calls and phrase answers; off
# unless both the base URL (for example http://127.0.0.1:8080/v1) and the model are set.
MEDCODE_LLM_BASE_URL = os.environ.get("MEDCODE_LLM_BASE_URL", "")
MEDCODE_LLM_MODEL = os.environ.get("MEDCODE_LLM_MODEL", "")
MEDCODE_LLM_API_KEY = os.environ.get("MEDCODE_LLM_API_KEY", "")
MEDCODE_LLM_TIMEOUT = float(os.environ.get("MEDCODE_LLM_TIMEOUT", "20"))

# --- Operations (medcode.ops): logs, probes, metrics ------------------------------------------
# plain (a terminal) or json (one object per line, for a log shipper).
LOGGING = logging_config(
    os.environ.get("MEDCODE_LOG_FORMAT", "plain"), os.environ.get("MEDCODE_LOG_LEVEL", "INFO")
)
# /metrics: a scraper sending this bearer token, or connecting straight from these networks.
MEDCODE_METRICS_TOKEN = os.environ.get("MEDCODE_METRICS_TOKEN", "")
MEDCODE_METRICS_NETWORKS = [
    n.strip() for n in os.environ.get("MEDCODE_METRICS_NETWORKS", "").split(",") if n.strip()
]
# /readyz: the worker is fine if its heartbeat is this recent (seconds), or else if no task
# has waited longer than MEDCODE_QUEUE_MAX_AGE.
MEDCODE_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("MEDCODE_WORKER_HEARTBEAT_SECONDS", "15"))
MEDCODE_WORKER_MAX_SILENCE = float(os.environ.get("MEDCODE_WORKER_MAX_SILENCE", "120"))
MEDCODE_QUEUE_MAX_AGE = float(os.environ.get("MEDCODE_QUEUE_MAX_AGE", "300"))
