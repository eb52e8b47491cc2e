"""The layers between the bare floor and the portal: the bare form and a no-op API, served by the portal's own settings.

    DJANGO_SETTINGS_MODULE=bench.stack  (``bench/write_cpu.py`` runs it in a child process, as it runs ``bench.bare``)

These are the portal's benchmark settings (``portal.settings.bench``: its installed apps, its whole middleware stack,
its sessions, CSRF, authentication, second factor, Axes, audit context, CSP and security headers, WhiteNoise,
locale, its template engine with its context processors and form renderer, its ``REST_FRAMEWORK``) with one change:
the URL configuration is ``bench.stack_urls``: the portal's own URLs (the login form signs the clerk in as on the portal)
plus two of the benchmark's, which the portal itself never serves:

- ``/form/`` — **the stack layer**: ``bench/bare.py``'s form view, unchanged (the same form, template, UPDATE
  and INSERT), under the portal's middleware and settings. What it costs above the bare form is the fixed cost every
  request of the portal pays before and after its page's own work.
- ``/api/bare/`` — **the API layer**: a DRF ``APIView`` with the portal's defaults (session and token
  authentication, ``IsAuthenticatedOrReadOnly``, the anonymous and per-user throttles counting in the Redis cache,
  content negotiation, JSON parsing and rendering, the portal's exception handler) and the portal's ``@idempotent``
  decorator, whose POST validates the bare form's five fields with a serializer, runs the same UPDATE and INSERT in
  a transaction and answers a small JSON (201). What it costs above the stack layer is DRF's; with an
  ``Idempotency-Key`` header, also the decorator's stored reply.

The templates are the portal's, with the bare project's three in front (``bench.bare.TEMPLATES``' locmem loader),
cached as production caches them.
"""

from __future__ import annotations

from bench.bare import TEMPLATE_SOURCES
from bench.stack_urls import with_templates
from portal.settings.bench import *  # noqa: F403
from portal.settings.bench import TEMPLATES as _PORTAL_TEMPLATES

ROOT_URLCONF = "bench.stack_urls"
TEMPLATES = with_templates(_PORTAL_TEMPLATES, TEMPLATE_SOURCES)
