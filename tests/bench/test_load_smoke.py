"""bench/load.py keeps working: its seed and each kind of request it sends, once, through Django's test client
(CSRF checks on, as in a browser), with the statuses the benchmark counts as success; and so does its floor,
bench/bare.py's read and form, through the same client with the bare project's URLs, middleware and templates; and
bench/write_cpu.py's layers between them (bench/stack.py's URLs under the portal's middleware), and its tracer."""

from __future__ import annotations

import random

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from bench import bare
from bench.components import ComponentProfile
from bench.load import (
    PUBLIC_READS,
    ClientHttp,
    Plan,
    bare_form,
    bare_read,
    bare_save,
    bare_sign_in,
    claim_submit,
    clerk_edit_hire,
    clerk_edit_position,
    clerk_login,
    seed,
)
from bench.stack_urls import with_templates
from bench.write_cpu import api_save, bare_edit
from portal.models.idempotency import IdempotencyKey
from positions.models import Position
from referrals.models import Hire
from subsidies.constants import ClaimStatus
from subsidies.models import Claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(reference_data: None) -> Plan:
    return seed(clerks=1, parties=1, claims_per_party=1, notices=1, people_per_notice=2, posts_per_district=1)


def test_each_public_read_answers(plan: Plan) -> None:
    assert Plan.from_json(plan.to_json()) == plan  # as the load process gets it
    http = ClientHttp()
    for _, read in PUBLIC_READS:
        read(http, plan, random.Random(1))
    assert [status for _, status in http.sent] == [200] * len(PUBLIC_READS)
    assert len({name for name, _ in http.sent}) == len(PUBLIC_READS)


def test_a_clerk_signs_in_and_saves_a_post_and_a_hire(plan: Plan) -> None:
    http, clerk, rng = ClientHttp(), plan.clerks[0], random.Random(1)
    before = timezone.now()
    clerk_login(http, clerk, plan.password)
    clerk_edit_position(http, clerk, rng)
    clerk_edit_hire(http, clerk, rng)
    assert [status for _, status in http.sent] == [200, 302, 200, 302, 200, 302]
    # The saves happened (a redisplayed form would have been a 200).
    assert Position.objects.filter(pk__in=clerk.positions, updated_at__gt=before).count() == 1
    assert Hire.objects.filter(pk__in=clerk.hires, updated_at__gt=before).count() == 1


def test_a_third_party_creates_uploads_and_submits_a_claim(plan: Plan) -> None:
    http, party = ClientHttp(), plan.parties[0]
    claim_id = claim_submit(http, party, party.hires[0])
    assert [status for _, status in http.sent] == [201, 201, 201, 200]
    claim = Claim.objects.get(pk=claim_id)
    assert claim.status == ClaimStatus.SUBMITTED
    assert list(claim.items.values_list("hire_id", flat=True)) == [party.hires[0]]


def test_the_bare_floor_reads_and_saves_its_form() -> None:
    bare.prepare(connection)
    bare.prepare(connection)  # idempotent: 200 rows, not 400
    with (
        override_settings(
            ROOT_URLCONF="bench.bare",
            MIDDLEWARE=bare.MIDDLEWARE,
            TEMPLATES=bare.TEMPLATES,
            SESSION_COOKIE_NAME=bare.SESSION_COOKIE_NAME,
            CSRF_COOKIE_NAME=bare.CSRF_COOKIE_NAME,
        ),
        connection.cursor() as cursor,
    ):
        http, rng = ClientHttp(), random.Random(1)
        bare_read(http, rng)
        assert http.client.post("/form/", {"item": "1"}).status_code == 403  # CSRF first: no token, no save
        fields = bare_sign_in(http)
        bare_form(http, rng)
        bare_save(http, fields, rng)  # the POST alone, with the sign-in's CSRF token
        assert [status for _, status in http.sent] == [200, 200, 200, 303, 303]
        assert "张1" in http.client.get("/").content.decode()
        cursor.execute("SELECT count(*), sum(saves) FROM bench_bare_item")
        assert cursor.fetchone() == (bare.ROWS, 2)
        cursor.execute("SELECT count(*) FROM bench_bare_entry")
        assert cursor.fetchone() == (2,)


def test_the_layers_serve_the_bare_form_and_api_under_the_portal(plan: Plan) -> None:
    """bench/stack.py's layers under the portal's middleware: the bare form signed in as the clerk (through the real
    login), the no-op API as the third party (token, then with an Idempotency-Key, whose reply is stored); the API
    keeps the portal's permission (no anonymous write). The tracer of ``--profile`` names the middleware, the view
    and the database driver."""
    bare.prepare(connection)
    templates = with_templates(settings.TEMPLATES, bare.TEMPLATE_SOURCES)
    with override_settings(ROOT_URLCONF="bench.stack_urls", TEMPLATES=templates), connection.cursor() as cursor:
        browser, machine, rng = ClientHttp(), ClientHttp(), random.Random(1)
        clerk_login(browser, plan.clerks[0], plan.password)
        bare_edit(browser, rng)
        api_save(machine, plan.parties[0].token, rng, key=False)
        api_save(machine, plan.parties[0].token, rng, key=True)
        assert [status for _, status in browser.sent + machine.sent] == [200, 302, 200, 303, 201, 201]
        assert IdempotencyKey.objects.filter(path="/api/bare/", status_code=201).count() == 1
        cursor.execute("SELECT count(*) FROM bench_bare_entry")
        assert cursor.fetchone() == (3,)
        assert Client().post("/api/bare/", {}, content_type="application/json").status_code in (401, 403)

        components = ComponentProfile(list(settings.MIDDLEWARE))
        components.run(lambda: bare_edit(browser, rng), 1)
        report = components.report(2, 10)
    for name in ("middleware: SessionMiddleware", "middleware: CsrfViewMiddleware", "app: bench.bare", "templates"):
        assert name in report, report
