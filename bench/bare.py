"""The floor the portal's requests are measured against: a bare Django project in one file (settings, URLs, views).

    DJANGO_SETTINGS_MODULE=bench.bare DATABASE_URL=postgres://... gunicorn -c python:portal.gunicorn_conf bench.bare:application

It serves, on the same database server, gunicorn configuration and Django as the portal, only what every request
of its kind cannot do without:

- ``GET /`` — **the bare read**: one PostgreSQL query (20 rows) rendered through a 20-row template, anonymous;
- ``GET /form/`` and ``POST /form/`` — **the bare form POST**: a signed-in form as Django does it with nothing else.
  The GET reads the session (from the database, as the portal keeps its sessions) and renders a five-field form
  with its CSRF token; the POST reads the session, checks the CSRF token, validates the form, runs one UPDATE and
  one INSERT in a transaction and redirects (303), the shape of a clerk's save.

Middleware: sessions, CSRF and the response headers of ``SecurityMiddleware``; no authentication app (the session
carries the signed-in key, as ``django.contrib.auth`` keeps it), no messages, no audit, no rate limits: those are
what the portal adds, and what the ratio portal/bare shows. ``prepare()`` makes its two tables in the database
given (``bench_bare_item`` with 200 rows, ``bench_bare_entry``), dropped with the benchmark's database.
"""

from __future__ import annotations

import datetime
import os
from typing import Any

import environ

env = environ.Env()

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "bench-bare-not-a-secret")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "bench.bare"
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
LANGUAGE_CODE = "zh-hans"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.sessions"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
DATABASES = {
    "default": {
        **env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/bench_load"),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "DISABLE_SERVER_SIDE_CURSORS": True,
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_NAME = "bare_session"
CSRF_COOKIE_NAME = "bare_csrf"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_LAYOUT = """<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>{% block title %}{% endblock %}</title>
</head><body><main>{% block main %}{% endblock %}</main></body></html>"""
_LIST = """{% extends "layout.html" %}{% block title %}公示名单{% endblock %}{% block main %}
<table><thead><tr><th>编号</th><th>姓名</th><th>单位</th><th>岗位</th><th>日期</th></tr></thead><tbody>
{% for row in rows %}<tr><td>{{ row.0 }}</td><td>{{ row.1 }}</td><td>{{ row.2 }}</td><td>{{ row.3 }}</td>
<td>{{ row.4|date:"Y-m-d" }}</td></tr>{% endfor %}</tbody></table>{% endblock %}"""
_FORM = """{% extends "layout.html" %}{% block title %}编辑{% endblock %}{% block main %}
<form method="post">{% csrf_token %}{{ form }}<button type="submit">保存</button></form>{% endblock %}"""
#: The bare project's templates by name (``bench.stack`` serves the same ones under the portal's engine).
TEMPLATE_SOURCES = {"layout.html": _LAYOUT, "list.html": _LIST, "form.html": _FORM}
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        (
                            "django.template.loaders.locmem.Loader",
                            TEMPLATE_SOURCES,
                        )
                    ],
                )
            ],
            "context_processors": ["django.template.context_processors.csrf"],
        },
    }
]

#: The signed-in key a bare session carries, as django.contrib.auth keeps it.
SIGNED_IN = "_auth_user_id"
ROWS = 200


def prepare(connection: Any) -> None:
    """Make the bare project's two tables and rows (idempotent) through a connection to the same database: a DB-API
    one to PostgreSQL, or Django's (on SQLite too, for the smoke test: ``connection.vendor`` says which)."""
    sqlite = getattr(connection, "vendor", "postgresql") == "sqlite"
    key, big_key, moment = (
        ("integer PRIMARY KEY AUTOINCREMENT", "integer PRIMARY KEY AUTOINCREMENT", "datetime")
        if sqlite
        else ("serial PRIMARY KEY", "bigserial PRIMARY KEY", "timestamptz")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS bench_bare_item (id {key}, name varchar(50) NOT NULL,"
            f" employer varchar(100) NOT NULL, post varchar(100) NOT NULL, changed {moment} NOT NULL,"
            " saves integer NOT NULL DEFAULT 0)"
        )
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS bench_bare_entry (id {big_key}, item_id integer NOT NULL"
            f" REFERENCES bench_bare_item(id), note varchar(200) NOT NULL, at {moment} NOT NULL)"
        )
        cursor.execute("SELECT count(*) FROM bench_bare_item")
        if cursor.fetchone()[0] < ROWS:
            now = datetime.datetime.now(datetime.UTC)
            cursor.executemany(
                "INSERT INTO bench_bare_item (name, employer, post, changed) VALUES (%s, %s, %s, %s)",
                [(f"张{n}", f"重庆某某科技有限公司{n}", f"软件工程师{n}", now) for n in range(1, ROWS + 1)],
            )


# ---- Views and URLs (this module is its own URL configuration) -------------------------------------------------------


def save(data: dict[str, Any]) -> int:
    """The bare write: one UPDATE of the item and one INSERT of an entry, in one transaction; the entry's id."""
    from django.db import connection, transaction
    from django.utils import timezone

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE bench_bare_item SET name = %s, post = %s, changed = %s, saves = saves + 1 WHERE id = %s",
            [data["name"], data["post"], timezone.now(), data["item"]],
        )
        cursor.execute(
            "INSERT INTO bench_bare_entry (item_id, note, at) VALUES (%s, %s, %s) RETURNING id",
            [data["item"], data["note"], timezone.now()],
        )
        return int(cursor.fetchone()[0])


def _views() -> list[Any]:
    from django import forms
    from django.db import connection
    from django.forms.renderers import DjangoTemplates
    from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
    from django.shortcuts import render
    from django.urls import path

    class EditForm(forms.Form):
        # Django's own form renderer, named rather than taken from FORM_RENDERER: bench.stack serves this form under
        # the portal's settings, whose renderer builds inputs in Python; the same rendering on both sides leaves
        # only what every request pays in the difference.
        default_renderer = DjangoTemplates()

        item = forms.IntegerField(min_value=1, max_value=ROWS)
        name = forms.CharField(max_length=50)
        post = forms.CharField(max_length=100)
        note = forms.CharField(max_length=200)
        arrived = forms.DateField()

    def read(request: HttpRequest) -> HttpResponse:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, name, employer, post, changed FROM bench_bare_item ORDER BY id LIMIT 20")
            rows = cursor.fetchall()
        return render(request, "list.html", {"rows": rows})

    def edit(request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            if SIGNED_IN not in request.session:
                return HttpResponse(status=403)
            form = EditForm(request.POST)
            if form.is_valid():
                save(form.cleaned_data)
                return HttpResponseRedirect("/form/", status=303)
        else:
            if SIGNED_IN not in request.session:
                request.session[SIGNED_IN] = "1"  # the "sign-in": once per user, as the portal's clerks sign in once
            form = EditForm(
                initial={"item": 1, "name": "张三", "post": "软件工程师", "note": "保存", "arrived": "2026-07-01"}
            )
        return render(request, "form.html", {"form": form})

    return [path("", read), path("form/", edit)]


def __getattr__(name: str) -> Any:
    """``urlpatterns`` and ``application`` are made on first use, once Django has read this module as its settings."""
    if name == "urlpatterns":
        value: Any = _views()
    elif name == "application":
        from django.core.wsgi import get_wsgi_application

        value = get_wsgi_application()
    else:
        raise AttributeError(name)
    globals()[name] = value
    return value
