"""The one-machine deployment (`make run`): the ``local`` set-up served as in production.

SQLite and the filesystem broker under var/ and this machine's own keys, as ``local``; but DEBUG off, gunicorn
(``portal.gunicorn_conf``) instead of runserver, static files collected and served by WhiteNoise, and the portal's own
Chinese error pages. Plain HTTP on 127.0.0.1: cookies are not ``Secure`` (base settings), so signing in works without
TLS. Serving a network takes HTTPS in front and the ``production`` settings (README, "Running it small and large").
"""

from portal.settings.local import *

DEBUG = False
# Several gunicorn workers and the Celery worker: the throttles, the rate limits and the public pages' cache are
# shared through files under var/, not counted in each process.
CACHES = {"default": env.cache("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}
