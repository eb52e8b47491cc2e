"""PostgreSQL stopped for a moment (docs/workflows.md, "Outages"): requests made meanwhile get a clean 503 in Chinese with
``Retry-After`` (never a 500 traceback), nothing is half-written, and once the database is back requests succeed
again without a restart (``CONN_HEALTH_CHECKS`` replaces the broken persistent connection).

The database is cut off by a TCP proxy of the test's own between the portal and PostgreSQL: the machine's server is
never stopped. The portal runs in a single-threaded WSGI server in this process, keeping one persistent database
connection as a gunicorn sync worker does. The first tests need no PostgreSQL: they break every query in-process.
"""

from __future__ import annotations

import datetime
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.core.wsgi import get_wsgi_application
from django.db import OperationalError, connection, connections
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.test.testcases import QuietWSGIRequestHandler
from rest_framework.authtoken.models import Token

from portal.models import IdempotencyKey, SubsidyCap, User
from portal.web.middleware import DATABASE_RETRY_AFTER_SECONDS
from referrals.models import Hire
from subsidies.constants import ClaimStatus
from subsidies.models import Claim, ClaimEvent
from subsidies.services import ClaimData, ClaimLine, claim_create
from tests.factories import (
    EmployerFactory,
    PositionFactory,
    ThirdPartyFactory,
    UserFactory,
    attach_signed_annexes,
    claimable_hire,
)
from tests.faults.conftest import Report
from tests.faults.support import TcpProxy

pytestmark = pytest.mark.faults

UNAVAILABLE = "数据库暂时不可用，请稍后重试"
#: How long "PostgreSQL" stays away.
CUT_SECONDS = 2.0
#: psycopg2's COMMIT on the wire: a simple-query message ('Q', length 11, "COMMIT\0").
COMMIT = b"Q\x00\x00\x00\x0bCOMMIT\x00"


def _assert_unavailable(status: int, headers: Any, body: str, *, api: bool) -> None:
    assert status == 503, body[:500]
    assert headers["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)
    assert "Traceback" not in body and "OperationalError" not in body
    if api:
        assert json.loads(body) == {"detail": f"{UNAVAILABLE}。", "code": "database_unavailable"}
    else:
        assert UNAVAILABLE in body and "<html" in body


# ---- the 503 itself, with every query failing in-process (SQLite or PostgreSQL) ------------------------------------


@pytest.fixture
def database_gone() -> Iterator[None]:
    """Every query fails as it does when PostgreSQL went away under an open connection."""
    gone = OperationalError("server closed the connection unexpectedly")
    with (
        mock.patch.object(CursorWrapper, "execute", side_effect=gone),
        mock.patch.object(CursorWrapper, "executemany", side_effect=gone),
    ):
        yield


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "api"), [("/positions/", False), ("/api/v1/positions/", True)])
def test_a_view_that_loses_the_database_answers_503_in_chinese(path: str, api: bool, database_gone: None) -> None:
    response = Client(raise_request_exception=False).get(path)
    _assert_unavailable(response.status_code, response, response.content.decode(), api=api)


@pytest.mark.django_db
def test_losing_the_database_before_the_view_answers_503_too() -> None:
    """A signed-in request reads its session in the middleware, before any view: handler500 gives the same 503."""
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(clerk=True))
    gone = OperationalError("could not connect to server: Connection refused")
    with mock.patch.object(CursorWrapper, "execute", side_effect=gone):
        response = client.get("/workspace/")
    _assert_unavailable(response.status_code, response, response.content.decode(), api=False)


@pytest.mark.django_db
def test_other_errors_stay_a_plain_500() -> None:
    client = Client(raise_request_exception=False)
    with mock.patch("positions.views.render", side_effect=RuntimeError("a bug")):
        response = client.get("/positions/")
    assert response.status_code == 500 and "系统暂时出现故障" in response.content.decode()
    assert "Retry-After" not in response


# ---- PostgreSQL cut off behind a proxy ----------------------------------------------------------------------------


