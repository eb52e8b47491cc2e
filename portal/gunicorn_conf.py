"""gunicorn's settings for the production stack (Dockerfile, docker-compose.yml): ``gunicorn -c python:portal.gunicorn_conf``.

Access lines log the path without its query string: a search by ID number or phone must not end up in the access log
(docs/roles.md, "Personal data"). Application logs go through ``portal.log.RedactingFormatter``.

Processes, not threads (docs/performance.md, "Serving"): the portal's requests are CPU work in Python, and the threads
of one process take turns on one core. Each worker serves one request at a time and takes a connection only when it
is free (``worker_connections``), and closes it after the reply (``keepalive`` 0), so a request waits in the
listening socket's one queue for the first free worker rather than behind a long request inside a busy one. The
``gthread`` worker class keeps its heartbeat on its own thread, so a long upload does not get the worker killed as a
``sync`` worker would be at ``timeout``.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
#: gunicorn's own rule of thumb: two per core and one more, so that a core never idles while a request waits on the
#: database.
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread"
timeout = 60
#: Seconds an idle connection stays open for its next request: none. A kept-alive connection stays with the worker
#: that accepted it, and its next request waits there, behind whatever that worker is doing, while another idles;
#: "Connection: close" on every reply also spares a client (a proxy, a third party's business system) from reusing a
#: connection just as the server closes it.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "0"))
#: A worker accepts a connection only when one of its threads is free to serve it. (With connections kept alive,
#: idle ones count too: the limit is then gunicorn's default.)
worker_connections = threads if keepalive == 0 else 1000
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
