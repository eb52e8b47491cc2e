"""Notices: the inbox, the e-mail outbox drained by Celery, e-mail choices, the personal-data guard, the digest."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.http.response import HttpResponseRedirectBase
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from kombu.exceptions import OperationalError
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from portal import broker
from portal.celery import app
from portal.constants import NotificationKind as K
from portal.models import DigestLog, Notification, NotificationPreference, OutboxMessage, User
from portal.notifications import services as notifications
from portal.notifications.services import notify, notify_many, redact_personal_data, staff_digests_send
from portal.tasks import send_outbox, send_staff_digests
from portal.workspace import WorkQueue
from tests.factories import (
    DistrictFactory,
    PositionBatchFactory,
    PositionFactory,
    UserFactory,
    make_id_number,
)

pytestmark = pytest.mark.django_db

INBOX = "/inbox/"


@pytest.fixture(autouse=True)
def _broker_reachable() -> Iterator[None]:
    # A test that makes the broker fail must not silence the kick for the tests after it.
    broker.listen_again()
    yield
    broker.listen_again()


def _third_party(**kwargs: object) -> User:
    return UserFactory(third_party_user=True, email="agency@example.cn", **kwargs)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _notify(user: User, kind: str = K.CLAIM_DECISION, **kwargs: str) -> Notification:
    fields = {"title": "补助申报已通过复核", "body": "激励金额30000元。", "url": "/workspace/"} | kwargs
    return notify(recipient=user, kind=kind, **fields)


# ---- notify: inbox always, e-mail when wanted ------------------------------------------------------------------


def test_a_third_party_gets_claim_results_by_email_by_default(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    user = _third_party()
    with django_capture_on_commit_callbacks(execute=False):
        notification = _notify(user)
    assert notification.recipient == user and notification.read_at is None
    message = OutboxMessage.objects.get()
    assert message.to_email == "agency@example.cn" and message.kind == K.CLAIM_DECISION
    assert message.subject == "【卓越工程师人才服务平台】补助申报已通过复核"
    assert "激励金额30000元。" in message.body
    assert f"{settings.PORTAL_BASE_URL}/workspace/" in message.body
    assert message.sent_at is None


@pytest.mark.parametrize(
    ("user_kwargs", "kind"),
    [
        ({"third_party_user": True, "email": "a@example.cn"}, K.ACCOUNT),  # off unless chosen
        ({"third_party_user": True, "email": ""}, K.CLAIM_DECISION),  # nowhere to send it
        ({"third_party_user": True, "email": "a@example.cn", "is_active": False}, K.CLAIM_DECISION),
        ({"employer_user": True, "email": "a@example.cn"}, K.CLAIM_DECISION),  # not a kind of the role
        ({"clerk": True, "email": ""}, K.DIGEST),  # staff get the digest unless they opt out, if they have an address
    ],
)
def test_no_email_unless_wanted_and_possible(user_kwargs: dict[str, object], kind: str) -> None:
    user = UserFactory(**user_kwargs)
    _notify(user, kind=kind)
    assert Notification.objects.filter(recipient=user, kind=kind).count() == 1
    assert not OutboxMessage.objects.exists()


def test_staff_get_the_digest_by_email_unless_they_opt_out() -> None:
    clerk = UserFactory(clerk=True, email="a@example.cn")
    assert notifications.wants_email(clerk, K.DIGEST)
    notifications.notification_preferences_save(user=clerk, by_email=[])
    assert not notifications.wants_email(clerk, K.DIGEST)


def test_a_choice_overrides_the_default() -> None:
    user = _third_party()
    notifications.notification_preferences_save(user=user, by_email=[K.ACCOUNT])
    assert notifications.wants_email(user, K.ACCOUNT)
    assert not notifications.wants_email(user, K.CLAIM_DECISION)
    _notify(user, kind=K.CLAIM_DECISION)
    _notify(user, kind=K.ACCOUNT, title="账号已核验")
    assert list(OutboxMessage.objects.values_list("kind", flat=True)) == [K.ACCOUNT]


def test_the_notice_rolls_back_with_the_business_change() -> None:
    user = _third_party()
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify(user)
        raise RuntimeError("the claim review failed after notifying")
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "workspace/"])
def test_a_notice_links_only_to_a_path_in_the_portal(url: str) -> None:
    with pytest.raises(ValueError, match="path in the portal"):
        _notify(_third_party(), url=url)
    assert not Notification.objects.exists()


def test_notify_many_writes_in_a_constant_number_of_queries() -> None:
    def queries(n: int) -> int:
        users = [_third_party() for _ in range(n)]
        with CaptureQueriesContext(connection) as captured:
            notify_many(recipients=users, kind=K.CLAIM_PAYMENT, title="补助已发放", body="请查收。", url="/workspace/")
        return len(captured)

    assert queries(2) == queries(12)
    assert Notification.objects.count() == 14 and OutboxMessage.objects.count() == 14


# ---- the outbox: sent by the task, once --------------------------------------------------------------------------


def test_the_outbox_is_sent_once_however_often_the_task_runs(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        _notify(_third_party())
    assert mail.outbox == []
    assert send_outbox() == 1
    assert send_outbox() == 0
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["agency@example.cn"]
    assert sent.from_email == settings.DEFAULT_FROM_EMAIL
    assert sent.subject == "【卓越工程师人才服务平台】补助申报已通过复核"
    message = OutboxMessage.objects.get()
    assert message.sent_at is not None and message.attempts == 1


def test_the_commit_kicks_the_task(django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify_many(recipients=[_third_party(), _third_party()], kind=K.CLAIM_DECISION, title="已通过", body="")
    assert len(mail.outbox) == 2
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_a_broker_failure_after_commit_neither_raises_nor_loses_the_email(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = _third_party()
    failing = mock.patch.object(send_outbox, "apply_async", side_effect=OperationalError("Connection refused"))
    with failing as kick, caplog.at_level(logging.WARNING, logger="portal.notifications.services"):
        with django_capture_on_commit_callbacks(execute=True):
            _notify(user)
        # Within the quiet period the next commit does not even try the broker.
        with django_capture_on_commit_callbacks(execute=True):
            _notify(user, title="第二条")
    assert kick.call_count == 1
    assert "无法连接消息队列" in caplog.text
    assert mail.outbox == []
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 2
    # The beat schedule's next drain sends them.
    send_outbox()
    assert len(mail.outbox) == 2


@pytest.fixture
def unreachable_broker(request: pytest.FixtureRequest) -> Iterator[str]:
    """A Redis URL that refuses connections, or one that accepts them and never answers (a hung server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    if request.param == "stopped":
        listener.close()
    else:
        listener.listen(16)
    app.conf.update(task_always_eager=False, broker_write_url=f"redis://127.0.0.1:{port}/0")
    try:
        yield request.param
    finally:
        app.conf.update(task_always_eager=True, broker_write_url=None)
        listener.close()


@pytest.mark.parametrize("unreachable_broker", ["stopped", "hung"], indirect=True)
def test_the_kick_gives_up_quickly_on_a_stopped_or_hung_redis(
    unreachable_broker: str, caplog: pytest.LogCaptureFixture
) -> None:
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="portal.notifications.services"):
        notifications.kick_outbox()
    assert time.monotonic() - started < 4
    assert "无法连接消息队列" in caplog.text