class PortalServer:
    """The portal on a loopback port, one request at a time on one thread whose database connection goes through
    the proxy (and persists between requests: ``CONN_MAX_AGE``)."""

    def __init__(self, proxy_port: int) -> None:
        self.proxy_port = proxy_port
        self.server = WSGIServer(("127.0.0.1", 0), QuietWSGIRequestHandler, allow_reuse_address=True)
        self.server.set_app(get_wsgi_application())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self._serve, name="portal-through-proxy", daemon=True)

    def _serve(self) -> None:
        # This thread's connection only (connections are per thread): the test's own keeps going direct.
        own = connections["default"]
        own.settings_dict = {**own.settings_dict, "HOST": "127.0.0.1", "PORT": str(self.proxy_port)}
        try:
            self.server.serve_forever(poll_interval=0.05)
        finally:
            connections.close_all()

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def call(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: object = None
    ) -> tuple[int, Any, str]:
        request = urllib.request.Request(  # noqa: S310 (the test's own server)
            self.url + path,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", **(headers or {})},
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()


def _claim_body(hire: Hire) -> dict[str, object]:
    return {
        "employer": hire.employer_id,
        "employer_contact": "张经理",
        "employer_phone": "023-45678901",
        "declarations": {"introduced": True, "good_credit": True, "truthful": True},
        "lines": [{"hire": hire.pk, "requested_amount": "30000.00"}],
    }


def _draft(hire: Hire, user: User) -> Claim:
    claim = claim_create(
        data=ClaimData(
            employer=hire.employer,
            employer_contact="张经理",
            employer_phone="023-45678901",
            lines=(ClaimLine(hire=hire, requested_amount=Decimal("30000.00")),),
            declares_introduced=True,
            declares_good_credit=True,
            declares_truthful=True,
        ),
        by=user,
    )
    attach_signed_annexes(claim, user)
    return claim


def _submissions(claim: Claim) -> int:
    return ClaimEvent.objects.filter(claim=claim, action="submit").count()


@pytest.fixture
def portal_behind_proxy() -> Iterator[tuple[PortalServer, TcpProxy]]:
    db = connection.settings_dict
    proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    proxy.start()
    server = PortalServer(proxy.port)
    server.start()
    try:
        yield server, proxy
    finally:
        server.stop()
        proxy.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://...)")
def test_postgresql_gone_for_a_moment_gives_503s_loses_nothing_and_recovers(
    portal_behind_proxy: tuple[PortalServer, TcpProxy], fault_report: Report
) -> None:
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    server, proxy = portal_behind_proxy
    SubsidyCap.objects.create(
        channel="bounty_list",
        amount=Decimal(30000),
        effective_from=datetime.date(2022, 1, 1),
        policy_reference="渝人社发〔2022〕50号",
    )
    claimant = UserFactory(third_party_user=True, third_party=ThirdPartyFactory(verified=True))
    employer = EmployerFactory()
    PositionFactory(published=True)
    hires = [claimable_hire(claimant.third_party, employer) for _ in range(3)]
    cut_claim, commit_claim = _draft(hires[0], claimant), _draft(hires[1], claimant)
    token = {"Authorization": f"Token {Token.objects.create(user=claimant).key}"}
    browser = Client()
    browser.force_login(claimant)
    session = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"}

    def public_list() -> tuple[int, Any, str]:
        return server.call("GET", "/positions/")

    def my_claims() -> tuple[int, Any, str]:
        return server.call("GET", "/claims/", headers=session)

    def new_claim() -> tuple[int, Any, str]:
        # A machine client retrying with its Idempotency-Key, as it should after a 503.
        return server.call(
            "POST", "/api/v1/claims/", headers={**token, "Idempotency-Key": "new"}, body=_claim_body(hires[2])
        )

    def submit(claim: Claim, key: str) -> tuple[int, Any, str]:
        return server.call("POST", f"/api/v1/claims/{claim.pk}/submit/", headers={**token, "Idempotency-Key": key})

    # Healthy, with one persistent connection through the proxy.
    assert public_list()[0] == 200 and my_claims()[0] == 200
    assert proxy.open_connections == 1 and proxy.accepted == 1

    # A blip while the connection is idle: the next request's health check reconnects and nobody notices.
    proxy.kill_connections()
    assert my_claims()[0] == 200
    assert proxy.accepted == 2  # a new connection replaced the killed one

    # PostgreSQL gone for about two seconds: a few requests of every kind meanwhile.
    requests = {
        "public list": (public_list, False),
        "signed-in page": (my_claims, False),
        "new claim (API)": (new_claim, True),
        "claim submission (API)": (lambda: submit(cut_claim, "cut"), True),
    }
    during: list[str] = []
    proxy.cut()
    cut_at = time.monotonic()
    try:
        while time.monotonic() - cut_at < CUT_SECONDS:
            for name, (call, api) in requests.items():
                _assert_unavailable(*call(), api=api)
                during.append(name)
            time.sleep(0.2)
    finally:
        proxy.restore()
    cut_for = time.monotonic() - cut_at

    # Nothing of it was written.
    assert not Claim.objects.filter(items__hire=hires[2]).exists()
    cut_claim.refresh_from_db()
    assert cut_claim.status == ClaimStatus.DRAFT and _submissions(cut_claim) == 0
    assert not IdempotencyKey.objects.exists()

    # Back: the same requests succeed, the retried writes once each.
    assert public_list()[0] == 200 and my_claims()[0] == 200
    created = new_claim()
    assert created[0] == 201, created[2]
    assert submit(cut_claim, "cut")[0] == 200
    assert Claim.objects.filter(items__hire=hires[2]).count() == 1 and _submissions(cut_claim) == 1

    # Cut inside a submission: the connection drops instead of its COMMIT reaching the server.
    proxy.drop_next(COMMIT)
    status, headers, body = submit(commit_claim, "commit")
    assert proxy.dropped == 1
    _assert_unavailable(status, headers, body, api=True)
    commit_claim.refresh_from_db()
    assert commit_claim.status == ClaimStatus.DRAFT and _submissions(commit_claim) == 0
    assert not IdempotencyKey.objects.filter(key="commit").exists()
    retried = submit(commit_claim, "commit")
    assert retried[0] == 200 and json.loads(retried[2])["status"] == ClaimStatus.SUBMITTED
    assert _submissions(commit_claim) == 1

    claims = Claim.objects.filter(third_party=claimant.third_party)
    written = {claim.pk: (claim.status, _submissions(claim)) for claim in claims}
    half_written = [
        pk for pk, (state, submits) in written.items() if (state == ClaimStatus.SUBMITTED) != (submits == 1)
    ]
    fault_report(
        "PostgreSQL cut off",
        submitted=f"{len(during)} requests during a {cut_for:.1f} s cut (every one a 503 in Chinese with "
        "Retry-After), 1 claim submission whose COMMIT was cut (503), then the same writes retried",
        processed=f"every request succeeded again once the database was back; {len(written)} claims, "
        f"{sum(submits for _, submits in written.values())} submitted exactly once, none half-written",
        lost=len(half_written),
    )
    assert half_written == []
    assert sorted(written.values()) == sorted([(ClaimStatus.SUBMITTED, 1)] * 2 + [(ClaimStatus.DRAFT, 0)])
