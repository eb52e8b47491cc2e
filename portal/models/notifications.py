"""Notices to users: the in-portal inbox, the e-mail outbox, per-user e-mail choices and the daily digest log.

Written only through ``portal.notifications.services``; an e-mail is an ``OutboxMessage`` row written in the same
transaction as the business change and sent later by Celery (``portal.tasks.send_outbox``), so saving never
waits on the broker or the mail server.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.constants import NotificationKind


class Notification(models.Model):
    """One entry in a user's inbox. ``url`` is a path inside the portal (checked when written and when followed)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类别"), max_length=32, choices=NotificationKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            # The header badge counts these on every page: keep the count an index look-up.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class OutboxMessage(models.Model):
    """An e-mail waiting to be sent (the transactional outbox). ``sent_at`` set means sent: never sent again."""

    to_email = models.EmailField(_("收件地址"))
    kind = models.CharField(_("类别"), max_length=32, choices=NotificationKind.choices)
    subject = models.CharField(_("主题"), max_length=255)
    body = models.TextField(_("正文"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("下次发送时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("待发邮件")
        verbose_name_plural = _("待发邮件")
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(sent_at__isnull=True), name="outbox_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.to_email}: {self.subject}"


class NotificationPreference(models.Model):
    """A user's choice for one kind. No row means the default of ``portal.notifications.services.EMAIL_BY_DEFAULT``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("类别"), max_length=32, choices=NotificationKind.choices)
    by_email = models.BooleanField(_("邮件通知"))

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.by_email}"


class DigestLog(models.Model):
    """The daily digest went to ``user`` on ``day`` (Asia/Shanghai): the unique pair makes a second run a no-op."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    day = models.DateField(_("日期"))
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("每日待办汇总记录")
        verbose_name_plural = _("每日待办汇总记录")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_log_once_a_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
