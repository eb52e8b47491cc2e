"""The signed and stamped scans of a claim: checked by content (not by name), size-limited, stored under a random
name outside the web root and encrypted whole (``portal.security.files``: a scan shows whole ID numbers and a bank
account), read back only through a permission-checked view, and only as a download.

A scan is a picture of paper. A PDF that carries more than pictures and text (scripts, actions that start
programs, files inside it, XFA forms) did not come from a scanner; it is refused, whatever it looks like. The PDF
is parsed (pypdf), not searched as bytes: names can be escaped (``/J#53`` is ``/JS``) and objects packed in
compressed object streams, where no byte search sees them."""

from __future__ import annotations

import hashlib
import io
import secrets
from functools import partial
from typing import IO, TYPE_CHECKING

import puremagic
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from portal.audit.recording import set_actor
from portal.errors import PermissionDenied, PortalError
from portal.models import User
from portal.security.files import read_decrypted, write_encrypted
from subsidies.constants import EDITABLE_STATUSES, AttachmentKind
from subsidies.models import Claim, ClaimAttachment

if TYPE_CHECKING:
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject, PdfObject

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS_PER_CLAIM = 20
#: What the content must be, and the extension the stored file gets.
ALLOWED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
#: A scan is a few thousand pixels a side; more is a decompression bomb, not a document.
MAX_IMAGE_PIXELS = 80_000_000
#: Objects a scanned PDF holds: a few per page. Many more is not a scan, and would take long to look through.
MAX_PDF_OBJECTS = 50_000
PDF_ACTIVE_CONTENT = "该PDF含有脚本、启动操作、嵌入文件或XFA表单，请重新扫描纸质材料后上传。"
PDF_DAMAGED = "PDF文件不完整或已损坏，请重新扫描后上传。"


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
            raise PortalError(PDF_DAMAGED, "file_damaged", field="file")
        if pdf_active_content(data):
            raise PortalError(PDF_ACTIVE_CONTENT, "pdf_active_content", field="file")
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


def _pdf_objects(reader: PdfReader) -> list[DictionaryObject]:
    """Every dictionary (streams' included) of the PDF: those reachable from its trailer, and every object its
    cross-reference tables list, reachable or not (a viewer repairing a damaged file may find what pypdf's
    reading of the trailer does not)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    pending: list[PdfObject] = [reader.trailer]
    pending += [
        IndirectObject(number, generation, reader) for generation, table in reader.xref.items() for number in table
    ]
    pending += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    seen: set[tuple[int, int]] = set()
    found: list[DictionaryObject] = []
    visited = 0
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()  # type: ignore[assignment]
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise PortalError(
                "PDF文件结构过于复杂，不像扫描件，请重新扫描纸质材料后上传。", "pdf_too_complex", field="file"
            )
        if isinstance(item, DictionaryObject):  # a stream is one too: its dictionary, never its data, is read
            found.append(item)
            pending.extend(dict.values(item))  # as stored: references stay references, each followed once
        elif isinstance(item, ArrayObject):
            pending.extend(list.__iter__(item))
    return found


def pdf_active_content(data: bytes) -> str | None:
    """What, in a PDF, is more than a document: JavaScript (``/JS``, a ``/JavaScript`` name tree, an
    ``/OpenAction`` or ``/AA`` action of type JavaScript), a ``/Launch`` action, embedded files (the
    ``/EmbeddedFiles`` tree, file specifications holding ``/EF``, file attachment annotations) or an XFA form
    (``/AcroForm`` ``/XFA``); None for a plain document. A PDF that cannot be read is refused as damaged."""
    # Imported here: only an upload of a PDF needs the parser, not every process that loads the app.
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise PortalError("PDF文件设置了打开密码，请去掉密码或重新扫描后上传。", "pdf_encrypted", field="file")
        for item in _pdf_objects(reader):
            keys = set(item.keys())
            action = item.get("/S")
            if keys & {"/JS", "/JavaScript"} or action == "/JavaScript":
                return "JavaScript"
            if action == "/Launch":
                return "Launch"
            if keys & {"/EmbeddedFiles", "/EF"} or item.get("/Type") == "/EmbeddedFile":
                return "embedded file"
            if item.get("/Subtype") == "/FileAttachment":
                return "file attachment annotation"
            if "/XFA" in keys:
                return "XFA"
    except PortalError:
        raise
    except Exception:  # hostile input: whatever pypdf raises on it, the answer is the same
        # A scanner writes PDFs any reader opens; one pypdf cannot read is not a scan we can vouch for.
        raise PortalError(PDF_DAMAGED, "file_damaged", field="file") from None
    return None


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
    # The lock and the two columns the rules read: not the whole row, whose bank account would be decrypted.
    claim = Claim.objects.select_for_update().only("third_party_id", "status").get(pk=claim.pk)
    if by.third_party_id is None or claim.third_party_id != by.third_party_id:
        raise PermissionDenied("只能为本机构（个人）的申报上传材料。")
    if claim.status not in EDITABLE_STATUSES:
        raise PortalError(f"申报当前状态为“{claim.get_status_display()}”，不能再上传材料。", "not_editable")
    if kind not in AttachmentKind.values:
        raise PortalError("请选择材料类别。", "kind_required", field="kind")
    attached = list(claim.attachments.all())  # read once: how many, and the scan a new one replaces
    if len(attached) >= MAX_ATTACHMENTS_PER_CLAIM:
        raise PortalError(f"每份申报最多上传{MAX_ATTACHMENTS_PER_CLAIM}个文件。", "too_many_files", field="file")
    data = _read(upload)
    mime = sniff(data)  # on the plaintext: what is stored is encrypted
    stored = f"{secrets.token_hex(16)}.{ALLOWED_TYPES[mime]}"
    with set_actor(by):
        if kind != AttachmentKind.OTHER:
            for old in (item for item in attached if item.kind == kind):
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
        write_encrypted(attachment.file, stored, data)
        attachment.save()
    return attachment


def scan(attachment: ClaimAttachment) -> bytes:
    """The scan as it was uploaded, decrypted (``FieldDecryptionError`` when no configured key decrypts it)."""
    return read_decrypted(attachment.file, what=f"申报材料{attachment.pk}")


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
