"""The load benchmark (``bench/load.py``): production settings, served over plain HTTP on the loopback.

Only what a loopback run without TLS needs differs from ``production``: no HTTPS redirect or HSTS, cookies that an
HTTP client may send back (``Secure`` cookies and ``__Host-`` names need HTTPS), and throttle rates high enough never to
refuse: every virtual user of the benchmark comes from 127.0.0.1 and each third party's account submits far more
claims than the ``claims`` rate allows a real one. The throttles still run (their bookkeeping in the cache is part of
the measured cost); they only never say no. Everything else (DEBUG off, PostgreSQL, the Redis cache, the password
hasher, sessions, CSRF, CSP, Axes) is production's.
"""

import os
from typing import cast

from portal.settings.development_keys import DEVELOPMENT_FIELD_KEY, DEVELOPMENT_HMAC_KEY

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
# bench/load.py passes keys of its own; these only let the module load on its own (e.g. for manage.py check).
os.environ.setdefault("PORTAL_FIELD_KEYS", DEVELOPMENT_FIELD_KEY)
os.environ.setdefault("PORTAL_HMAC_KEY", DEVELOPMENT_HMAC_KEY)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

from portal.settings.production import *

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
# collectstatic of the benchmark writes here, not over a deployment's var/staticfiles. The same hashed names as
# production, without WhiteNoise's gzip/brotli copies: a minute of CPU for files the benchmark never downloads.
STATIC_ROOT = env.path("BENCH_STATIC_ROOT", default=str(VAR_DIR / "bench" / "static"))
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}

#: Far above anything the benchmark sends: the throttles count, but never refuse (see the module docstring).
BENCH_THROTTLE_RATE = "1000000/min"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": dict.fromkeys(
        cast(dict[str, str], REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]), BENCH_THROTTLE_RATE
    ),
}
