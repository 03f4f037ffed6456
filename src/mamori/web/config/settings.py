"""Settings of the web application, safe by default: no debug, the secret key from the environment,
secure cookies, explicit allowed hosts. ``mamori serve --demo`` relaxes only what a local demo over plain
HTTP needs (it sets ``MAMORI_DEMO=1``): a generated secret key and cookies that work without HTTPS.

Environment: ``MAMORI_SECRET_KEY`` (required outside the demo), ``DATABASE_URL`` (default: an SQLite
file ``mamori.sqlite3`` in the working directory), ``MAMORI_ALLOWED_HOSTS`` (comma-separated),
``MAMORI_DATA_DIR`` (static files and uploads; default ``./mamori-data``), ``MAMORI_DEBUG``,
``MAMORI_SECURE_COOKIES`` (default on, off in the demo), ``MAMORI_PRODUCTS`` (product versions folder).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

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
    "mamori.web.api",
    "mamori.web.pages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mamori.web.pages.middleware.JapaneseFirstMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{Path.cwd() / 'mamori.sqlite3'}",
        conn_max_age=int(os.environ.get("MAMORI_DB_CONN_MAX_AGE", "60")),
    )
}
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
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "pages:dashboard"
LOGOUT_REDIRECT_URL = "pages:home"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [WEB_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
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
    SECURE_HSTS_SECONDS = int(os.environ.get("MAMORI_HSTS_SECONDS", "31536000"))
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = os.environ.get("MAMORI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("MAMORI_FROM_EMAIL", "mamori@localhost")
# SMTP, when MAMORI_EMAIL_BACKEND is django.core.mail.backends.smtp.EmailBackend:
EMAIL_HOST = os.environ.get("MAMORI_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("MAMORI_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("MAMORI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("MAMORI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _flag("MAMORI_EMAIL_TLS", False)

#: Product versions folder (the packaged one by default): registered in the database at start.
MAMORI_PRODUCTS = os.environ.get("MAMORI_PRODUCTS") or None
#: Failed logins allowed per user name (and per address) within the window, before it is locked.
MAMORI_LOGIN_FAILURES = int(os.environ.get("MAMORI_LOGIN_FAILURES", "5"))
MAMORI_LOGIN_WINDOW_SECONDS = int(os.environ.get("MAMORI_LOGIN_WINDOW_SECONDS", "900"))
#: The support and claims team new cases go to (staff see the cases of their team; administrators all).
MAMORI_DEFAULT_TEAM = os.environ.get("MAMORI_DEFAULT_TEAM", "tokyo")
#: Attachments: at most this many bytes each, of these types (checked by content, not by name).
MAMORI_ATTACHMENT_MAX_BYTES = int(os.environ.get("MAMORI_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MAMORI_LOG_LEVEL", "WARNING")},
}
