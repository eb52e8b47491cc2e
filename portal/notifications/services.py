"""Notices to users: the in-portal inbox, e-mail through a transactional outbox, per-user e-mail choices, the digest.

Other apps call ``notify`` (or ``notify_many``) inside the transaction of their business change::

    notify(recipient=user, kind=NotificationKind.CLAIM_DECISION, title="...", body="...", url=claim_url)

The inbox entry and, when the user wants it, the e-mail (an ``OutboxMessage`` row) commit or roll back with that
change. Nothing here talks to the broker or the mail server while the caller's transaction is open: after commit
one ``send_outbox`` task is requested, and if the broker is down or hung that request is given up within about a
second and logged; Celery beat drains the outbox every minute anyway (``portal.tasks.send_outbox``).

Personal data never leaves in a notice: titles and bodies pass ``redact_personal_data`` (whole ID numbers,
bank accounts and phone numbers are masked with the masks of ``portal.identity``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from portal import broker
from portal.constants import NotificationKind as K
from portal.constants import Role
from portal.dates import prose_date
from portal.errors import PermissionDenied
from portal.identity import redact_personal_data
from portal.models import DigestLog, Notification, NotificationPreference, OutboxMessage, User
from portal.workspace import WorkQueue, work_queues_for

logger = logging.getLogger(__name__)

#: The kinds each role can receive, in the order of the preferences page.
KINDS_BY_ROLE: dict[str, tuple[K, ...]] = {
    Role.THIRD_PARTY: (K.CLAIM_DECISION, K.CLAIM_PAYMENT, K.HIRE_CONFIRMATION, K.ACCOUNT),
    Role.EMPLOYER: (K.HIRE_CONFIRMATION, K.POST_PROPOSAL, K.ACCOUNT),
    Role.DISTRICT_CLERK: (K.DIGEST, K.POST_PROPOSAL, K.ACCOUNT),
    Role.DISTRICT_REVIEWER: (K.DIGEST, K.ACCOUNT),
    Role.TALENT_CENTRE: (K.DIGEST, K.ACCOUNT),
    Role.BUREAU_REVIEWER: (K.DIGEST, K.ACCOUNT),
    Role.ADMIN: (K.ACCOUNT,),
}
#: E-mail is on without a choice only for a third party's claim results; everything else the user switches on.
#: Whose work queues go out in the daily digest.
DIGEST_ROLES: frozenset[str] = frozenset(
    {Role.DISTRICT_CLERK, Role.DISTRICT_REVIEWER, Role.TALENT_CENTRE, Role.BUREAU_REVIEWER}
)
#: Third parties hear of each decision by e-mail; staff get their queues once a day instead of one e-mail per event
#: (docs/workflows.md, "Notifications"). Each user can turn any of these off on the preferences page.
EMAIL_BY_DEFAULT: frozenset[tuple[str, str]] = frozenset(
    {(Role.THIRD_PARTY, K.CLAIM_DECISION), (Role.THIRD_PARTY, K.CLAIM_PAYMENT), (Role.THIRD_PARTY, K.HIRE_CONFIRMATION)}
    | {(role, K.DIGEST) for role in DIGEST_ROLES}
)
SUBJECT_PREFIX = "【卓越工程师人才服务平台】"

# ---------------------------------------------------------------------------------------------------------------
# The personal-data guard
# ---------------------------------------------------------------------------------------------------------------


def _guarded(text: str, *, kind: str, part: str) -> str:
    redacted = redact_personal_data(text)
    if redacted != text:
        # The caller passed personal data: say so (without the data) so it gets fixed at the source.
        logger.warning("通知（%s）的%s含有完整的证件号、银行账号或电话号码，已遮盖。", kind, part)
    return redacted


def _checked_url(url: str) -> str:
    # Only a path inside the portal: the inbox redirects to it, and "//host" or "https://host" would be an open
    # redirect.
    if url and not (url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)):
        raise ValueError(f"A notification links to a path in the portal, not {url!r}.")
    return url


# ---------------------------------------------------------------------------------------------------------------
# E-mail choices
# ---------------------------------------------------------------------------------------------------------------


def kinds_for(user: User) -> tuple[K, ...]:
    return KINDS_BY_ROLE.get(user.role, (K.ACCOUNT,))


def _default_by_email(role: str, kind: str) -> bool:
    return (role, kind) in EMAIL_BY_DEFAULT


def email_choices(*, user: User) -> dict[str, bool]:
    """The user's e-mail choice for each of the kinds of its role (one query)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "by_email"))
    return {kind.value: chosen.get(kind.value, _default_by_email(user.role, kind)) for kind in kinds_for(user)}


