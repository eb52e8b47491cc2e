"""The test suite: SQLite by default, PostgreSQL and Redis when DATABASE_URL / CELERY_BROKER_URL say so (CI)."""

import os

from portal.settings.development_keys import DEVELOPMENT_FIELD_KEY, DEVELOPMENT_HMAC_KEY

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-a-secret")
# Public development keys for personal data at rest (portal.security.crypto); production demands its own.
os.environ.setdefault("PORTAL_FIELD_KEYS", DEVELOPMENT_FIELD_KEY)
os.environ.setdefault("PORTAL_HMAC_KEY", DEVELOPMENT_HMAC_KEY)

from portal.settings.base import *

DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-private"
# Every test sees its own writes at once (tests of portal.web.public_cache turn it on).
PUBLIC_CACHE_SECONDS = 0
# Tasks run where they are called, so a test exercises the whole path without a worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "10000/min", "user": "10000/min", "claims": "10000/hour"},
}
