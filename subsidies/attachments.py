"""The signed and stamped scans of a claim: checked by content (not by name), size-limited, stored under a random
name outside the web root, read back only through a permission-checked view."""

from __future__ import annotations

import hashlib
import io
import secrets
from functools import partial
from typing import IO

import puremagic
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from portal.auditing import set_actor
from portal.errors import PermissionDenied, PortalError
from portal.models import User
from subsidies.constants import EDITABLE_STATUSES, AttachmentKind
from subsidies.models import Claim, ClaimAttachment

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS_PER_CLAIM = 20
#: What the content must be, and the extension the stored file gets.
ALLOWED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
#: A scan is a few thousand pixels a side; more is a decompression bomb, not a document.
MAX_IMAGE_PIXELS = 80_000_000


def sniff(data: bytes) -> str:
    """The content type the bytes really are, or a refusal naming what is accepted."""
    refusal = PortalError(
        "只能上传PDF、JPG或PNG格式的扫描件（按文件内容判断，不看扩展名）。", "file_type", field="file"
    )
    try:
        mime = puremagic.from_string(data[:8192], mime=True)
    except (puremagic.PureError, ValueError):
        raise refusal from None
    if mime not in ALLOWED_TYPES:
        raise refusal
    if mime == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise PortalError("PDF文件不完整或已损坏，请重新扫描后上传。", "file_damaged", field="file")
        return mime
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise PortalError("图片尺寸过大，请降低扫描分辨率后上传。", "image_too_large", field="file")
            image.verify()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise PortalError(
            "图片文件已损坏或不是有效的JPG/PNG，请重新扫描后上传。", "file_damaged", field="file"
        ) from None
    return mime


def _read(upload: IO[bytes] | bytes) -> bytes:
    data = upload if isinstance(upload, bytes) else upload.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise PortalError(
            f"文件超过{MAX_ATTACHMENT_BYTES // (1024 * 1024)}MB，请压缩或降低扫描分辨率后上传。",
            "file_too_large",
            field="file",
        )
    if not data:
        raise PortalError("文件是空的。", "file_empty", field="file")
    return data


@transaction.atomic
def attachment_add(*, claim: Claim, kind: str, upload: IO[bytes] | bytes, filename: str, by: User) -> ClaimAttachment:
    """Attach a scan to the claimant's draft or returned claim. A new Annex 2 or 3 scan replaces the previous one."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if by.third_party_id is None or claim.third_party_id != by.third_party_id:
        raise PermissionDenied("只能为本机构（个人）的申报上传材料。")
    if claim.status not in EDITABLE_STATUSES:
        raise PortalError(f"申报当前状态为“{claim.get_status_display()}”，不能再上传材料。", "not_editable")
    if kind not in AttachmentKind.values:
        raise PortalError("请选择材料类别。", "kind_required", field="kind")
    if claim.attachments.count() >= MAX_ATTACHMENTS_PER_CLAIM:
        raise PortalError(f"每份申报最多上传{MAX_ATTACHMENTS_PER_CLAIM}个文件。", "too_many_files", field="file")
    data = _read(upload)
    mime = sniff(data)
    stored = f"{secrets.token_hex(16)}.{ALLOWED_TYPES[mime]}"
    with set_actor(by):
        if kind != AttachmentKind.OTHER:
            for old in claim.attachments.filter(kind=kind):
                # The file goes only once the replacement is committed: a rollback keeps the old scan whole.
                transaction.on_commit(partial(old.file.storage.delete, old.file.name))
                old.delete()
        attachment = ClaimAttachment(
            claim=claim,
            kind=kind,
            stored_name=stored,
            original_name=(filename or stored)[-200:],
            content_type=mime,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=by,
        )
        attachment.file.save(stored, ContentFile(data), save=False)
        attachment.save()
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: ClaimAttachment, by: User) -> None:
    claim = Claim.objects.select_for_update().get(pk=attachment.claim_id)
    if by.third_party_id is None or claim.third_party_id != by.third_party_id:
        raise PermissionDenied("只能删除本机构（个人）申报的材料。")
    if claim.status not in EDITABLE_STATUSES:
        raise PortalError(f"申报当前状态为“{claim.get_status_display()}”，不能删除材料。", "not_editable")
    with set_actor(by):
        transaction.on_commit(partial(attachment.file.storage.delete, attachment.file.name))
        attachment.delete()
