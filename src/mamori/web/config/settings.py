"""Settings of the web application, safe by default: no debug, the secret key from the environment,
secure cookies, explicit allowed hosts. ``mamori serve --demo`` relaxes only what a local demo over plain
HTTP needs (it sets ``MAMORI_DEMO=1``): a generated secret key and cookies that work without HTTPS.

Environment: ``MAMORI_SECRET_KEY`` (required outside the demo), ``DATABASE_URL`` (default: an SQLite
file ``mamori.sqlite3`` in the working directory), ``MAMORI_ALLOWED_HOSTS`` (comma-separated),
``MAMORI_DATA_DIR`` (static files and uploads; default ``./mamori-data``), ``MAMORI_DEBUG``,
``MAMORI_SECURE_COOKIES`` (default on, off in the demo), ``MAMORI_PRODUCTS`` (product versions folder).

Guard rails (issue 14; README "Behind a reverse proxy"): ``MAMORI_TRUSTED_PROXIES`` (addresses or networks
whose ``X-Forwarded-For`` is believed), ``MAMORI_MAX_BODY_BYTES`` / ``MAMORI_ATTACHMENT_MAX_BYTES`` (request
bodies, attachments), ``MAMORI_STAFF_SECOND_FACTOR`` (TOTP for staff; default on, off in the demo),
``MAMORI_REDIS_URL`` (throttle counters; the database otherwise), ``MAMORI_LOG_FORMAT`` (json or text).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from mamori.web.config import env

WEB_DIR = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


DEMO = _flag("MAMORI_DEMO", False)
DEBUG = _flag("MAMORI_DEBUG", False)
DATA_DIR = Path(os.environ.get("MAMORI_DATA_DIR") or Path.cwd() / "mamori-data")

SECRET_KEY = os.environ.get("MAMORI_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "MAMORI_SECRET_KEY is not set: set it to a long random value (or run `mamori serve --demo` for a local demo)."
    )

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("MAMORI_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("MAMORI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # the API documentation from the application's own static files (no CDN)
    "axes",  # failed logins per user name (django-axes)
    "django_otp",
    "django_otp.plugins.otp_totp",  # the staff second factor (TOTP, RFC 6238)
    "django_tasks",  # background work (Django's task framework, backport)
    "django_tasks_db",  # its queue in the database, run by `mamori worker`
    "mamori.web.security",
    "mamori.web.audit",
    "mamori.web.accounts",
    "mamori.web.productdb",
    "mamori.web.quotes",
    "mamori.web.applications",
    "mamori.web.policies",
    "mamori.web.billing",
    "mamori.web.servicing",
    "mamori.web.incidents",
    "mamori.web.claimsdesk",
    "mamori.web.estimates",
    "mamori.web.portfolio",
    "mamori.web.books",
    "mamori.web.api",
    "mamori.web.pages",
]

MIDDLEWARE = [
    "mamori.web.security.middleware.RequestIdMiddleware",
    "mamori.web.security.middleware.ApiErrorsMiddleware",
    "mamori.web.security.middleware.RequestLimitsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "mamori.web.security.middleware.ContentSecurityPolicyMiddleware",  # django-csp's
    "mamori.web.security.middleware.HeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mamori.web.pages.middleware.JapaneseFirstMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "mamori.web.security.middleware.SessionPolicyMiddleware",
    "mamori.web.security.middleware.ThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "mamori.web.config.urls"
WSGI_APPLICATION = "mamori.web.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mamori.web.pages.context.roles",
                "mamori.web.pages.context.emergency",
            ],
            "builtins": ["mamori.web.pages.templatetags.mamori_format"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{Path.cwd() / 'mamori.sqlite3'}",
        conn_max_age=env.integer("MAMORI_DB_CONN_MAX_AGE", 60, minimum=0, maximum=86_400),
        conn_health_checks=True,  # a connection broken by a database restart is replaced, not used
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", env.integer("MAMORI_DB_CONNECT_TIMEOUT", 5, minimum=1, maximum=300)
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout: concurrent requests wait for a lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "mamori.web.accounts.backends.LoginThrottleBackend",  # django-axes: a locked user name is refused first
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "pages:dashboard"
LOGOUT_REDIRECT_URL = "pages:home"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [WEB_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
#: One date format per language (2026年12月3日 / 3 Dec 2026): config/formats/<lang>/formats.py.
FORMAT_MODULE_PATH = ["mamori.web.config.formats"]
#: The address of the site, for the links in e-mails (``MAMORI_SITE_URL``).
SITE_URL = os.environ.get("MAMORI_SITE_URL", "http://localhost:8000").rstrip("/")
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "mamori.web.pages.finders.PackagedFontFinder",
]
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": DATA_DIR / "files"}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Attachments and other stored files through Django's storage API: this machine's disk by default; an
# S3-compatible store (AWS S3, MinIO, Cloudflare R2, …) shared by every server when MAMORI_S3_BUCKET is set
# (`pip install 'mamori[s3]'`: django-storages with boto3). Credentials come from MAMORI_S3_ACCESS_KEY /
# MAMORI_S3_SECRET_KEY or boto3's own chain (an instance role); files are private (signed, short-lived
# addresses are never handed out: Mamori serves each download itself after its permission check).
S3_BUCKET = os.environ.get("MAMORI_S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            key: value
            for key, value in {
                "bucket_name": S3_BUCKET,
                "endpoint_url": os.environ.get("MAMORI_S3_ENDPOINT_URL") or None,
                "region_name": os.environ.get("MAMORI_S3_REGION") or None,
                "access_key": os.environ.get("MAMORI_S3_ACCESS_KEY") or None,
                "secret_key": os.environ.get("MAMORI_S3_SECRET_KEY") or None,
                "location": os.environ.get("MAMORI_S3_PREFIX", "mamori"),
                "default_acl": "private",
                "file_overwrite": False,
                "querystring_auth": True,
                "querystring_expire": 300,
            }.items()
            if value is not None
        },
    }
if DEBUG or os.environ.get("MAMORI_TESTING"):
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = DEBUG or bool(os.environ.get("MAMORI_TESTING"))

SECURE_COOKIES = _flag("MAMORI_SECURE_COOKIES", not DEMO)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if SECURE_COOKIES:
    SECURE_HSTS_SECONDS = env.integer("MAMORI_HSTS_SECONDS", 31_536_000, minimum=0, maximum=2 * 31_536_000)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = os.environ.get("MAMORI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("MAMORI_FROM_EMAIL", "mamori@localhost")
# SMTP, when MAMORI_EMAIL_BACKEND is django.core.mail.backends.smtp.EmailBackend:
EMAIL_HOST = os.environ.get("MAMORI_EMAIL_HOST", "localhost")
EMAIL_PORT = env.integer("MAMORI_EMAIL_PORT", 25, minimum=1, maximum=65_535)
EMAIL_HOST_USER = os.environ.get("MAMORI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("MAMORI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _flag("MAMORI_EMAIL_TLS", False)

#: Product versions folder (the packaged one by default): registered in the database at start.
MAMORI_PRODUCTS = os.environ.get("MAMORI_PRODUCTS") or None
#: Failed logins allowed per user name within the window before that user name is locked for the window
#: (interfaces.md §2: 10 within 15 minutes). Only the user name is locked: failures for other user names,
#: from the same address or not, never refuse a correct password.
MAMORI_LOGIN_FAILURES = env.integer("MAMORI_LOGIN_FAILURES", 10, minimum=1, maximum=1_000)
MAMORI_LOGIN_WINDOW_SECONDS = env.integer("MAMORI_LOGIN_WINDOW_SECONDS", 900, minimum=1, maximum=86_400)
#: The support and claims team new cases go to (staff see the cases of their team; administrators all).
MAMORI_DEFAULT_TEAM = os.environ.get("MAMORI_DEFAULT_TEAM", "tokyo")
#: Attachments: at most this many bytes each, of these types (checked by content, not by name).
MAMORI_ATTACHMENT_MAX_BYTES = env.integer("MAMORI_ATTACHMENT_MAX_BYTES", 20 << 20, minimum=1 << 10, maximum=1 << 30)

# ------------------------------------------------------------------------------------------ guard rails

#: Proxies (addresses or networks, comma-separated) whose X-Forwarded-For names the client; no other.
MAMORI_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("MAMORI_TRUSTED_PROXIES", "").split(",") if p.strip()]
#: A request body above this is refused 413 before it is read; upload paths take an attachment and its form.
MAMORI_MAX_BODY_BYTES = env.integer("MAMORI_MAX_BODY_BYTES", 1 << 20, minimum=16 << 10, maximum=1 << 30)
MAMORI_MAX_UPLOAD_BYTES = MAMORI_ATTACHMENT_MAX_BYTES + 64 * 1024
MAMORI_UPLOAD_PATHS = [
    r"^/incidents/[^/]+/attachments/$",
    r"^/api/v1/incidents/[^/]+/attachments$",
    r"^/payments/$",  # the bank file
]
MAMORI_MAX_URL_BYTES = env.integer("MAMORI_MAX_URL_BYTES", 4096, minimum=256, maximum=8190)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAMORI_MAX_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024  # larger files are streamed to a temporary file
DATA_UPLOAD_MAX_NUMBER_FILES = 5

#: Public endpoints throttled per client address: (name, methods, path, requests, seconds); an override of
#: one rule: MAMORI_THROTTLE_<NAME>=requests/seconds.
MAMORI_THROTTLES = [
    ("quote", ("POST",), r"^/(api/v1/quotes|quote/)$", 60, 600),
    ("preview", ("POST",), r"^/(quote/preview|estimate)/$", 600, 600),
    ("estimate", ("POST",), r"^/api/v1/estimates", 120, 600),
    ("signup", ("POST",), r"^/signup/$", 10, 3600),
    ("token", ("POST",), r"^/(api/v1/auth/token|accounts/login/)$", 300, 600),
]
for _i, (_name, _methods, _path, _n, _s) in enumerate(MAMORI_THROTTLES):
    _rule = env.rate(f"MAMORI_THROTTLE_{_name.upper()}", (_n, _s))
    MAMORI_THROTTLES[_i] = (_name, _methods, _path, *_rule)

#: Quotes saved by anonymous visitors are deleted by the daily job after this many days (when unused).
MAMORI_ANONYMOUS_QUOTE_DAYS = env.integer("MAMORI_ANONYMOUS_QUOTE_DAYS", 30, minimum=1, maximum=3_650)

REDIS_URL = os.environ.get("MAMORI_REDIS_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # The throttles' counters, shared by every worker and server: Redis when configured; without Redis they
    # are rows of the database, counted by one statement each (mamori.web.security.models.ThrottleCount).
    "throttle": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"},
}
#: Where the throttles count: "cache" (the "throttle" cache above: Redis) or "database".
MAMORI_THROTTLE_STORE = "cache" if REDIS_URL else "database"

# Failed logins (django-axes): counted per user name and client address, locking the user name.
AXES_FAILURE_LIMIT = MAMORI_LOGIN_FAILURES
AXES_COOLOFF_TIME = dt.timedelta(seconds=MAMORI_LOGIN_WINDOW_SECONDS)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "mamori.web.security.client.axes_client_ip"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_DISABLE_ACCESS_LOG = True
SILENCED_SYSTEM_CHECKS = [
    "axes.W002",  # the lockout answer is ours (429 with Retry-After), not its middleware's
    "axes.W006",  # only the user name is locked, on purpose: an address (NAT, proxy) never locks others out
]

#: A repeat of an Idempotency-Key waits at most this long for the first request still running (then 409).
MAMORI_IDEMPOTENCY_WAIT_SECONDS = env.seconds("MAMORI_IDEMPOTENCY_WAIT_SECONDS", 10.0, minimum=0, maximum=60)

# Tokens and sessions (interfaces.md §2).
MAMORI_TOKEN_LIFETIME_SECONDS = env.integer("MAMORI_TOKEN_LIFETIME_SECONDS", 12 * 3600, minimum=60, maximum=30 * 86_400)
MAMORI_STAFF_TOKEN_IDLE_SECONDS = env.integer("MAMORI_STAFF_TOKEN_IDLE_SECONDS", 30 * 60, minimum=60, maximum=86_400)
MAMORI_STAFF_IDLE_SECONDS = env.integer("MAMORI_STAFF_IDLE_SECONDS", 30 * 60, minimum=60, maximum=86_400)
MAMORI_SESSION_IDLE_SECONDS = env.integer("MAMORI_SESSION_IDLE_SECONDS", 8 * 3600, minimum=60, maximum=30 * 86_400)
SESSION_COOKIE_AGE = MAMORI_SESSION_IDLE_SECONDS
#: Staff need a second factor (TOTP) for pages and tokens; the demo's staff do not unless asked.
MAMORI_STAFF_SECOND_FACTOR = _flag("MAMORI_STAFF_SECOND_FACTOR", not DEMO)
OTP_TOTP_ISSUER = "Mamori"

# Headers: a Content-Security-Policy without inline script (django-csp), Permissions-Policy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
MAMORI_API_DOCS_PATH = "/api/v1/docs"
MAMORI_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)

LOG_FORMAT = os.environ.get("MAMORI_LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "mamori.web.security.logs.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT if LOG_FORMAT in ("json", "text") else "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("MAMORI_LOG_LEVEL", "WARNING")},
    "loggers": {"mamori.request": {"level": os.environ.get("MAMORI_ACCESS_LOG_LEVEL", "INFO")}},
}


# Background work (portfolio runs, the close's documents, certificates, e-mail, deadline reminders): Django's
# task framework, its queue in the database, run by `mamori worker` (scripts/run starts one beside the
# server). MAMORI_TASKS=immediate runs a task where it is enqueued (no worker: tests, a one-process trial).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if os.environ.get("MAMORI_TASKS", "") == "immediate"
        else "django_tasks_db.DatabaseBackend"
    }
}
