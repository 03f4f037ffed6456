"""Settings for the test suite: the production settings with a throw-away secret key and plain static
files. ``DATABASE_URL`` chooses the database (SQLite by default; the suite runs again on PostgreSQL)."""

import os
import tempfile

os.environ.setdefault("MAMORI_SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("MAMORI_TESTING", "1")
os.environ.setdefault("MAMORI_SECURE_COOKIES", "0")
os.environ.setdefault("MAMORI_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("MAMORI_DATA_DIR", tempfile.mkdtemp(prefix="mamori-test-"))
# Staff sign in with a password in most tests; the second-factor tests switch it on (production: on).
os.environ.setdefault("MAMORI_STAFF_SECOND_FACTOR", "0")
os.environ.setdefault("MAMORI_ACCESS_LOG_LEVEL", "WARNING")
os.environ.setdefault("MAMORI_LOG_FORMAT", "text")
# Background tasks run where they are enqueued (a test of the worker runs the database queue itself).
os.environ.setdefault("MAMORI_TASKS", "immediate")

from mamori.web.config.settings import *  # noqa: F403 - the production settings, then the test overrides

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405 - fast tests; Argon2 checked by a test
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise wants the folder, even empty

# Throttle counters in this process (each test starts with none: tests/web/conftest.py clears them).
CACHES["throttle"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}  # noqa: F405
MAMORI_THROTTLE_STORE = "cache"  # the database store has its own tests (tests/web/test_throttle_store.py)
