"""Load benchmark: gunicorn + PostgreSQL + Redis under a mixed load of public reads, clerk edits and claim submissions,
each figure against its floor — the same work done by a bare Django project (``bench/bare.py``) in the same run.

    .venv/bin/python bench/load.py [--duration 30] [--warmup 10] [--phases bare-read,public,...] [--rounds 1]
                                   [--rate 0] [--users 24] [--configs 5x1]
    make bench-load

A run is a sequence of phases, each a locust process of its own with its own warm-up and measured window, against
one of two gunicorn servers started alike (same binary, ``portal.gunicorn_conf``, workers × threads, database and
Redis): the portal's, and the bare project's. By default (``--phases``), each floor just before what it is the floor
of:

- ``bare-read``: the bare read (``GET /``: one query, a 20-row template), unpaced;
- ``public``: the portal's public reads only, unpaced;
- ``mixed``: the portal's mixed load (``--mix``, 60/25/15), unpaced (its ceiling) unless ``--rate`` paces it;
- ``bare-form``: the bare form, GET then POST (session from the database, CSRF, one UPDATE, one INSERT), unpaced;
- ``clerk``: the portal's clerk edits only (GET the form, POST it), unpaced;
- ``bare-post``: the bare form's POST alone, again and again in one session with one CSRF token, unpaced;
- ``claim``: the portal's claim API only (four POSTs a claim), unpaced.

After the phases' own figures, a table gives each ratio with both sides and its goal: public reads' req/s over the bare
read's (≥ 0.9); the mixed load's req/s over the bare read's (≥ 0.30, p95 < 250 ms); the web CPU per request (gunicorn's
processes' CPU over the window / requests answered in it) of clerk edits and of claim writes over the bare form's (≤ 3×:
clerk edits against its GET and POST, claim writes against its POST alone); then where the CPU went in each phase, the
machine's speed before each phase (a fixed reference loop) and the load average. ``--rounds`` runs the phases again,
alternating, and adds the rounds up. The old single paced run is ``--phases mixed --rate 120`` (with its own goal, ≥ 100
req/s and p95 < 300 ms).

One run does everything and leaves nothing behind:

1. creates a throw-away PostgreSQL database (``bench_load``; ``--database`` picks another name starting with ``bench``),
   migrates it, loads the reference data and seeds the load's data with the test factories and the real services:
   published posts in all 41 districts, publicity notices under way, a clerk in each district (those of the load with
   ten draft posts and ten recorded hires to edit), and third parties, each with its own verified account, API token,
   employer and enough claimable hires for every claim it will submit;
2. starts gunicorn for the portal (``portal.gunicorn_conf``, the production one, workers × threads from ``--configs``)
   with ``portal.settings.bench``: production settings over plain HTTP on 127.0.0.1, DEBUG off, the Redis cache and
   broker on Redis database 5, the production password hasher; throttle rates are raised so that they never refuse (they
   still count) — every virtual user comes from one address and each third party submits far more than a real one;
   everything else is as deployed, the public pages' few seconds of sharing (``portal.web.public_cache``) included; and
   gunicorn for ``bench.bare`` alike (its two tables are made in the same database);
3. runs locust for each phase (one process, ``FastHttpUser``, started as a child so its gevent patching stays out of
   this one): a warm-up (clerks sign in through the real login form, workers load their code), then a fixed measured
   window;
4. prints, for each phase, requests per second, p50/p95/p99 latency and errors, overall and per kind and per request,
   and where the CPU went (gunicorn, the PostgreSQL backends of this database, locust, everything else on the machine);
5. stops gunicorn, drops the database, empties Redis database 5 and deletes its temporary files (also on Ctrl-C).

Each of ``--users`` virtual users is now a member of the public, now the clerk of its own district (signed in once),
now its own third party, drawing each task so that the requests come in the shares of ``--mix`` however slow any kind
gets:

- **public**: ``/publicity/``, a notice page, ``/policies/`` (with and without a search), ``/api/v1/publicity/``,
  ``/positions/`` — anonymous, as the public reads them;
- **clerk**: a district clerk opens a post's Annex 1 form or a hire's Annex 3 form and saves it with one field changed
  (session login and CSRF token, as a browser does; a redisplayed form is an error);
- **claim**: a third party's business system creates a draft claim for one of its claimable hires through the API
  (``Authorization: Token``, with an ``Idempotency-Key``), uploads the signed Annex 2 and Annex 3 scans and submits it.

``--rate`` paces every virtual user so that together they ask for that many requests per second (0: no pacing, each
user as fast as the server answers, to find the ceiling). The load generator shares the machine's cores with the
server: the CPU lines say how much it took.

The scenario pieces (``Plan``, ``public_read``, ``clerk_login``, ``clerk_edit_position``, ``clerk_edit_hire``,
``claim_submit``, ``bare_read``, ``bare_form``, ``bare_save``, ``seed``) are plain functions over a small ``Http``
interface, so ``tests/bench/test_load_smoke.py`` runs each kind once against Django's test client.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import html
import itertools
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
#: The password of every account the benchmark creates (hashed once, with the production hasher).
PASSWORD = "Bench-load-2026-pw"  # noqa: S105  (throw-away accounts in a throw-away database)
#: A scan the attachment checks accept as a PDF (they parse the content, not the name): one blank page, with the
#: cross-reference table's offsets right.
SCAN = (
    b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    b"\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\nxref\n0 4\n"
    b"0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \n"
    b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n186\n%%EOF\n"
)
KINDS = ("public", "clerk", "claim")
#: Requests one task of each kind makes: a public read 1, a clerk's edit 2 (form, save), a claim 4.
REQUESTS_PER_TASK = {"public": 1, "clerk": 2, "claim": 4}
GOAL_RPS, GOAL_P95_MS = 100, 300


# =====================================================================================================================
# The scenario: plain functions over an Http interface (locust in the benchmark, Django's client in the smoke test)
# =====================================================================================================================


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes

    @property
    def text(self) -> str:
        # Decoded only by the steps that read the page (forms, ids): the load process shares the server's cores.
        return self.body.decode()


class StepFailed(Exception):
    """A request got an answer the scenario did not expect: already counted as a failure, the task stops here."""


class Http(Protocol):
    def request(
        self,
        method: str,
        path: str,
        *,
        name: str,
        expect: Sequence[int],
        body: bytes = b"",
        content_type: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """Send one request; raise ``StepFailed`` (after counting it) when the status is not in ``expect``."""
        ...


class ClientHttp:
    """``Http`` over Django's test client (CSRF checks on, as in a browser); remembers what it sent. The load's
    smoke test and ``bench/write_cpu.py`` send the scenario's requests through it, in one process."""

    def __init__(self) -> None:
        from django.test import Client

        self.client = Client(enforce_csrf_checks=True)
        self.sent: list[tuple[str, int]] = []

    def request(
        self,
        method: str,
        path: str,
        *,
        name: str,
        expect: Sequence[int],
        body: bytes = b"",
        content_type: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        response = self.client.generic(
            method,
            path,
            data=body,
            content_type=content_type or "application/octet-stream",
            headers=dict(headers or {}),
        )
        self.sent.append((name, response.status_code))
        if response.status_code not in expect:
            raise StepFailed(f"{name}: {explain(response.status_code, response.content.decode())}")
        return Reply(response.status_code, response.content)


@dataclass
class ClerkPlan:
    username: str
    positions: list[int]
    hires: list[int]


@dataclass
class PartyPlan:
    username: str
    token: str
    employer: int
    hires: list[int]


@dataclass
class Plan:
    """What the seed made, as the load process needs it (ids, user names, tokens): JSON between the processes."""

    password: str
    notices: list[int]
    policy_categories: list[int]
    clerks: list[ClerkPlan] = field(default_factory=list)
    parties: list[PartyPlan] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Plan:
        raw = json.loads(text)
        return cls(
            password=raw["password"],
            notices=raw["notices"],
            policy_categories=raw["policy_categories"],
            clerks=[ClerkPlan(**clerk) for clerk in raw["clerks"]],
            parties=[PartyPlan(**party) for party in raw["parties"]],
        )


_FORMS = re.compile(r"<form\b.*?</form>", re.S | re.I)
_CONTROL = re.compile(r"<(input|select|option|textarea)\b([^>]*)>|</(select)>", re.I)
_ATTRIBUTE = re.compile(r"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_SKIPPED_INPUTS = {"submit", "button", "image", "file", "reset"}


def _attributes(text: str) -> dict[str, str]:
    return {
        name.lower(): html.unescape(double or single or bare or "")
        for name, double, single, bare in _ATTRIBUTE.findall(text)
    }


def _controls(form: str) -> list[tuple[str, str]]:
    """What a browser submits from one form left as it is: inputs (checked ones of radios and boxes), each select's
    selected option (else its first), each textarea's text. Django's pages are regular enough for expressions, and
    the standard library's HTML parser is the slowest part of the load process."""
    fields: list[tuple[str, str]] = []
    select: str | None = None
    first: str | None = None
    chosen = False
    for found in _CONTROL.finditer(form):
        tag, attributes, closing = (found.group(1) or "").lower(), _attributes(found.group(2) or ""), found.group(3)
        if closing:
            if select is not None and not chosen and first is not None:
                fields.append((select, first))
            select = None
        elif tag == "option":
            value = attributes.get("value", "")
            first = value if first is None else first
            if select is not None and "selected" in attributes and not chosen:
                fields.append((select, value))
                chosen = True
        elif "disabled" in attributes or not attributes.get("name"):
            continue
        elif tag == "select":
            select, first, chosen = attributes["name"], None, False
        elif tag == "textarea":
            text = html.unescape(form[found.end() : form.find("</textarea>", found.end())])
            # HTML drops one newline right after <textarea> (Django's widget writes one).
            fields.append((attributes["name"], text[1:] if text.startswith("\n") else text))
        else:
            kind = attributes.get("type", "text").lower()
            if kind in _SKIPPED_INPUTS or (kind in {"radio", "checkbox"} and "checked" not in attributes):
                continue
            fields.append((attributes["name"], attributes.get("value", "on" if kind == "checkbox" else "")))
    return fields


def form_fields(page: str, *, having: str) -> list[tuple[str, str]]:
    """The fields of the page's first form with a control named ``having`` (the login form, not the logout button's)."""
    for form in _FORMS.findall(page):
        if f'name="{having}"' in form:
            return _controls(form)
    raise StepFailed(f"no form with a field {having!r} on the page")


def _replace(fields: list[tuple[str, str]], **values: str) -> bytes:
    changed = [(name, values.get(name, value)) for name, value in fields]
    return urlencode(changed).encode()


_PAGE_ERRORS = re.compile(r'class="(?:invalid-feedback[^"]*|alert alert-danger[^"]*)"[^>]*>(.*?)</div>', re.S)


def explain(status: int, text: str) -> str:
    """What went wrong, in a line: a redisplayed form's errors, an API's ``detail``, or the start of the body."""
    errors = [re.sub(r"<[^>]+>|\s+", " ", found).strip() for found in _PAGE_ERRORS.findall(text)]
    if errors:
        return f"HTTP {status}: {'; '.join(errors)[:300]}"
    return f"HTTP {status}: {' '.join(text.split())[:300]}"


FORM = "application/x-www-form-urlencoded"
POLICY_SEARCHES = ("", "人才", "工程师", "补贴", "创新")


def read_publicity_list(http: Http, plan: Plan, rng: random.Random) -> None:
    http.request("GET", "/publicity/", name="public GET /publicity/", expect=[200])


def read_notice(http: Http, plan: Plan, rng: random.Random) -> None:
    notice = rng.choice(plan.notices)
    http.request("GET", f"/publicity/{notice}/", name="public GET /publicity/[id]/", expect=[200])


def read_policies(http: Http, plan: Plan, rng: random.Random) -> None:
    query = urlencode({"q": rng.choice(POLICY_SEARCHES), "category": rng.choice(["", *plan.policy_categories])})
    http.request("GET", f"/policies/?{query}", name="public GET /policies/", expect=[200])


def read_publicity_api(http: Http, plan: Plan, rng: random.Random) -> None:
    http.request("GET", "/api/v1/publicity/", name="public GET /api/v1/publicity/", expect=[200])


def read_positions(http: Http, plan: Plan, rng: random.Random) -> None:
    page = rng.choice(["", "?page=2", "?channel=bounty_list", "?channel=special_recruitment"])
    http.request("GET", f"/positions/{page}", name="public GET /positions/", expect=[200])


#: The public's reads and how often each comes up.
PUBLIC_READS = (
    (0.25, read_publicity_list),
    (0.20, read_notice),
    (0.15, read_policies),
    (0.20, read_publicity_api),
    (0.20, read_positions),
)


def public_read(http: Http, plan: Plan, rng: random.Random) -> None:
    """One anonymous read, in the proportions of ``PUBLIC_READS``."""
    weights = [weight for weight, _ in PUBLIC_READS]
    rng.choices([read for _, read in PUBLIC_READS], weights)[0](http, plan, rng)


def clerk_login(http: Http, clerk: ClerkPlan, password: str) -> None:
    """The real login form: its CSRF token and whatever fields it has, user name and password filled in."""
    page = http.request("GET", "/accounts/login/", name="login GET /accounts/login/", expect=[200])
    fields = form_fields(page.text, having="password")
    filled = [
        (name, clerk.username if name.endswith("username") else password if name.endswith("password") else value)
        for name, value in fields
    ]
    http.request(
        "POST",
        "/accounts/login/",
        name="login POST /accounts/login/",
        expect=[302],
        body=urlencode(filled).encode(),
        content_type=FORM,
    )


SALARIES = ("15-25万元/年", "20-30万元/年", "1.5万/月", "面议", "18-28万元/年")
TERMS = ("3年", "5年", "2026年12月至2029年11月", "无固定期限")


def clerk_edit_position(http: Http, clerk: ClerkPlan, rng: random.Random) -> None:
    """Open a draft post's Annex 1 form and save it with another salary range: 302 back to the 旬 batch."""
    path = f"/positions/{rng.choice(clerk.positions)}/edit/"
    page = http.request("GET", path, name="clerk GET /positions/[id]/edit/", expect=[200])
    fields = form_fields(page.text, having="salary_text")
    body = _replace(fields, salary_text=rng.choice(SALARIES), headcount=str(rng.randint(1, 9)))
    # 200 would be the form shown again with an error: the save did not happen.
    http.request("POST", path, name="clerk POST /positions/[id]/edit/", expect=[302], body=body, content_type=FORM)


def clerk_edit_hire(http: Http, clerk: ClerkPlan, rng: random.Random) -> None:
    """Open a recorded hire's Annex 3 form and save it with another contract term: 302 to the hire's page."""
    path = f"/hires/{rng.choice(clerk.hires)}/edit/"
    page = http.request("GET", path, name="clerk GET /hires/[id]/edit/", expect=[200])
    fields = form_fields(page.text, having="contract_term")
    body = _replace(fields, contract_term=rng.choice(TERMS))
    http.request("POST", path, name="clerk POST /hires/[id]/edit/", expect=[302], body=body, content_type=FORM)


def clerk_edit(http: Http, clerk: ClerkPlan, rng: random.Random) -> None:
    (clerk_edit_position if rng.random() < 0.5 else clerk_edit_hire)(http, clerk, rng)


def _multipart(fields: Mapping[str, str], files: Mapping[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content, content_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def claim_submit(http: Http, party: PartyPlan, hire: int) -> int:
    """A third party's business system: draft claim for one hire, both signed annexes, submit. Returns the claim id."""
    auth = {"Authorization": f"Token {party.token}", "Accept": "application/json"}
    draft = {
        "employer": party.employer,
        "employer_contact": "张经理",
        "employer_phone": "023-45678901",
        "declarations": {"introduced": True, "good_credit": True, "truthful": True},
        "lines": [{"hire": hire, "requested_amount": "30000.00"}],
    }
    created = http.request(
        "POST",
        "/api/v1/claims/",
        name="claim POST /api/v1/claims/",
        expect=[201],
        body=json.dumps(draft).encode(),
        content_type="application/json",
        headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
    )
    claim = int(json.loads(created.text)["id"])
    for kind in ("annex2", "annex3"):
        body, content_type = _multipart({"kind": kind}, {"file": (f"{kind}.pdf", SCAN, "application/pdf")})
        http.request(
            "POST",
            f"/api/v1/claims/{claim}/attachments/",
            name="claim POST /api/v1/claims/[id]/attachments/",
            expect=[201],
            body=body,
            content_type=content_type,
            headers=auth,
        )
    http.request(
        "POST",
        f"/api/v1/claims/{claim}/submit/",
        name="claim POST /api/v1/claims/[id]/submit/",
        expect=[200],
        headers=auth,
    )
    return claim


#: Rows of the bare project's table (``bench.bare.ROWS``): the bare form saves one of them.
BARE_ROWS = 200
BARE_NAMES = ("张三", "李四", "王五", "赵六", "陈七")


def bare_read(http: Http, rng: random.Random) -> None:
    """The floor of a public read: ``bench/bare.py``'s one-query, 20-row page."""
    http.request("GET", "/", name="bare GET /", expect=[200])


def bare_sign_in(http: Http) -> list[tuple[str, str]]:
    """The bare project's "sign-in": its form's first GET puts the signed-in key in a new session. Returns the form's
    fields (its CSRF token stays good for the session's later saves, as Django's tokens do)."""
    page = http.request("GET", "/form/", name="bare GET /form/", expect=[200])
    return form_fields(page.text, having="note")


def bare_save(http: Http, fields: list[tuple[str, str]], rng: random.Random) -> None:
    """The floor of a write: ``bench/bare.py``'s form POST (session, CSRF check, UPDATE + INSERT, 303)."""
    body = _replace(
        fields, item=str(rng.randint(1, BARE_ROWS)), name=rng.choice(BARE_NAMES), note=f"保存 {rng.randint(1, 999)}"
    )
    http.request("POST", "/form/", name="bare POST /form/", expect=[303], body=body, content_type=FORM)


def bare_form(http: Http, rng: random.Random) -> None:
    """The floor of a clerk's edit: open ``bench/bare.py``'s form (session, CSRF token) and save it."""
    page = http.request("GET", "/form/", name="bare GET /form/", expect=[200])
    bare_save(http, form_fields(page.text, having="note"), rng)


# =====================================================================================================================
# Seed: the test factories and the real services, in the database Django is set up with
# =====================================================================================================================


def seed(
    *, clerks: int, parties: int, claims_per_party: int, notices: int, people_per_notice: int, posts_per_district: int
) -> Plan:
    """The load's data. Needs the reference data (41 districts, caps, policies) already loaded.

    Accounts get one password hashed once (the production hasher takes a noticeable fraction of a second per hash).
    """
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from portal.constants import Role
    from portal.models import District, Policy, PolicyCategory, User
    from positions.models import Position
    from referrals.services import notice_publish
    from tests.factories import EmployerFactory, HireFactory, PositionFactory, ThirdPartyFactory, make_id_number

    serial = itertools.count()

    def person() -> str:
        # The factory's own numbers repeat after 5,000 people; a new birthday for every thousand does not.
        n = next(serial)
        born = datetime.date(1998, 1, 1) + datetime.timedelta(days=n // 1000)  # 渝中区 (500103) exists since 1997
        return str(make_id_number(n, birthday=f"{born:%Y%m%d}"))

    hashed = make_password(PASSWORD)
    today, now = timezone.localdate(), timezone.now()
    districts = list(District.objects.order_by("order", "code"))
    if clerks > len(districts):
        raise SystemExit(f"at most {len(districts)} clerks (one per district)")
    staff = {
        d.pk: User.objects.create(
            username=f"bench_clerk_{d.code}",
            display_name=f"{d.name}经办人（基准）",
            role=Role.DISTRICT_CLERK,
            district=d,
            password=hashed,
        )
        for d in districts
    }
    published: dict[int, list[Position]] = {}
    for d in districts:
        employers = [EmployerFactory(district=d) for _ in range(2)]
        published[d.pk] = [
            PositionFactory(
                batch__district=d,
                employer=employers[n % 2],
                channel=("bounty_list", "special_recruitment")[n % 2],
                created_by=staff[d.pk],
                published=True,
            )
            for n in range(posts_per_district)
        ]
    notice_ids = []
    for n in range(notices):
        d = districts[n % len(districts)]
        people = [
            HireFactory(
                position=published[d.pk][k % len(published[d.pk])],
                recorded_by=staff[d.pk],
                id_number=person(),
                audited=True,
            )
            for k in range(people_per_notice)
        ]
        notice_ids.append(notice_publish(hires=people, published_on=today, title="", by=staff[d.pk]).pk)
    plan = Plan(
        password=PASSWORD,
        notices=notice_ids,
        policy_categories=list(
            PolicyCategory.objects.filter(pk__in=Policy.objects.values("category")).values_list("pk", flat=True)
        ),
    )
    for d in districts[:clerks]:
        clerk = staff[d.pk]
        employer = EmployerFactory(district=d)
        drafts = [PositionFactory(batch__district=d, employer=employer, created_by=clerk) for _ in range(10)]
        recorded = [
            HireFactory(position=published[d.pk][k % len(published[d.pk])], recorded_by=clerk, id_number=person())
            for k in range(10)
        ]
        plan.clerks.append(ClerkPlan(clerk.username, [p.pk for p in drafts], [h.pk for h in recorded]))
    for n in range(parties):
        d = districts[n % len(districts)]
        party = ThirdPartyFactory(verified=True)
        user = User.objects.create(
            username=f"bench_party_{n}",
            display_name=f"{party.name}（基准）",
            role=Role.THIRD_PARTY,
            third_party=party,
            password=hashed,
        )
        employer = EmployerFactory(district=d)
        post = PositionFactory(batch__district=d, employer=employer, created_by=staff[d.pk], published=True)
        # What tests.factories.claimable_hire makes, at one post: introduced by this party, confirmed by publicity
        # and by the employer.
        hires = [
            HireFactory(
                position=post,
                recorded_by=staff[d.pk],
                id_number=person(),
                third_party=party,
                employer_confirmation="confirmed",
                status="confirmed",
                confirmed_at=now,
                arrived_on=today,
            )
            for _ in range(claims_per_party)
        ]
        token = Token.objects.create(user=user)
        plan.parties.append(PartyPlan(user.username, token.key, employer.pk, [h.pk for h in hires]))
    return plan


# =====================================================================================================================
# The load process (a child: locust's gevent monkey-patching stays out of the process that holds Django)
# =====================================================================================================================


def _locust_main(args: argparse.Namespace) -> None:
    import gevent
    from locust import FastHttpUser, constant, constant_throughput, task
    from locust.contrib.fasthttp import FastHttpSession
    from locust.env import Environment
    from locust.stats import StatsEntry

    plan = Plan.from_json(Path(args.plan).read_text())
    start, _, stop = args.hires.partition(":")
    for party in plan.parties:
        # Each phase that claims (each round, each of --configs) gets hires no other one touches.
        party.hires = party.hires[int(start) : int(stop)] if stop else party.hires[int(start) :]
    # Each task is one kind, drawn so that the *requests* come in the shares of --mix whatever the latencies: a
    # public read is one request, a clerk's edit two, a claim four. One kind of user doing all three keeps the mix
    # when the server slows down (users of separate kinds would each slow down by their own latency).
    shares = dict(zip(KINDS, args.mix, strict=True))
    task_weights = {kind: shares[kind] / REQUESTS_PER_TASK[kind] for kind in KINDS}
    requests_per_task = sum(task_weights[kind] * REQUESTS_PER_TASK[kind] for kind in KINDS) / sum(task_weights.values())
    clerks: Iterator[ClerkPlan] = iter(plan.clerks)
    parties: Iterator[PartyPlan] = iter(plan.parties)
    exhausted: list[str] = []
    ready: list[str] = []  # users whose on_start is done (clerk signed in)

    class LocustHttp:
        def __init__(self, client: Any) -> None:
            self.client = client

        def request(
            self,
            method: str,
            path: str,
            *,
            name: str,
            expect: Sequence[int],
            body: bytes = b"",
            content_type: str = "",
            headers: Mapping[str, str] | None = None,
        ) -> Reply:
            sent = dict(headers or {})
            if content_type:
                sent["Content-Type"] = content_type
            with self.client.request(
                method, path, name=name, data=body or None, headers=sent, catch_response=True, allow_redirects=False
            ) as response:
                reply = Reply(response.status_code, response.content or b"")
                if response.status_code in expect:
                    response.success()
                else:
                    error = getattr(response, "error", None)  # no HTTP answer at all: the connection's fate
                    why = (
                        repr(error)
                        if reply.status == 0 and error
                        else explain(reply.status, reply.body.decode(errors="replace"))
                    )
                    response.failure(f"expected {'/'.join(map(str, expect))}, {why}")
            if reply.status not in expect:
                raise StepFailed(name)
            return reply

    class Visitor(FastHttpUser):
        """Now a member of the public, now a district clerk (its own district, signed in), now a third party's
        business system (its own token and hires)."""

        fixed_count = args.users
        wait_time = constant(0) if args.rate <= 0 else constant_throughput(args.rate / requests_per_task / args.users)
        network_timeout = 30.0
        connection_timeout = 10.0

        def on_start(self) -> None:
            # Three clients, three cookie jars: the clerk's browser (its session), a member of the public's
            # (anonymous), the third party's business system (its token only).
            self.browser, self.public, self.machine = LocustHttp(self.client), self.session(), self.session()
            self.rng = random.Random(id(self))
            self.clerk, self.party = next(clerks), next(parties)
            self.signed_in = False
            if shares["clerk"] > 0:
                with contextlib.suppress(StepFailed):  # counted as a failed request; the next edit signs in again
                    self.sign_in()
            ready.append(self.clerk.username)

        def session(self) -> LocustHttp:
            return LocustHttp(
                FastHttpSession(
                    base_url=self.host,
                    request_event=self.environment.events.request,
                    user=self,
                    network_timeout=self.network_timeout,
                    connection_timeout=self.connection_timeout,
                )
            )

        def sign_in(self) -> None:
            clerk_login(self.browser, self.clerk, plan.password)
            self.signed_in = True

        @task
        def act(self) -> None:
            kind = self.rng.choices(KINDS, [task_weights[kind] for kind in KINDS])[0]
            with contextlib.suppress(StepFailed):
                if kind == "public":
                    public_read(self.public, plan, self.rng)
                elif kind == "clerk":
                    if not self.signed_in:
                        self.sign_in()
                    clerk_edit(self.browser, self.clerk, self.rng)
                elif self.party.hires:
                    claim_submit(self.machine, self.party, self.party.hires.pop())
                else:
                    if self.party.username not in exhausted:
                        exhausted.append(self.party.username)
                    gevent.sleep(1)  # not a busy loop in the load process, which shares the server's cores

    class BareVisitor(FastHttpUser):
        """The floor (``bench/bare.py``): its read, or its signed-in form opened and saved."""

        fixed_count = args.users
        wait_time = constant(0)
        network_timeout = 30.0
        connection_timeout = 10.0

        def on_start(self) -> None:
            self.http, self.rng = LocustHttp(self.client), random.Random(id(self))
            self.fields: list[tuple[str, str]] = []
            if args.phase in {"bare-form", "bare-post"}:
                with contextlib.suppress(StepFailed):
                    self.fields = bare_sign_in(self.http)
            ready.append(str(id(self)))

        @task
        def act(self) -> None:
            with contextlib.suppress(StepFailed):
                if args.phase == "bare-post":
                    self.fields = self.fields or bare_sign_in(self.http)
                    bare_save(self.http, self.fields, self.rng)
                else:
                    (bare_form if args.phase == "bare-form" else bare_read)(self.http, self.rng)

    env = Environment(user_classes=[BareVisitor if args.phase.startswith("bare") else Visitor], host=args.host)
    runner = env.create_local_runner()
    runner.start(args.users, spawn_rate=args.users)
    # The warm-up counts from when every clerk has signed in: a sign-in is a deliberately slow password hash, not
    # part of the steady load being measured.
    deadline = time.monotonic() + 180
    while len(ready) < args.users and time.monotonic() < deadline:
        gevent.sleep(0.5)
    gevent.sleep(args.warmup)
    env.stats.reset_all()
    cpu0 = _own_cpu()
    began = time.monotonic()
    load_average = os.getloadavg()[0]
    print("MEASURE START", flush=True)
    gevent.sleep(args.duration)
    elapsed = time.monotonic() - began
    cpu = _own_cpu() - cpu0
    print("MEASURE END", flush=True)
    load_average = max(load_average, os.getloadavg()[0])

    def figures(entry: StatsEntry) -> dict[str, float]:
        return {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": entry.num_requests / elapsed,
            "p50": entry.get_response_time_percentile(0.50) or 0,
            "p95": entry.get_response_time_percentile(0.95) or 0,
            "p99": entry.get_response_time_percentile(0.99) or 0,
            "max": entry.max_response_time or 0,
        }

    kinds: dict[str, StatsEntry] = {}
    for entry in env.stats.entries.values():
        kind = entry.name.split(" ", 1)[0]
        kinds.setdefault(kind, StatsEntry(env.stats, kind, "")).extend(entry)
    result = {
        "elapsed": elapsed,
        "locust_cpu": cpu,
        "total": figures(env.stats.total),
        "kinds": {kind: figures(entry) for kind, entry in kinds.items()},
        "names": {entry.name: figures(entry) for entry in env.stats.entries.values()},
        "errors": [
            {"name": error.name, "error": str(error.error), "occurrences": error.occurrences}
            for error in env.stats.errors.values()
        ],
        "exhausted": exhausted,
        # For several rounds of a phase: their percentiles from the latencies of all (milliseconds, rounded as
        # locust keeps them: a key per value it counts).
        "response_times": {str(ms): count for ms, count in env.stats.total.response_times.items()},
        "load_average": load_average,
    }
    runner.quit()
    print("RESULT " + json.dumps(result), flush=True)


def _own_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# =====================================================================================================================
# The orchestrator: database, seed, gunicorn, the load process, the report, the clean-up
# =====================================================================================================================


#: ``portal.gunicorn_conf``'s default on this machine: two workers per core and one more, one thread each.
DEFAULT_WORKERS = 2 * (os.cpu_count() or 1) + 1


@dataclass(frozen=True)
class Config:
    workers: int
    threads: int

    @classmethod
    def parse(cls, text: str) -> Config:
        workers, _, threads = text.partition("x")
        return cls(int(workers), int(threads or 1))

    def __str__(self) -> str:
        return f"{self.workers} workers × {self.threads} threads"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _maintenance(server: str) -> Any:
    import psycopg2

    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    return connection


def _environment(args: argparse.Namespace, workdir: Path) -> dict[str, str]:
    import secrets

    from cryptography.fernet import Fernet

    return {
        "DJANGO_SETTINGS_MODULE": "portal.settings.bench",
        "DATABASE_URL": f"{args.server}/{args.database}",
        "CACHE_URL": args.redis,
        "CELERY_BROKER_URL": args.redis,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "PORTAL_FIELD_KEYS": Fernet.generate_key().decode(),
        "PORTAL_HMAC_KEY": secrets.token_urlsafe(48),
        "PORTAL_MEDIA_ROOT": str(workdir / "private"),
        "PORTAL_BASE_URL": "http://127.0.0.1",
    }


def _claims_per_party(args: argparse.Namespace, mix: Sequence[float], rate: float) -> int:
    """Claimable hires each party needs for one phase that claims, so that none runs out: the paced claim rate over
    warm-up and window, with a margin (without pacing, a generous guess of what the server answers: 120 claim
    requests a second within the mix, 200 when claims are all the phase sends; 2 cores answered 77 and 103)."""
    if args.claims_per_party:
        return int(args.claims_per_party)
    share = mix[2] / sum(mix)
    claim_requests = rate * share if rate > 0 else (200 if share == 1 else 800 * share)
    claims_per_second = claim_requests / REQUESTS_PER_TASK["claim"] / args.users
    return math.ceil(claims_per_second * (args.warmup + args.duration) * 1.5 + 5)


def fresh_database(args: argparse.Namespace) -> float:
    """A new ``args.database``, migrated, with the reference data and the static files; Django set up in this
    process and the cache emptied. Returns when it started (``time.monotonic``)."""
    with contextlib.closing(_maintenance(args.server)) as admin, admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{args.database}"')
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    cache.clear()
    return started


def _setup(args: argparse.Namespace, workdir: Path, claims_per_party: int) -> Plan:
    """Create and fill the database (this process holds Django; the web server and the load are children)."""
    started = fresh_database(args)
    from auditlog.context import disable_auditlog
    from django.db import connections

    with disable_auditlog():  # the seed's own history is not what is measured
        plan = seed(
            clerks=args.users,
            parties=args.users,
            claims_per_party=claims_per_party,
            notices=args.notices,
            people_per_notice=args.people_per_notice,
            posts_per_district=args.posts_per_district,
        )
        from django.db import connection

        from bench import bare

        bare.prepare(connection)  # the floor's two tables, in the same database
    connections.close_all()
    print(f"set-up: migrated, reference data, seed in {time.monotonic() - started:.0f} s", flush=True)
    return plan


def teardown(args: argparse.Namespace) -> None:
    with contextlib.suppress(Exception):
        from django.core.cache import cache
        from django.db import connections

        cache.clear()  # the benchmark's own Redis database (throttle counts, idempotency, any queued task)
        connections.close_all()
    with contextlib.closing(_maintenance(args.server)) as admin, admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


#: What each server runs: the WSGI application, the settings, a page that answers 200 once it is up.
SERVERS = {
    "portal": ("portal.wsgi:application", "portal.settings.bench", "/policies/"),
    "bare": ("bench.bare:application", "bench.bare", "/"),
}


def _start_gunicorn(
    config: Config, env: dict[str, str], workdir: Path, server: str = "portal"
) -> tuple[subprocess.Popen[bytes], str]:
    """The same gunicorn, configuration (``portal.gunicorn_conf``), workers × threads, database and Redis for both
    the portal and the bare floor; only the application and its settings differ."""
    application, settings, probe = SERVERS[server]
    port = _free_port()
    env = {**os.environ, **env, "GUNICORN_BIND": f"127.0.0.1:{port}", "DJANGO_SETTINGS_MODULE": settings}
    env |= {"GUNICORN_WORKERS": str(config.workers), "GUNICORN_THREADS": str(config.threads)}
    log = workdir / f"gunicorn-{server}.log"
    process = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:portal.gunicorn_conf", application],
        cwd=ROOT,
        env=env,
        stdout=(workdir / f"access-{server}.log").open("ab"),
        stderr=log.open("ab"),
    )
    host = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn ({server}) exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{host}{probe}", timeout=5) as reply:  # noqa: S310 (loopback)
                if reply.status == 200:
                    return process, host
        except OSError:
            time.sleep(0.3)
    _stop(process)
    raise SystemExit(f"gunicorn ({server}) did not answer within 60 s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class CpuMeter:
    """CPU seconds over the measured window: gunicorn (master and workers), the PostgreSQL backends serving the
    benchmark's database, the load process, and the whole machine."""

    def __init__(self, args: argparse.Namespace, gunicorn: subprocess.Popen[bytes], load: subprocess.Popen[str]):
        import psutil

        self.psutil, self.args, self.gunicorn, self.load = psutil, args, gunicorn, load
        self.start: dict[str, float] = {}
        self.seen: dict[str, float] = {}
        self.machine_start: Any = None

    def _processes(self) -> dict[str, list[Any]]:
        master = self.psutil.Process(self.gunicorn.pid)
        with contextlib.closing(_maintenance(self.args.server)) as admin, admin.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.args.database])
            backends = [pid for (pid,) in cursor.fetchall()]
        postgres = []
        for pid in backends:
            with contextlib.suppress(self.psutil.Error):
                postgres.append(self.psutil.Process(pid))
        return {"gunicorn": [master, *master.children(recursive=True)], "postgres": postgres}

    def _seconds(self) -> dict[str, float]:
        seconds: dict[str, float] = {}
        for group, processes in self._processes().items():
            for process in processes:
                with contextlib.suppress(self.psutil.Error):
                    times = process.cpu_times()
                    seconds[f"{group}:{process.pid}"] = times.user + times.system
        return seconds

    def _poll(self) -> None:
        # PostgreSQL backends come and go during a window (CONN_MAX_AGE ends a connection, a worker opens another):
        # each one's CPU as last seen, so that one gone before the end still counts (and one new counts from 0).
        while not self.stopped.wait(0.5):
            self.seen.update(self._seconds())

    def begin(self) -> None:
        import threading

        self.start = self._seconds()
        self.seen = dict(self.start)
        self.machine_start = self.psutil.cpu_times()
        self.stopped = threading.Event()
        self.poller = threading.Thread(target=self._poll, daemon=True)
        self.poller.start()

    def end(self) -> dict[str, float]:
        self.stopped.set()
        self.poller.join()
        now = {**self.seen, **self._seconds()}
        machine = self.psutil.cpu_times()
        used: dict[str, float] = {"gunicorn": 0.0, "postgres": 0.0}
        for key, value in now.items():
            used[key.split(":")[0]] += value - self.start.get(key, 0.0)
        idle = (machine.idle + getattr(machine, "iowait", 0.0)) - (
            self.machine_start.idle + getattr(self.machine_start, "iowait", 0.0)
        )
        used["machine_busy"] = sum(machine) - sum(self.machine_start) - idle
        used["machine_total"] = sum(machine) - sum(self.machine_start)
        used["machine_steal"] = getattr(machine, "steal", 0.0) - getattr(self.machine_start, "steal", 0.0)
        return used


@dataclass(frozen=True)
class Phase:
    """One part of a run: which server, which load (the shares of public/clerk/claim; None: ``--mix``)."""

    name: str
    title: str
    server: str
    mix: tuple[float, float, float] | None = None

    def shares(self, args: argparse.Namespace) -> tuple[float, float, float]:
        return self.mix or tuple(args.mix)

    def rate(self, args: argparse.Namespace) -> float:
        return args.rate if self.name == "mixed" else 0

    def claims(self, args: argparse.Namespace) -> bool:
        return self.server == "portal" and self.shares(args)[2] > 0


#: The phases of a run, in their default order: each floor just before the portal's figure it is the floor of.
PHASES = {
    phase.name: phase
    for phase in (
        Phase("bare-read", "the bare read (bench/bare.py GET /), unpaced", "bare"),
        Phase("public", "the portal's public reads only, unpaced", "portal", (100, 0, 0)),
        Phase("mixed", "the portal's mixed load", "portal"),
        Phase("bare-form", "the bare form, GET + POST (bench/bare.py /form/), unpaced", "bare"),
        Phase("clerk", "the portal's clerk edits only, unpaced", "portal", (0, 100, 0)),
        Phase("bare-post", "the bare form's POST alone (bench/bare.py /form/), unpaced", "bare"),
        Phase("claim", "the portal's claim API only, unpaced", "portal", (0, 0, 100)),
    )
}


def _run_load(
    args: argparse.Namespace,
    phase: Phase,
    hires: str,
    plan_path: Path,
    server: tuple[subprocess.Popen[bytes], str],
) -> dict[str, Any]:
    """One phase: a locust process of its own against the phase's server, warm-up, then the measured window."""
    reference = _reference_ms()
    gunicorn, host = server
    command = [sys.executable, __file__, "--load-process", "--plan", str(plan_path), "--host", host]
    command += ["--phase", phase.name, "--hires", hires]
    command += ["--warmup", str(args.warmup), "--duration", str(args.duration), "--rate", str(phase.rate(args))]
    command += ["--mix", *map(str, phase.shares(args)), "--users", str(args.users)]
    load = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)  # noqa: S603 (this script)
    meter = CpuMeter(args, gunicorn, load)
    result: dict[str, Any] = {}
    assert load.stdout is not None
    for line in load.stdout:
        if line.startswith("MEASURE START"):
            meter.begin()
        elif line.startswith("MEASURE END"):
            result["cpu"] = meter.end()
        elif line.startswith("RESULT "):
            result |= json.loads(line[len("RESULT ") :])
    if load.wait() != 0 or "total" not in result:
        raise SystemExit(f"the load process failed (exit {load.returncode})")
    return result | {"reference_ms": reference}


#: Iterations of the reference loop (``_reference_ms``): about half a second of one core.
REFERENCE_ITERATIONS = 5_000_000


def _reference_ms() -> float:
    """CPU milliseconds of a fixed pure-Python loop on one core, just before the load: how fast the machine is right
    now. A virtual machine's speed varies with its host (this one's by a quarter between runs), and the portal's CPU
    per request varies with it; the two figures side by side tell a slower portal from a slower host."""
    started, total = time.process_time(), 0
    for number in range(REFERENCE_ITERATIONS):
        total += number * number
    return 1000 * (time.process_time() - started)


def _row(label: str, figures: Mapping[str, float], width: int) -> str:
    return (
        f"  {label:<{width}} {figures['requests']:>7.0f} {figures['rps']:>7.1f} {figures['p50']:>6.0f} "
        f"{figures['p95']:>6.0f} {figures['p99']:>6.0f} {figures['max']:>7.0f} {figures['failures']:>6.0f}"
    )


def _machine() -> str:
    """The machine, for the record: CPU model and count, memory, the versions that matter."""
    import platform

    import django
    import psutil

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "?",
    )
    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{time.strftime('%Y-%m-%d %H:%M %Z')} · {os.cpu_count()} × {model} · {memory:.0f} GiB · "
        f"Python {platform.python_version()} · Django {django.get_version()}"
    )


