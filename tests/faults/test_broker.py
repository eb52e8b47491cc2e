"""The broker is not in the path of a submission (docs/workflows.md, "Outages"): with Redis stopped or hung (SIGSTOP), posts,
hires, objections and claims are accepted in under 2 seconds each, the e-mails their side effects owe wait in the
transactional outbox, and once Redis is back a real Celery worker delivers every one of them exactly once.

Redis here is a private redis-server of the test (never the machine's shared one); the worker runs in-process, so
the test works on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import logging
import runpy
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.core.cache import cache
from django.db import connections
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from portal import broker
from portal.celery import app
from portal.models import OutboxMessage, ThirdParty, User
from portal.notifications.services import kick_outbox
from portal.tasks import send_outbox
from positions.models import Position
from referrals.constants import EmployerConfirmation, HireStatus
from referrals.models import Hire, Objection
from subsidies.constants import ClaimStatus
from subsidies.models import Claim
from subsidies.services import claim_review
from tests.factories import (
    DistrictFactory,
    EmployerFactory,
    HireFactory,
    PositionFactory,
    PublicityNoticeFactory,
    ThirdPartyFactory,
    UserFactory,
    attach_signed_annexes,
    claimable_hire,
    ensure_caps,
    make_id_number,
)
from tests.faults.conftest import Report
from tests.faults.support import BASE_DIR, RedisServer, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

#: A submission must come back within this, whatever the broker does (docs/workflows.md, "Outages").
SUBMISSION_LIMIT_SECONDS = 2.0
KICK_FAILED = "无法连接消息队列"
EMAIL_KICK_FAILED = KICK_FAILED + "，邮件"


@dataclass
class World:
    clerk: User
    employer_user: User
    centre: User
    claimants: list[User]
    position: Position
    on_notice: Hire
    awaiting_employer: Hire
    claimable: Hire


def _world() -> World:
    """A district with a published post, a hire under publicity, a hire a third party introduced that the employer
    has yet to confirm, and a hire that third party may claim; the third party has two accounts with e-mail."""
    ensure_caps()
    district = DistrictFactory()
    employer = EmployerFactory(district=district)
    party: ThirdParty = ThirdPartyFactory(verified=True)
    position = PositionFactory(batch__district=district, employer=employer, published=True)
    on_notice = HireFactory(position=position)
    PublicityNoticeFactory(district=district, reference="GS-FAULTS-0001", hires=[on_notice])
    now = timezone.now()
    return World(
        clerk=UserFactory(clerk=True, district=district),
        employer_user=UserFactory(employer_user=True, employer=employer),
        centre=UserFactory(centre=True),
        claimants=[
            UserFactory(third_party_user=True, third_party=party, email=f"agency{i}@example.cn") for i in (1, 2)
        ],
        position=position,
        on_notice=on_notice,
        awaiting_employer=HireFactory(
            position=position,
            third_party=party,
            employer_confirmation=EmployerConfirmation.PENDING,
            status=HireStatus.CONFIRMED,
            confirmed_at=now,
        ),
        claimable=claimable_hire(party, employer),
    )


def _api(user: User | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


class Timed:
    """Runs each submission with a stopwatch. Before each, the e-mail kick's quiet period is cleared, so every write
    that queues an e-mail really tries the broker after its commit (the worst case, not the lucky one)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def __call__(self, label: str, action: Callable[[], Any]) -> Any:
        broker.listen_again()
        started = time.monotonic()
        result = action()
        self.seconds[label] = time.monotonic() - started
        return result


