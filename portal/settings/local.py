"""Development on one machine: `make run`. SQLite and the filesystem broker unless the environment says otherwise."""

import os

from portal.settings.development_keys import DEVELOPMENT_FIELD_KEY, DEVELOPMENT_HMAC_KEY

os.environ.setdefault("DJANGO_SECRET_KEY", "local-development-only-not-a-secret")
# Public development keys for personal data at rest (portal.crypto); production demands its own.
os.environ.setdefault("PORTAL_FIELD_KEYS", DEVELOPMENT_FIELD_KEY)
os.environ.setdefault("PORTAL_HMAC_KEY", DEVELOPMENT_HMAC_KEY)

from portal.settings.base import *

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