def _report(args: argparse.Namespace, config: Config, phase: Phase, result: dict[str, Any]) -> bool:
    """One phase's figures: per kind and per request, the CPU split, the machine's speed. Answers whether the paced
    mixed load's own goal (``GOAL_RPS``, ``GOAL_P95_MS``) was met (other phases: whether they had no errors)."""
    names = sorted(result["names"])
    width = max(len(name) for name in [*names, "overall"])
    header = f"  {'':<{width}} {'reqs':>7} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7} {'errors':>6}"
    title = phase.title if phase.name != "mixed" else f"{phase.title} {_mix(args)}, {_pacing(args)}"
    print(
        f"\n== {config}: {result['elapsed']:.0f} s measured after {args.warmup:.0f} s warm-up (times in ms) · "
        f"{title} =="
    )
    print(header)
    print(_row("overall", result["total"], width))
    for kind in KINDS:
        if kind in result["kinds"]:
            print(_row(kind, result["kinds"][kind], width))
    print()
    for name in names:
        print(_row(name, result["names"][name], width))
    cpu, elapsed = result["cpu"], result["elapsed"]
    cores = os.cpu_count() or 1
    busy = cpu["machine_busy"] / elapsed
    others = cpu["machine_busy"] - cpu["gunicorn"] - cpu["postgres"] - result["locust_cpu"]
    print(
        f"\n  CPU over the window ({cores} cores; cores busy on average): machine {busy:.2f} "
        f"({100 * cpu['machine_busy'] / max(cpu['machine_total'], 1e-9):.0f}%) = gunicorn {cpu['gunicorn'] / elapsed:.2f}"
        f" + PostgreSQL backends of {args.database} {cpu['postgres'] / elapsed:.2f}"
        f" + locust {result['locust_cpu'] / elapsed:.2f} + everything else (other work, Redis) {others / elapsed:.2f}"
    )
    total = result["total"]
    # The web process's CPU per request does not depend on how hard the machine was pushed; the steal says how much
    # of the window the virtual machine's host gave to others (a slow run with steal is the host, not the portal).
    print(
        f"  web CPU per request: {1000 * cpu['gunicorn'] / max(total['requests'], 1):.1f} ms; machine speed: "
        f"{result['reference_ms']:.0f} ms for a reference loop of {REFERENCE_ITERATIONS:,} steps (lower is faster); "
        f"CPU stolen by the host: {cpu['machine_steal'] / elapsed:.2f} cores; "
        f"load average (1 min): {result.get('load_average', 0):.2f}"
    )
    for error in result["errors"][:10]:
        print(f"  error ×{error['occurrences']}: {error['name']}: {error['error'][:200]}")
    if result["exhausted"]:
        print(f"  warning: {len(result['exhausted'])} third parties ran out of claimable hires (--claims-per-party)")
    sys.stdout.flush()  # a phase's figures as soon as it ends, also into a file
    if phase.name != "mixed" or phase.rate(args) <= 0:
        return total["failures"] == 0
    met = total["rps"] >= GOAL_RPS and total["p95"] < GOAL_P95_MS and total["failures"] == 0
    verdict = "met" if met else "NOT met"
    print(
        f"  goal of the paced mixed load (≥{GOAL_RPS} req/s, p95 < {GOAL_P95_MS} ms, no errors): {verdict} — "
        f"{total['rps']:.1f} req/s, p95 {total['p95']:.0f} ms, {total['failures']:.0f} errors"
    )
    return met