def _submit_everything(world: World, timed: Timed) -> dict[str, int]:
    """Every kind of submission through its API or page, plus the two decisions that owe e-mails. Returns the ids."""
    clerk, claimant = _api(world.clerk), _api(world.claimants[0])
    position = timed(
        "post",
        lambda: clerk.post(
            "/api/v1/positions/",
            {
                "employer": world.position.employer_id,
                "channel": "special_recruitment",
                "name": "前沿通信技术与政策研究工程师",
                "headcount": 4,
                "education": "master",
                "majors": "电子信息",
                "recruits_graduates": True,
                "salary_text": "15-25万元/年",
            },
            format="json",
        ),
    )
    assert position.status_code == 201, position.content
    hire = timed(
        "hire",
        lambda: clerk.post(
            "/api/v1/hires/",
            {
                "position": world.position.pk,
                "name": "张三",
                "id_number": make_id_number(901, birthday="19980808"),
                "mode": "full_time",
                "contract_term": "3年",
                "school": "重庆大学",
                "education": "master",
                "arrived_on": timezone.localdate().isoformat(),
                "work_experience": "2016年起从事工程研发",
            },
            format="json",
        ),
    )
    assert hire.status_code == 201, hire.content
    objection = timed(
        "objection",
        lambda: _api().post(
            "/api/v1/objections/",
            {"hire": world.on_notice.pk, "name": "王五", "phone": "13800000000", "statement": "学历信息与实际不符。"},
            format="json",
        ),
    )
    assert objection.status_code == 201, objection.content
    draft = timed(
        "claim (draft)",
        lambda: claimant.post(
            "/api/v1/claims/",
            {
                "employer": world.claimable.employer_id,
                "employer_contact": "张经理",
                "employer_phone": "023-45678901",
                "declarations": {"introduced": True, "good_credit": True, "truthful": True},
                "lines": [{"hire": world.claimable.pk, "requested_amount": "30000.00"}],
            },
            format="json",
        ),
    )
    assert draft.status_code == 201, draft.content
    claim = Claim.objects.get(pk=draft.json()["id"])
    attach_signed_annexes(claim, world.claimants[0])
    submitted = timed("claim (submit)", lambda: claimant.post(f"/api/v1/claims/{claim.pk}/submit/", format="json"))
    assert submitted.status_code == 200, submitted.content
    # The two writes that owe e-mails (to both accounts of the third party): the employer's Annex 3 confirmation
    # through its page, and the talent centre's first review.
    employer = Client()
    employer.force_login(world.employer_user)
    confirmed = timed(
        "employer confirmation",
        lambda: employer.post(f"/employer/hires/{world.awaiting_employer.pk}/confirm/", {"decision": "confirm"}),
    )
    assert confirmed.status_code == 302
    timed(
        "claim first review",
        lambda: claim_review(claim=claim, action="first_pass", opinion="材料齐全，同意。", by=world.centre),
    )
    return {"position": position.json()["id"], "hire": hire.json()["id"], "claim": claim.pk}


def _assert_everything_written(world: World, ids: dict[str, int]) -> None:
    assert Position.objects.filter(pk=ids["position"], status="draft").exists()
    assert Hire.objects.filter(pk=ids["hire"], status=HireStatus.RECORDED).exists()
    assert Objection.objects.filter(hire=world.on_notice).count() == 1
    assert Claim.objects.get(pk=ids["claim"]).status == ClaimStatus.FIRST_PASSED
    world.awaiting_employer.refresh_from_db()
    assert world.awaiting_employer.employer_confirmation == EmployerConfirmation.CONFIRMED


def _warm_up(world: World) -> None:
    """Load what a process loads on its first request and first kick (URLs, serializers, the Redis transport) while
    Redis is up: the stopwatch then measures the submissions and the broker, not one-off imports."""
    for user, url in ((world.clerk, "/api/v1/positions/"), (world.clerk, "/api/v1/hires/")):
        assert _api(user).get(url).status_code == 200
    assert _api(world.claimants[0]).get("/api/v1/claims/").status_code == 200
    assert _api().get("/api/v1/publicity/").status_code == 200
    employer = Client()
    employer.force_login(world.employer_user)
    assert employer.get("/employer/hires/").status_code == 200
    kick_outbox()  # a real send_outbox message: harmless, the task is idempotent


@pytest.fixture
def in_process_worker() -> Iterator[Callable[[], Any]]:
    """Start a real Celery worker in this process on demand (solo pool, the app's current broker); each task it runs
    closes its database connection afterwards, so the test database is free to be flushed or dropped."""

    def close_connections(**kwargs: object) -> None:
        connections.close_all()

    task_postrun.connect(close_connections, weak=False)
    try:
        yield lambda: start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10)
    finally:
        task_postrun.disconnect(close_connections)


def _drain_through_the_broker() -> int:
    """What beat does every minute: ask a worker, through Redis, to send the outbox; wait for its answer."""
    with app.connection_for_write() as connection:
        result = send_outbox.apply_async(connection=connection, ignore_result=False)
    return int(result.get(timeout=60))


