"""The signed-off documents as the portal issued them: each PDF stored once rendered, with its SHA-256 digest
(``portal.documents`` says when they are made, read and deleted)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _document_path(instance: StoredDocument, filename: str) -> str:
    # Under the private media root (never the web root), by record type and id; the name is random.
    return f"documents/{instance.content_type_id}/{instance.object_id}/{filename}"


class StoredDocument(models.Model):
    """One rendering of one document of one record (a claim's Annex 2 or 3, a publicity notice), made at one event
    of that record: the file holds the PDF encrypted (``portal.security.crypto.encrypt_bytes``), ``sha256`` is the
    digest of the PDF itself, the bytes a reader is handed."""

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("记录类型"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("记录编号"))
    subject = GenericForeignKey("content_type", "object_id")
    #: Which document of the record: ``annex2``, ``annex3``, ``notice``.
    kind = models.CharField(_("文件类别"), max_length=16)
    #: The event the rendering belongs to: a claim's action (``submit``, ``approve`` …), a notice's ``publish``.
    event = models.CharField(_("事件"), max_length=16)
    #: The record of that event (a ``ClaimEvent``), or 0 when the record has that event once (a notice's publication).
    event_id = models.PositiveBigIntegerField(_("事件记录编号"), default=0)
    file = models.FileField(_("文件"), upload_to=_document_path, max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256校验值"), max_length=64, db_index=True)
    made_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    #: Who took the event (not who happened to download first when the copy was made later).
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("事件办理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: Made at the event by the background task (False), or later, at a download that found none (True).
    on_demand = models.BooleanField(_("下载时补存"), default=False)

    class Meta:
        ordering = ["made_at", "pk"]
        verbose_name = _("存档文件")
        verbose_name_plural = _("存档文件")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind", "event", "event_id"], name="stored_document_once"
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="stored_document_subject")]

    def __str__(self) -> str:
        return f"{self.kind} · {self.event} · {self.sha256[:12]}"