def _mix(args: argparse.Namespace) -> str:
    return f"{'/'.join(f'{m:g}' for m in args.mix)} (public/clerk/claim)"


def _pacing(args: argparse.Namespace) -> str:
    return "unpaced (as fast as answered)" if args.rate <= 0 else f"paced at {args.rate:g} req/s asked for"


def _percentile(times: Mapping[str, int], fraction: float) -> float:
    """A percentile of latencies kept as locust keeps them (milliseconds → how many), as locust computes it."""
    total = sum(times.values())
    if not total:
        return 0.0
    passed = 0
    for ms, count in sorted(((float(ms), count) for ms, count in times.items()), reverse=True):
        passed += count
        if total - passed <= total * fraction:
            return ms
    return 0.0


@dataclass
class Measured:
    """A phase's figures over all its rounds."""

    requests: float = 0
    failures: float = 0
    elapsed: float = 0
    cpu: dict[str, float] = field(default_factory=dict)
    locust: float = 0
    times: dict[str, int] = field(default_factory=dict)
    references: list[float] = field(default_factory=list)
    load_averages: list[float] = field(default_factory=list)

    def add(self, result: dict[str, Any]) -> None:
        self.requests += result["total"]["requests"]
        self.failures += result["total"]["failures"]
        self.elapsed += result["elapsed"]
        for key, value in result["cpu"].items():
            self.cpu[key] = self.cpu.get(key, 0.0) + value
        self.locust += result["locust_cpu"]
        for ms, count in result.get("response_times", {}).items():
            self.times[ms] = self.times.get(ms, 0) + count
        self.references.append(result["reference_ms"])
        self.load_averages.append(result.get("load_average", 0.0))

    @property
    def rps(self) -> float:
        return self.requests / max(self.elapsed, 1e-9)

    @property
    def p95(self) -> float:
        return _percentile(self.times, 0.95)

    @property
    def cpu_ms(self) -> float:
        """The web server's CPU (gunicorn, master and workers) per request, in milliseconds."""
        return 1000 * self.cpu["gunicorn"] / max(self.requests, 1)


