"""The replies the API keeps for a client's ``Idempotency-Key`` (see ``portal.security.idempotency``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """One key a client sent with a write, and the reply to the first successful request that carried it.

    A row exists only for a request that succeeded (2xx): it is written in the same transaction as the request's
    own writes, so a failed or interrupted request leaves no row and may be retried with the same key. Rows older
    than ``portal.security.idempotency.KEY_LIFETIME`` no longer count and are purged."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("幂等键"), max_length=64)
    method = models.CharField(_("请求方法"), max_length=8)
    path = models.CharField(_("请求路径"), max_length=255)
    #: SHA-256 of the method, the path and the body (files by their content): "the same request".
    fingerprint = models.CharField(_("请求摘要"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("响应状态码"))
    #: The reply as JSON text (not a JSONField: PostgreSQL's jsonb would reorder the keys of the replayed reply).
    body = models.TextField(_("响应内容"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("接口幂等键")
        verbose_name_plural = _("接口幂等键")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.key} · {self.method} {self.path}"
