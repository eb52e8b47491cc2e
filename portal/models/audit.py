"""Who saw a person's data in full. Masked values are the default everywhere; revealing one is recorded."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PersonalDataAccess(models.Model):
    """One reveal of a masked field (e.g. a hire's 身份证号码) by one user, with why and from where."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("查看人"), on_delete=models.PROTECT, related_name="+"
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("记录类型"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("记录编号"))
    subject = GenericForeignKey("content_type", "object_id")
    field = models.CharField(_("字段"), max_length=64)
    purpose = models.CharField(_("用途"), max_length=200)
    remote_addr = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    accessed_at = models.DateTimeField(_("查看时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-accessed_at"]
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        indexes = [models.Index(fields=["content_type", "object_id"], name="pda_subject")]

    def __str__(self) -> str:
        return f"{self.user} · {self.field} · {timezone.localtime(self.accessed_at):%Y-%m-%d %H:%M}"