#: The table's lines: (label, portal phase, floor phase, what is compared, goal, the goal as a test of the ratio).
RATIO_GOAL_PUBLIC, RATIO_GOAL_MIXED, RATIO_GOAL_P95_MS, RATIO_GOAL_CPU = 0.9, 0.30, 250, 3.0


def _ratios(args: argparse.Namespace, config: Config, measured: Mapping[str, Measured]) -> bool:
    """The final table: each portal figure against its floor measured in the same run, the ratio and the goal."""
    rows: list[tuple[str, str, str, float, str, bool, float]] = []
    bare_read, bare_form = measured.get("bare-read"), measured.get("bare-form")
    public, mixed = measured.get("public"), measured.get("mixed")
    clerk, claim = measured.get("clerk"), measured.get("claim")
    if public and bare_read:
        ratio = public.rps / max(bare_read.rps, 1e-9)
        rows.append(
            (
                f"public reads, {args.users} users, unpaced",
                f"{public.rps:.1f} req/s",
                f"{bare_read.rps:.1f} req/s (bare read)",
                ratio,
                f"≥ {RATIO_GOAL_PUBLIC:g}",
                ratio >= RATIO_GOAL_PUBLIC,
                public.failures + bare_read.failures,
            )
        )
    if mixed and bare_read:
        ratio = mixed.rps / max(bare_read.rps, 1e-9)
        rows.append(
            (
                f"mixed {'/'.join(f'{m:g}' for m in args.mix)}, {'unpaced' if args.rate <= 0 else f'{args.rate:g}/s'}",
                f"{mixed.rps:.1f} req/s, p95 {mixed.p95:.0f} ms",
                f"{bare_read.rps:.1f} req/s (bare read)",
                ratio,
                f"≥ {RATIO_GOAL_MIXED:g}, p95 < {RATIO_GOAL_P95_MS} ms",
                ratio >= RATIO_GOAL_MIXED and mixed.p95 < RATIO_GOAL_P95_MS,
                mixed.failures + bare_read.failures,
            )
        )
    # A clerk's edit is a GET and a POST: against the bare form's GET and POST. The claim API's requests are all
    # writes: against the bare POST alone when that phase ran.
    bare_post = measured.get("bare-post")
    claim_floor = ("bare POST", bare_post) if bare_post else ("bare GET+POST", bare_form)
    for label, side, (what, floor) in (
        ("web CPU/request, clerk edit (GET+POST)", clerk, ("bare GET+POST", bare_form)),
        ("web CPU/request, claim API (4 POSTs)", claim, claim_floor),
    ):
        if side and floor:
            ratio = side.cpu_ms / max(floor.cpu_ms, 1e-9)
            rows.append(
                (
                    label,
                    f"{side.cpu_ms:.1f} ms",
                    f"{floor.cpu_ms:.1f} ms ({what})",
                    ratio,
                    f"≤ {RATIO_GOAL_CPU:g}×",
                    ratio <= RATIO_GOAL_CPU,
                    side.failures + floor.failures,
                )
            )
    rounds = f", {args.rounds} rounds each" if args.rounds > 1 else ""
    print(
        f"\n== Load ratios, {config}: the portal against the bare floor (bench/bare.py) in the same run — same "
        f"gunicorn and configuration, database, load generator; {args.duration:g} s measured after "
        f"{args.warmup:g} s warm-up per phase{rounds} =="
    )
    widths = (40, 26, 27, 6, 22)
    head = ("work", "the portal", "the floor, same run", "ratio", "goal")
    print("  " + " ".join(f"{text:<{w}}" for text, w in zip(head, widths, strict=True)) + " verdict")
    for label, portal, floor_text, ratio, goal, met, errors in rows:
        verdict = ("met" if met else "NOT met") + (f" ({errors:.0f} errors)" if errors else "")
        cells = (label, portal, floor_text, f"{ratio:.2f}", goal)
        print("  " + " ".join(f"{text:<{w}}" for text, w in zip(cells, widths, strict=True)) + " " + verdict)
    # On a shared machine the server gets what the other work leaves: the throughputs' ratio follows that share, the
    # CPU per request does not. Their ratio is what the throughputs' would be were the web server alone on the cores.
    for name, side in (("public reads", public), ("mixed", mixed)):
        if side and bare_read:
            print(
                f"  {name}: the same ratio by web CPU per request (bare read {bare_read.cpu_ms:.1f} ms / "
                f"{side.cpu_ms:.1f} ms): {bare_read.cpu_ms / max(side.cpu_ms, 1e-9):.2f}"
            )
    print("\n  where the CPU went (cores busy on average over each phase's windows) and the web CPU per request:")
    for name in PHASES:
        if name not in measured:
            continue
        side = measured[name]
        elapsed = max(side.elapsed, 1e-9)
        others = side.cpu["machine_busy"] - side.cpu["gunicorn"] - side.cpu["postgres"] - side.locust
        print(
            f"    {name:<10} {side.rps:7.1f} req/s  gunicorn {side.cpu['gunicorn'] / elapsed:.2f} + PostgreSQL "
            f"{side.cpu['postgres'] / elapsed:.2f} + locust {side.locust / elapsed:.2f} + else {others / elapsed:.2f}"
            f" = {side.cpu['machine_busy'] / elapsed:.2f} of {os.cpu_count()};  web {side.cpu_ms:5.1f} ms/req, "
            f"PostgreSQL {1000 * side.cpu['postgres'] / max(side.requests, 1):4.1f} ms/req"
        )
    references = [ms for side in measured.values() for ms in side.references]
    loads = [load for side in measured.values() for load in side.load_averages]
    steal = sum(side.cpu["machine_steal"] for side in measured.values()) / max(
        sum(side.elapsed for side in measured.values()), 1e-9
    )
    print(
        f"  machine speed: {min(references):.0f}–{max(references):.0f} ms for the reference loop of "
        f"{REFERENCE_ITERATIONS:,} steps before each phase (lower is faster); load average (1 min) over the windows "
        f"{min(loads):.1f}–{max(loads):.1f}; CPU stolen by the host {steal:.2f} cores"
    )
    met = all(row[5] for row in rows) and not any(row[6] for row in rows)
    errors = sum(side.failures for side in measured.values())
    print(
        f"  goal (every line of the table, no errors): {'met' if met else 'NOT met'} — "
        f"{sum(row[5] for row in rows)} of {len(rows)} lines met, {errors:.0f} errors"
    )
    return met


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=30, help="measured seconds of each phase (default 30)")
    parser.add_argument("--warmup", type=float, default=10, help="seconds of load before each window (default 10)")
    parser.add_argument(
        "--phases",
        default=",".join(PHASES),
        help=f"the phases, in order, comma-separated (default: all, {','.join(PHASES)})",
    )
    parser.add_argument("--rounds", type=int, default=1, help="run the phases this many times, alternating (default 1)")
    parser.add_argument(
        "--rate", type=float, default=0, help="requests/s asked for by the mixed phase in all; 0 = no pacing (default)"
    )
    parser.add_argument("--mix", type=float, nargs=3, default=[60, 25, 15], metavar=("PUBLIC", "CLERK", "CLAIM"))
    parser.add_argument(
        "--configs",
        default=f"{DEFAULT_WORKERS}x1",
        help=f"gunicorn workers×threads, comma-separated: 3x4,5x1 (default {DEFAULT_WORKERS}x1, portal.gunicorn_conf's)",
    )
    parser.add_argument(
        "--users", type=int, default=24, help="virtual users (at most 41: each is the clerk of its own district)"
    )
    parser.add_argument(
        "--claims-per-party",
        type=int,
        default=0,
        help="claimable hires each, for each phase that claims (default: enough)",
    )
    parser.add_argument("--notices", type=int, default=30, help="publicity notices under way")
    parser.add_argument("--people-per-notice", type=int, default=6)
    parser.add_argument("--posts-per-district", type=int, default=20, help="published posts in each of the 41")
    parser.add_argument("--database", default="bench_load", help="throw-away database (name must start with bench)")
    parser.add_argument("--server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5", help="cache and broker (not database 0)")
    parser.add_argument("--keep", action="store_true", help="keep the database and files (for a look afterwards)")
    parser.add_argument("--setup-only", action="store_true", help="create and seed the database, keep it, no load")
    # The load process's own arguments (bench/load.py starts itself with them).
    parser.add_argument("--load-process", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    parser.add_argument("--host", help=argparse.SUPPRESS)
    parser.add_argument("--phase", default="mixed", help=argparse.SUPPRESS)
    parser.add_argument("--hires", default="0:", help=argparse.SUPPRESS)  # start:stop of each party's claimable hires
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 41:
        parser.error("--users: 1 to 41 (each is the clerk of its own district)")
    if not args.database.startswith("bench"):
        parser.error("--database must start with 'bench': the script drops it at the end")
    if args.redis.rstrip("/").endswith("/0"):
        parser.error("--redis: use a database other than 0 (CI's)")
    unknown = set(args.phases.split(",")) - set(PHASES)
    if unknown:
        parser.error(f"--phases: unknown {', '.join(sorted(unknown))} (known: {', '.join(PHASES)})")
    if args.rounds < 1:
        parser.error("--rounds: at least 1")
    return args


def main(argv: Sequence[str]) -> int:
    args = _parse(argv)
    if args.load_process:
        _locust_main(args)
        return 0
    configs = [Config.parse(text) for text in args.configs.split(",")]
    phases = [PHASES[name] for name in args.phases.split(",")]
    # Every phase that claims (each round, each configuration) gets its own slice of each party's claimable hires.
    runs = [(config, phase) for config in configs for _ in range(args.rounds) for phase in phases]
    slices: list[str] = []
    claimable = 0
    for _, phase in runs:
        if phase.claims(args):
            needed = _claims_per_party(args, phase.shares(args), phase.rate(args))
            slices.append(f"{claimable}:{claimable + needed}")
            claimable += needed
        else:
            slices.append("0:0")
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = _environment(args, workdir)
    os.environ.update(env)
    (workdir / "environment.json").write_text(json.dumps(env))  # with --keep: to look at the database afterwards
    met: list[bool] = []
    try:
        plan = _setup(args, workdir, claimable)
        plan_path = workdir / "plan.json"
        plan_path.write_text(plan.to_json())
        if args.setup_only:
            args.keep = True
            runs, configs = [], []
        print(f"  {_machine()}")
        print(
            f"  data: {args.notices} notices × {args.people_per_notice} people under publicity, "
            f"{args.posts_per_district} published posts in each of 41 districts; {args.users} virtual users, each "
            f"also a clerk of its own district and a third party; mixed phase: {_mix(args)}, {_pacing(args)}; "
            "throttles: every DRF rate raised to 1000000/min by portal.settings.bench (they run, never refuse); "
            "public pages shared between anonymous readers for PUBLIC_CACHE_SECONDS as in production"
        )
        for config in configs:
            servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
            measured: dict[str, Measured] = {}
            try:
                # Both servers stay up through the configuration's phases (an idle one costs nothing).
                for server in sorted({phase.server for phase in phases}):
                    servers[server] = _start_gunicorn(config, env, workdir, server)
                for index, (run_config, phase) in enumerate(runs):
                    if run_config != config:
                        continue
                    result = _run_load(args, phase, slices[index], plan_path, servers[phase.server])
                    met.append(_report(args, config, phase, result))
                    measured.setdefault(phase.name, Measured()).add(result)
            finally:
                for process, _ in servers.values():
                    _stop(process)
            if measured:
                met.append(_ratios(args, config, measured))
    finally:
        if args.keep:
            print(f"kept: database {args.database}, files {workdir}")
        else:
            teardown(args)
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(met) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
