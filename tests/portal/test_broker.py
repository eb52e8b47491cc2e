"""The kicks to the workers (portal.broker): the kicks of one request go together after it, through one connection;
one task's failed kick never stops another's."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from kombu.exceptions import EncodeError, OperationalError

from portal import broker
from portal.celery import app
from portal.tasks import run_import_job, send_outbox
from subsidies.tasks import store_claim_papers


@pytest.fixture(autouse=True)
def _broker_reachable() -> Iterator[None]:
    """A broker to kick, as in production: the test settings' eager tasks have none (see the last test)."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    broker.listen_again()
    yield
    broker.listen_again()
    app.conf.task_always_eager = eager


@pytest.fixture
def published() -> Iterator[dict[str, mock.Mock]]:
    """The two tasks a claim's decision kicks (its e-mails, then its papers), their messages caught at the broker."""
    with (
        mock.patch.object(send_outbox, "apply_async") as outbox,
        mock.patch.object(store_claim_papers, "apply_async") as papers,
    ):
        yield {"outbox": outbox, "papers": papers}


@pytest.fixture
def connections() -> Iterator[mock.Mock]:
    """Counts the connections the kicks open."""
    with mock.patch.object(app, "connection_for_write", wraps=app.connection_for_write) as opened:
        yield opened


def _request(*kicks: tuple[Any, tuple[Any, ...], str]) -> None:
    """One request that kicks ``kicks`` after its commits (what Django's request signals call; a request through
    the test client is below)."""
    broker.request_started()
    for task, args, what in kicks:
        broker.kick(task, args, what=what)
    broker.request_finished()


EMAIL = (send_outbox, (), "邮件")
PAPERS = (store_claim_papers, (1, 2), "申报文件存档（办理记录2）")


def test_two_kicks_of_one_request_both_reach_the_broker_through_one_connection(
    published: dict[str, mock.Mock], connections: mock.Mock
) -> None:
    broker.request_started()
    broker.kick(*EMAIL[:2], what=EMAIL[2])
    broker.kick(*PAPERS[:2], what=PAPERS[2])
    assert not published["outbox"].called and not published["papers"].called, "sent once the request is over"
    broker.request_finished()

    published["outbox"].assert_called_once()
    published["papers"].assert_called_once()
    assert published["papers"].call_args.args == ((1, 2),)
    assert connections.call_count == 1
    assert published["outbox"].call_args.kwargs["connection"] is published["papers"].call_args.kwargs["connection"]


def test_with_the_broker_down_both_kicks_are_left_to_the_sweeps_after_one_attempt(
    published: dict[str, mock.Mock], connections: mock.Mock, caplog: pytest.LogCaptureFixture
) -> None:
    published["outbox"].side_effect = OperationalError("Connection refused")
    with caplog.at_level(logging.WARNING, logger="portal.broker"):
        _request(EMAIL, PAPERS)
    assert connections.call_count == 1 and published["outbox"].call_count == 1
    assert not published["papers"].called, "the broker did not answer: no second attempt in the same request"
    assert "无法连接消息队列，邮件将由定时任务稍后处理" in caplog.text
    assert "无法连接消息队列，申报文件存档（办理记录2）将由定时任务稍后处理" in caplog.text

    # Within the quiet period the next request does not try the broker again for either task.
    _request(EMAIL, PAPERS)
    assert connections.call_count == 1
    broker.listen_again()  # the broker is back
    published["outbox"].side_effect = None
    _request(EMAIL, PAPERS)
    assert published["outbox"].call_count == 2 and published["papers"].call_count == 1


def test_a_kick_the_broker_refuses_does_not_stop_the_next_task_s_kick(
    published: dict[str, mock.Mock], caplog: pytest.LogCaptureFixture
) -> None:
    """Whichever kick comes first, the others still reach the broker: a failure of one task's message quiets that
    task only."""
    published["outbox"].side_effect = EncodeError("cannot serialise")
    with caplog.at_level(logging.WARNING, logger="portal.broker"):
        _request(EMAIL, PAPERS)
    published["papers"].assert_called_once()
    assert "邮件将由定时任务稍后处理" in caplog.text

    # Outside a request (a task, a command) a kick goes at once; the e-mail's is quiet, the papers' is not.
    assert not broker.kick(send_outbox, what="邮件")
    assert broker.kick(store_claim_papers, (3, 4), what="申报文件存档（办理记录4）")
    assert published["outbox"].call_count == 1 and published["papers"].call_count == 2


