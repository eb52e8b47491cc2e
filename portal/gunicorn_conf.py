"""gunicorn's settings for the production stack (Dockerfile, docker-compose.yml): ``gunicorn -c python:portal.gunicorn_conf``.

Access lines log the path without its query string: a search by ID number or phone must not end up in the access log
(docs/roles.md, "Personal data"). Application logs go through ``portal.log.RedactingFormatter``.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 60
#: Seconds an idle kept-alive connection stays open. Gunicorn's 2 s closed connections a client (a proxy, a
#: third party's business system) was about to reuse after a short pause, and its next request failed.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'


def post_worker_init(worker: object) -> None:
    """Once a worker has loaded the portal: everything loaded so far (Django, the apps, the URL and template
    machinery) lives as long as the worker, so the cyclic garbage collector stops scanning it (``gc.freeze``), and
    collects the young generation less often. Requests allocate many short-lived objects; with the defaults the
    collector took about 4 % of the CPU of the load benchmark's requests, with these about 1.5 % (measured in one
    process over its mix of requests, ``gc.callbacks``)."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, 10, 10)


#: Allocations between young-generation collections (CPython's default is 700).
GC_YOUNG_THRESHOLD = 10_000