@pytest.mark.parametrize("fault", ["stopped", "hung"])
def test_submissions_never_wait_on_a_broken_redis_and_every_email_goes_once_it_is_back(
    fault: str,
    celery_on_private_redis: RedisServer,
    in_process_worker: Callable[[], Any],
    fault_report: Report,
    caplog: pytest.LogCaptureFixture,
) -> None:
    redis_server = celery_on_private_redis
    cache.clear()  # the objection throttle counts per address in the cache
    world = _world()
    _warm_up(world)
    timed = Timed()

    if fault == "stopped":
        redis_server.stop()
    else:
        redis_server.hang()
    with caplog.at_level(logging.WARNING, logger="portal.notifications.services"):
        ids = _submit_everything(world, timed)

    slowest = max(timed.seconds, key=timed.seconds.__getitem__)
    assert timed.seconds[slowest] < SUBMISSION_LIMIT_SECONDS, timed.seconds
    _assert_everything_written(world, ids)
    # Both e-mail-owing commits tried the broker, gave up quickly and left their e-mails in the outbox. (The claim's
    # submission also tried, for its papers' copies, which the ten-minute sweep stores instead.)
    assert caplog.text.count(EMAIL_KICK_FAILED) == 2, caplog.text
    queued = list(OutboxMessage.objects.values_list("to_email", "subject"))
    assert len(queued) == 4 and not OutboxMessage.objects.filter(sent_at__isnull=False).exists()
    assert mail.outbox == []

    if fault == "stopped":
        redis_server.start()  # empty: whatever it held before is gone, as after a crash
    else:
        redis_server.wake()
    with in_process_worker():
        _drain_through_the_broker()
        wait_until(
            lambda: not OutboxMessage.objects.filter(sent_at__isnull=True).exists(),
            timeout=60,
            what="the outbox to be sent",
        )
        # Beat's next run (and any kick that reached Redis late) finds nothing left to send.
        assert _drain_through_the_broker() == 0

    delivered = Counter((message.to[0], str(message.subject)) for message in mail.outbox)
    lost = len(set(queued) - set(delivered))
    fault_report(
        f"Redis {fault}",
        submitted=f"{len(timed.seconds)} writes (post, hire, objection, claim draft and submit, employer "
        f"confirmation, first review), slowest {timed.seconds[slowest]:.2f} s ({slowest}); {len(queued)} e-mails "
        "queued in the outbox",
        processed=f"{len(mail.outbox)} e-mails sent by a Celery worker after Redis came back "
        f"({sum(delivered.values()) - len(delivered)} sent twice)",
        lost=lost,
    )
    assert lost == 0
    assert sorted(delivered) == sorted(queued) and set(delivered.values()) == {1}


def test_a_redis_broker_is_configured_to_give_up_quickly_and_to_redeliver(monkeypatch: pytest.MonkeyPatch) -> None:
    """What production (and CI) run with a Redis broker: socket timeouts, so nothing waits forever on a hung Redis;
    no result backend that could hang; late acknowledgement, so a message a dead worker took comes back; one task
    at a time per worker process, so a crash loses no prefetched message either."""
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    base = runpy.run_path(str(BASE_DIR / "portal" / "settings" / "base.py"))  # a fresh read, nothing connects
    options = base["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert 0 < options["socket_timeout"] <= 10 and 0 < options["socket_connect_timeout"] <= 10
    assert 0 < base["CELERY_BROKER_CONNECTION_TIMEOUT"] <= 10
    # Longer than any task runs (a roll-up takes seconds), or a running task would be handed out twice.
    assert options["visibility_timeout"] >= 3600
    assert base["CELERY_TASK_IGNORE_RESULT"] is True and "CELERY_RESULT_BACKEND" not in base
    assert base["CELERY_TASK_ACKS_LATE"] and base["CELERY_TASK_REJECT_ON_WORKER_LOST"]
    assert base["CELERY_WORKER_PREFETCH_MULTIPLIER"] == 1
    app.loader.import_default_modules()
    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert ours and all(task.acks_late and task.reject_on_worker_lost for task in ours)