def test_a_failing_mail_server_is_retried_later_with_the_error_kept(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        _notify(_third_party())
    with mock.patch("portal.notifications.services.send_mail", side_effect=ConnectionRefusedError("smtp down")):
        assert send_outbox() == 0
    message = OutboxMessage.objects.get()
    assert message.attempts == 1 and "smtp down" in message.last_error
    assert message.next_attempt_at > timezone.now()
    assert send_outbox() == 0  # not due yet
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert send_outbox() == 1
    assert len(mail.outbox) == 1


# ---- the personal-data guard -------------------------------------------------------------------------------------


def test_an_id_number_in_a_notice_is_masked_in_the_inbox_and_the_email(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    caplog: pytest.LogCaptureFixture,
) -> None:
    number = make_id_number(7)
    with (
        caplog.at_level(logging.WARNING, logger="portal.notifications.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification = _notify(_third_party(), title=f"人才{number}已确认", body=f"身份证号码：{number}")
    masked = number[:6] + "********" + number[-4:]
    assert notification.body == f"身份证号码：{masked}"
    assert number not in notification.title
    assert number not in mail.outbox[0].body and masked in mail.outbox[0].body
    assert number not in mail.outbox[0].subject
    assert number not in caplog.text and "已遮盖" in caplog.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("银行账号6217000000001234", "银行账号****1234"),
        ("银行账号 6217 0000 0000 1234 567", "银行账号 ****4567"),
        ("手机13800001234", "手机138****1234"),
        ("电话 138-0000-1234。", "电话 138****1234。"),
        ("电话023-88152028", "电话023****2028"),
        (
            "激励金额30000.00元，2026-11-23发放，2026-11-3旬报送。",
            "激励金额30000.00元，2026-11-23发放，2026-11-3旬报送。",
        ),
        ("统一社会信用代码91500000MA5U7AXX9B", "统一社会信用代码91500000MA5U7AXX9B"),
    ],
)
def test_the_guard_masks_accounts_and_phones_and_leaves_the_rest(text: str, expected: str) -> None:
    assert redact_personal_data(text) == expected


def test_the_guard_masks_a_full_width_id_number() -> None:
    number = make_id_number(3)
    full_width = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert redact_personal_data(f"号码{full_width}。") == f"号码{number[:6]}********{number[-4:]}。"


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=999),
    before=st.text(alphabet="申报人身份证号码：，。 abc", max_size=8),
    after=st.text(alphabet="已确认，。 xyz", max_size=8),
)
def test_no_whole_id_number_survives_the_guard(n: int, before: str, after: str) -> None:
    number = make_id_number(n, birthday=f"19{n % 90 + 10:02d}0101")
    assert number not in redact_personal_data(before + number + after)