def wants_email(user: User, kind: str) -> bool:
    """Whether ``user`` wants notices of ``kind`` by e-mail: the stored choice, else the default of the role."""
    if kind not in kinds_for(user):
        return False
    return email_choices(user=user)[kind]


def _wanting_email(users: list[User], kind: str) -> set[int]:
    """The ids of ``users`` who want ``kind`` by e-mail, in one query whatever their number."""
    chosen = dict(
        NotificationPreference.objects.filter(user__in=[u.pk for u in users], kind=kind).values_list(
            "user_id", "by_email"
        )
    )
    return {u.pk for u in users if kind in kinds_for(u) and chosen.get(u.pk, _default_by_email(u.role, kind)) is True}


@transaction.atomic
def notification_preferences_save(*, user: User, by_email: Iterable[str]) -> dict[str, bool]:
    """Store the user's choice for every kind of its role: the kinds in ``by_email`` on, the others off.

    Kinds outside the role are ignored, so a forged form cannot switch on what the page does not offer."""
    wanted = set(by_email)
    rows = [NotificationPreference(user=user, kind=kind, by_email=kind in wanted) for kind in kinds_for(user)]
    NotificationPreference.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["user", "kind"], update_fields=["by_email"]
    )
    return {row.kind: row.by_email for row in rows}


# ---------------------------------------------------------------------------------------------------------------
# Writing notices
# ---------------------------------------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    return f"{base}{path}" if path else ""


def _email_text(*, recipient: User, title: str, body: str, url: str) -> str:
    # Title and body are already guarded; the whole text is too, greeting included, as the last line of defence.
    return redact_personal_data(
        render_to_string(
            "email/notification.txt",
            {
                "recipient": recipient,
                "title": title,
                "body": body,
                "link": _absolute(url),
                "settings_link": _absolute(reverse("portal:notification_settings")),
            },
        )
    )


def _can_email(user: User) -> bool:
    return bool(user.email) and user.is_active


@transaction.atomic
def notify(*, recipient: User, kind: str, title: str, body: str, url: str = "") -> Notification:
    """Put a notice in ``recipient``'s inbox and, if they want this kind by e-mail and have an address, in the outbox.

    Call it inside the transaction of the business change (it joins it): the notice exists if and only if the
    change committed. ``url`` is a path in the portal. Whole ID numbers, bank accounts and phones are masked.
    """
    return notify_many(recipients=[recipient], kind=kind, title=title, body=body, url=url)[0]


@transaction.atomic
def notify_many(*, recipients: Iterable[User], kind: str, title: str, body: str, url: str = "") -> list[Notification]:
    """``notify`` for several recipients: three queries (choices, inbox, outbox) whatever their number."""
    users = list({user.pk: user for user in recipients}.values())
    if kind not in K.values:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    title = _guarded(title, kind=kind, part="标题")[:200]
    body = _guarded(body, kind=kind, part="正文")
    url = _checked_url(url)
    if not users:
        return []
    now = timezone.now()
    notifications = Notification.objects.bulk_create(
        [Notification(recipient=user, kind=kind, title=title, body=body, url=url, created_at=now) for user in users]
    )
    emailed = _wanting_email([u for u in users if _can_email(u)], kind)
    if emailed:
        OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(
                    to_email=user.email,
                    kind=kind,
                    subject=(SUBJECT_PREFIX + title)[:255],
                    body=_email_text(recipient=user, title=title, body=body, url=url),
                    created_at=now,
                    next_attempt_at=now,
                )
                for user in users
                if user.pk in emailed
            ]
        )
        transaction.on_commit(kick_outbox, robust=True)
    return notifications


# ---------------------------------------------------------------------------------------------------------------
# Sending the outbox
# ---------------------------------------------------------------------------------------------------------------

#: After this many failed tries a message stays unsent (with its last error) for an admin to look at.
MAX_ATTEMPTS = 12


def kick_outbox() -> None:
    """Ask a worker to drain the outbox now (after commit). When the broker does not answer, the unsent rows stay
    committed and the beat schedule's ``send_outbox`` picks them up within a minute."""
    from portal.tasks import send_outbox

    broker.kick(send_outbox, what="邮件")