def test_a_failed_kick_outside_a_request_quiets_only_its_own_task(
    published: dict[str, mock.Mock], connections: mock.Mock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside a request (a task, a command) each kick goes at once. The kicks right after a broker that could not
    be reached (the other kicks of the same commit) share that attempt; later, another task's kick tries again
    while the failed task's stays quiet."""
    published["outbox"].side_effect = OperationalError("Connection refused")
    assert not broker.kick(send_outbox, what="邮件")
    assert not broker.kick(store_claim_papers, (1, 2), what="申报文件存档（办理记录2）")
    assert connections.call_count == 1 and not published["papers"].called

    monkeypatch.setattr(broker, "_unreachable_until", 0.0)  # the burst is over
    published["outbox"].side_effect = None
    with mock.patch.object(run_import_job, "apply_async") as job:
        assert broker.kick(run_import_job, (7,), what="导入任务7")
    job.assert_called_once()
    assert not broker.kick(send_outbox, what="邮件")  # quiet: its own failure
    assert published["outbox"].call_count == 1


def test_a_kick_made_while_the_request_s_kicks_are_sent_goes_at_once(published: dict[str, mock.Mock]) -> None:
    """An eager task run by a kick (development, tests) may kick again: that one is not left waiting."""
    published["papers"].side_effect = lambda *args, **kwargs: broker.kick(send_outbox, what="邮件")
    _request(PAPERS)
    published["outbox"].assert_called_once()


@pytest.mark.django_db(transaction=True)
def test_a_claim_decided_through_the_page_kicks_its_e_mails_and_its_papers(
    published: dict[str, mock.Mock], connections: mock.Mock, caps: None
) -> None:
    """A reviewer's decision commits the claimant's e-mail and then the papers' store: both kicks reach the broker,
    in one connection after the request."""
    from django.test import Client
    from django.urls import reverse

    from portal.models import OutboxMessage
    from tests.factories import ClaimFactory, ThirdPartyFactory, UserFactory

    centre = UserFactory(centre=True)
    claimant = UserFactory(
        third_party_user=True, third_party=ThirdPartyFactory(verified=True), email="claimant@example.com"
    )
    claim = ClaimFactory(by=claimant, amounts=("30000",), submitted=True)
    for caught in (published["outbox"], published["papers"], connections):
        caught.reset_mock()
    client = Client()
    client.force_login(centre)
    decide = {"action": "first_return", "opinion": "请补充附件3的盖章页。"}
    assert client.post(reverse("subsidies:review_decide", args=[claim.pk]), decide).status_code == 302
    claim.refresh_from_db()
    assert claim.status == "returned"
    assert OutboxMessage.objects.filter(to_email="claimant@example.com").exists()
    published["outbox"].assert_called_once()
    published["papers"].assert_called_once()
    assert connections.call_count <= 1, "the thread's kept connection, or one new one"
    assert published["outbox"].call_args.kwargs["connection"] is published["papers"].call_args.kwargs["connection"]


def test_later_requests_reuse_the_threads_connection(published: dict[str, mock.Mock], connections: mock.Mock) -> None:
    _request(EMAIL)
    _request(PAPERS)
    _request(EMAIL, PAPERS)
    assert published["outbox"].call_count == 2 and published["papers"].call_count == 2
    assert connections.call_count == 1, "a new connection costs more CPU than the kick"


def test_a_kept_connection_the_broker_closed_is_replaced_at_once(
    published: dict[str, mock.Mock], connections: mock.Mock
) -> None:
    _request(EMAIL)
    published["outbox"].side_effect = [OperationalError("Connection closed by server."), None]
    _request(EMAIL, PAPERS)
    assert published["outbox"].call_count == 3 and published["papers"].call_count == 1
    assert connections.call_count == 2
    first, retried = (call.kwargs["connection"] for call in published["outbox"].call_args_list[1:])
    assert first is not retried


def test_a_kept_connection_to_a_hung_broker_is_not_waited_for_twice(
    published: dict[str, mock.Mock], connections: mock.Mock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    monkeypatch.setattr(broker, "KICK_TIMEOUT_SECONDS", 0.02)
    _request(EMAIL)

    def times_out(*args: Any, **kwargs: Any) -> None:
        time.sleep(0.02)
        raise OperationalError("Timeout reading from socket")

    published["outbox"].side_effect = times_out
    _request(EMAIL, PAPERS)
    assert published["outbox"].call_count == 2 and not published["papers"].called
    assert connections.call_count == 1, "no second connection after the whole timeout"


def test_eager_tasks_run_at_once_inside_the_request(published: dict[str, mock.Mock]) -> None:
    """With ``task_always_eager`` there is no broker to share: the task runs when kicked, before the request ends,
    as a worker would have run it before the reply was read."""
    app.conf.task_always_eager = True  # put back by the fixture
    broker.request_started()
    broker.kick(*EMAIL[:2], what=EMAIL[2])
    assert published["outbox"].called, "sent at once, not after the request"
    broker.request_finished()
    published["outbox"].assert_called_once()