# ---- the daily digest --------------------------------------------------------------------------------------------


def _staff_with_work(**kwargs: object) -> User:
    """A district clerk who chose the digest and has one unsent draft post waiting."""
    district = DistrictFactory()
    clerk = UserFactory(clerk=True, district=district, email="clerk@example.cn", **kwargs)
    notifications.notification_preferences_save(user=clerk, by_email=[K.DIGEST])
    PositionFactory(batch=PositionBatchFactory(district=district), created_by=clerk)
    return clerk


def test_the_digest_goes_once_a_day_to_staff_who_chose_it_and_have_work(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    clerk = _staff_with_work()
    idle = UserFactory(clerk=True, email="idle@example.cn")  # chose it, nothing waiting
    notifications.notification_preferences_save(user=idle, by_email=[K.DIGEST])
    unwilling = _staff_with_work()
    notifications.notification_preferences_save(user=unwilling, by_email=[])
    today = timezone.localdate()

    with django_capture_on_commit_callbacks(execute=True):
        assert staff_digests_send(day=today) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_digests_send(day=today) == 0

    assert [m.to for m in mail.outbox] == [["clerk@example.cn"]]
    body = mail.outbox[0].body
    assert "未提交的草稿：1 件" in body
    assert "被退回的岗位" not in body  # empty queues are not listed
    digest = Notification.objects.get(kind=K.DIGEST)
    assert digest.recipient == clerk and digest.url == reverse("portal:workspace")
    assert "1类事项共1件" in digest.title
    assert list(DigestLog.objects.values_list("user_id", "day")) == [(clerk.pk, today)]
    assert not Notification.objects.filter(recipient__in=[idle, unwilling]).exists()

    # The next day is a new digest.
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_digests_send(day=today + timedelta(days=1)) == 1
    assert len(mail.outbox) == 2


def test_the_digest_task_is_idempotent(django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    _staff_with_work()
    _staff_with_work(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_staff_digests() == 1
        assert send_staff_digests() == 0
    assert len(mail.outbox) == 1


def test_one_users_broken_queue_does_not_stop_the_others_digest(
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    broken, fine = _staff_with_work(), _staff_with_work()
    real = notifications.work_queues_for

    def queues(user: User) -> list[WorkQueue]:
        if user == broken:
            raise RuntimeError("a provider failed")
        return real(user)

    monkeypatch.setattr(notifications, "work_queues_for", queues)
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_digests_send(day=timezone.localdate()) == 1
    assert [m.to for m in mail.outbox] == [[fine.email]]
    assert not DigestLog.objects.filter(user=broken).exists()  # tried again on the next run


def test_the_beat_schedule_drains_the_outbox_and_sends_digests_in_the_morning() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE
    entries: dict[object, Any] = {entry["task"]: entry["schedule"] for entry in schedule.values()}
    assert entries["portal.tasks.send_outbox"].minute == set(range(60))
    digest = entries["portal.tasks.send_staff_digests"]
    assert digest.hour == {8, 9, 10, 11} and digest.minute == {0}
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    assert send_outbox.acks_late and send_staff_digests.acks_late


# ---- the inbox pages ---------------------------------------------------------------------------------------------


def test_the_inbox_needs_a_sign_in() -> None:
    response = Client().get(INBOX)
    assert isinstance(response, HttpResponseRedirectBase), response.status_code
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_inbox_lists_only_my_notices_newest_first_unread_in_bold() -> None:
    me, other = _third_party(), _third_party()
    older = _notify(me, title="较早的消息")
    Notification.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - timedelta(hours=1), read_at=timezone.now()
    )
    _notify(me, title="最新的消息")
    _notify(other, title="别人的消息")
    page = _client(me).get(INBOX).content.decode()
    assert page.index("最新的消息") < page.index("较早的消息")
    assert "别人的消息" not in page
    assert page.count("fw-bold") == 1
    # The header: the inbox link with one unread.
    assert '<span class="badge rounded-pill text-bg-danger">1<span class="visually-hidden">条未读</span></span>' in page


def test_reading_a_notice_marks_it_and_follows_its_link() -> None:
    me = _third_party()
    notification = _notify(me, url="/workspace/")
    client = _client(me)
    assert client.get(reverse("portal:notification_read", args=[notification.pk])).status_code == 405
    response = client.post(reverse("portal:notification_read", args=[notification.pk]))
    assert isinstance(response, HttpResponseRedirectBase), response.status_code
    assert response.status_code == 302 and response.url == "/workspace/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "条未读" not in client.get(INBOX).content.decode()


def test_another_users_notice_is_a_404() -> None:
    theirs = _notify(_third_party())
    response = _client(_third_party()).post(reverse("portal:notification_read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("url", ["https://evil.example/phish", "//evil.example/phish", "/\\evil.example"])
def test_reading_never_redirects_off_the_portal(url: str) -> None:
    me = _third_party()
    # Written past notify's check, as a row from an old version or a bad import would be.
    notification = Notification.objects.create(recipient=me, kind=K.ACCOUNT, title="t", url=url)
    response = _client(me).post(reverse("portal:notification_read", args=[notification.pk]))
    assert isinstance(response, HttpResponseRedirectBase), response.status_code
    assert response.status_code == 302 and response.url == INBOX


def test_mark_all_read_touches_only_my_notices() -> None:
    me, other = _third_party(), _third_party()
    for _ in range(3):
        _notify(me)
    _notify(other)
    response = _client(me).post(reverse("portal:notifications_read_all"), follow=True)
    assert "已将 3 条消息标记为已读" in response.content.decode()
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1


def test_the_inbox_query_count_does_not_grow_with_notices() -> None:
    me = _third_party()
    client = _client(me)

    def queries(n: int) -> int:
        for _ in range(n):
            _notify(me)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(INBOX).status_code == 200
        return len(captured)

    assert queries(2) == queries(25)


def test_the_header_shows_the_inbox_to_signed_in_users_only() -> None:
    me = _third_party()
    for _ in range(120):
        Notification.objects.create(recipient=me, kind=K.ACCOUNT, title="t")
    page = _client(me).get(reverse("portal:workspace")).content.decode()
    assert 'href="/inbox/"' in page and "99+" in page
    assert 'href="/inbox/"' not in Client().get(reverse("portal:home")).content.decode()


# ---- the preferences page ----------------------------------------------------------------------------------------


def test_the_settings_page_offers_the_kinds_of_the_role_with_their_defaults() -> None:
    page = _client(_third_party()).get(reverse("portal:notification_settings")).content.decode()
    assert 'value="claim_decision" id="by-email-claim_decision" checked' in page
    assert 'value="claim_payment" id="by-email-claim_payment" checked' in page
    assert 'value="account" id="by-email-account">' in page
    assert "digest" not in page
    employer_page = _client(UserFactory(employer_user=True)).get(reverse("portal:notification_settings")).content
    assert "claim_decision" not in employer_page.decode() and "尚未登记电子邮箱" in employer_page.decode()
    clerk_page = _client(UserFactory(clerk=True)).get(reverse("portal:notification_settings")).content.decode()
    assert "每日待办汇总" in clerk_page and "claim_decision" not in clerk_page


def test_saving_the_settings_stores_every_kind_of_the_role_and_ignores_others() -> None:
    user = _third_party()
    response = _client(user).post(
        reverse("portal:notification_settings"), {"by_email": [K.ACCOUNT, K.DIGEST, "nonsense"]}, follow=True
    )
    assert "通知设置已保存" in response.content.decode()
    assert dict(NotificationPreference.objects.filter(user=user).values_list("kind", "by_email")) == {
        K.CLAIM_DECISION: False,
        K.CLAIM_PAYMENT: False,
        K.HIRE_CONFIRMATION: False,
        K.ACCOUNT: True,
    }
    assert notifications.email_choices(user=user) == {
        K.CLAIM_DECISION: False,
        K.CLAIM_PAYMENT: False,
        K.HIRE_CONFIRMATION: False,
        K.ACCOUNT: True,
    }