def _retry_delay(attempts: int) -> timedelta:
    # 1, 2, 4 … minutes, at most 6 hours apart: twelve tries span about a day of mail-server trouble.
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


def outbox_send_due(*, limit: int = 200) -> int:
    """Send the outbox messages that are due, each at most once; return how many were sent.

    Each message is sent in its own transaction while its row is locked (``SELECT … FOR UPDATE SKIP LOCKED`` on
    PostgreSQL), so concurrent drains (the beat run and an on-commit kick) never take the same message, and
    ``sent_at`` is set before the lock is released. Hazard: if the commit fails after the mail server accepted
    the message, it goes out again on the next drain — at least once, never silently dropped.
    SQLite has no row locks: there a single worker (the local setup) keeps the guarantee.
    """
    sent = 0
    tried: list[int] = []
    for _ in range(limit):
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, next_attempt_at__lte=timezone.now())
                .exclude(pk__in=tried)
                .order_by("next_attempt_at", "pk")
                .first()
            )
            if message is None:
                break
            tried.append(message.pk)
            message.attempts += 1
            try:
                send_mail(
                    message.subject,
                    message.body,
                    settings.DEFAULT_FROM_EMAIL,
                    [message.to_email],
                    fail_silently=False,
                )
            except Exception as exc:  # SMTP and socket errors alike: record, back off, try again later.
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                message.next_attempt_at = timezone.now() + _retry_delay(message.attempts)
                message.save(update_fields=["attempts", "last_error", "next_attempt_at"])
                log = logger.error if message.attempts >= MAX_ATTEMPTS else logger.warning
                log("邮件 %s 第%s次发送失败：%s", message.pk, message.attempts, message.last_error)
                continue
            message.sent_at = timezone.now()
            message.last_error = ""
            message.save(update_fields=["attempts", "sent_at", "last_error"])
            sent += 1
    return sent


# ---------------------------------------------------------------------------------------------------------------
# The daily digest for staff
# ---------------------------------------------------------------------------------------------------------------


def _digest_body(queues: list[WorkQueue]) -> str:
    return render_to_string(
        "email/digest_body.txt",
        {"queues": [{"queue": queue, "link": _absolute(queue.url or "")} for queue in queues]},
    )


def staff_digests_send(*, day: date) -> int:
    """Send each staff user who wants the digest one notice listing their non-empty work queues; return how many.

    At most one per user per ``day``: ``DigestLog`` is written in the same transaction as the notice and is unique
    per (user, day), so a second run the same day, even a concurrent one, sends nothing again. Users with nothing
    waiting get nothing (and may still get one later that day if work arrives before a later run).
    """
    staff = list(User.objects.filter(is_active=True, role__in=sorted(DIGEST_ROLES)).exclude(email="").order_by("pk"))
    wanting = _wanting_email(staff, K.DIGEST)
    done = set(DigestLog.objects.filter(day=day, user__in=wanting).values_list("user_id", flat=True))
    sent = 0
    for user in staff:
        if user.pk not in wanting or user.pk in done:
            continue
        try:
            queues = [queue for queue in work_queues_for(user) if queue.count > 0]
        except Exception:
            # One app's broken queue must not cost every other user their digest; the error is logged in full.
            logger.exception("用户 %s 的待办事项统计失败，今日汇总未发送。", user.pk)
            continue
        if not queues:
            continue
        with transaction.atomic():
            _, created = DigestLog.objects.get_or_create(user=user, day=day)
            if not created:
                continue
            total = sum(queue.count for queue in queues)
            notify(
                recipient=user,
                kind=K.DIGEST,
                title=f"{prose_date(day)}待办汇总：{len(queues)}类事项共{total}件待处理",
                body=_digest_body(queues),
                url=reverse("portal:workspace"),
            )
        sent += 1
    return sent


# ---------------------------------------------------------------------------------------------------------------
# Reading and marking the inbox
# ---------------------------------------------------------------------------------------------------------------


def notification_list(*, user: User) -> QuerySet[Notification]:
    """The user's own notices, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_mark_read(*, notification: Notification, by: User) -> Notification:
    """Mark one of ``by``'s own notices read (the first reading time stays)."""
    if notification.recipient_id != by.pk:
        raise PermissionDenied("只能标记自己的消息。")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, by: User) -> int:
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(read_at=timezone.now())
