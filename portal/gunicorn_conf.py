"""gunicorn's settings for the production stack (Dockerfile, docker-compose.yml): ``gunicorn -c python:portal.gunicorn_conf``.

Access lines log the path without its query string: a search by ID number or phone must not end up in the access log
(DOMAIN §12). Application logs go through ``portal.log.RedactingFormatter``.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 60
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
