"""The signed-off documents as issued: each PDF stored once rendered, with its SHA-256 digest (docs/subsidies.md,
"Stored documents").

One generic store for every app: a ``StoredDocument`` names its record by content type and id, which document of the
record it is (``kind``) and the event it was made at (``event``, ``event_id``). The apps decide when a document is
made and which of its copies a download serves (``subsidies.documents``, ``referrals.documents``); this module
writes, reads, lists, checks and deletes the copies:

- the file lives under the private media root (``MEDIA_ROOT``, outside the web root; no URL serves it), encrypted
  whole with the keys that encrypt ID numbers and bank accounts (``portal.security.crypto.encrypt_bytes``): a claim's
  papers print both whole, and a copy of the disk or of a backup must not give them away;
- ``sha256`` is the digest of the PDF as handed out (the plaintext), what a reader's file is compared with;
- a copy is written once and never changed; reading one decrypts it and checks its digest, so a damaged or
  undecryptable file is never served: it is dropped and the document rendered again;
- ``forget`` deletes the copies of records being anonymised (the rows at once, the files after the commit).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from portal.models import StoredDocument
from portal.security.crypto import FieldDecryptionError, FieldKeyError, decrypt_bytes, encrypt_bytes, reencrypt_bytes

logger = logging.getLogger(__name__)

#: What a pasted digest must be: the 64 hexadecimal digits of a SHA-256.
DIGEST_LENGTH = 64


def digest(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()


def _of(obj: Model) -> QuerySet[StoredDocument]:
    content_type = ContentType.objects.get_for_model(type(obj))
    return StoredDocument.objects.filter(content_type=content_type, object_id=obj.pk)


def documents_of(obj: Model) -> list[StoredDocument]:
    """Every stored copy of ``obj``'s documents, oldest first."""
    return list(_of(obj).order_by("made_at", "pk"))


def stored(obj: Model, *, kind: str, event: str, event_id: int = 0) -> StoredDocument | None:
    return _of(obj).filter(kind=kind, event=event, event_id=event_id).first()


def store(
    obj: Model,
    *,
    kind: str,
    event: str,
    event_id: int = 0,
    pdf: bytes,
    by_id: int | None,
    on_demand: bool = False,
) -> StoredDocument:
    """Keep ``pdf`` as ``obj``'s ``kind`` at ``event``. A copy already stored for that event stays as it is and is
    returned (two renderings racing: the first one committed wins, the other's file is removed).

    Call it outside the transaction of the event (after its commit): the file is written before the row."""
    content_type = ContentType.objects.get_for_model(type(obj))
    document = StoredDocument(
        content_type=content_type,
        object_id=obj.pk,
        kind=kind,
        event=event,
        event_id=event_id,
        size=len(pdf),
        sha256=digest(pdf),
        made_at=timezone.now(),
        made_by_id=by_id,
        on_demand=on_demand,
    )
    document.file.save(f"{secrets.token_hex(16)}.pdf.enc", ContentFile(encrypt_bytes(pdf)), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        document.file.storage.delete(document.file.name)
        existing = stored(obj, kind=kind, event=event, event_id=event_id)
        if existing is None:  # pragma: no cover - the constraint names exactly these columns
            raise
        return existing
    return document


def read(document: StoredDocument) -> bytes | None:
    """The stored PDF, or ``None`` when its file is missing, does not decrypt, or does not match its digest (logged:
    the caller renders the document again)."""
    try:
        with document.file.open("rb") as file:
            token = file.read()
        pdf = decrypt_bytes(token, what=f"存档文件{document.pk}")
    except (OSError, ValueError, FieldDecryptionError, FieldKeyError) as error:
        logger.error("存档文件%s无法读取，将重新生成：%s", document.pk, error)
        return None
    if digest(pdf) != document.sha256:
        logger.error("存档文件%s与其SHA-256校验值不符，将重新生成。", document.pk)
        return None
    return pdf


def discard(document: StoredDocument) -> None:
    """Remove one copy (its row now, its file after the commit)."""
    name = document.file.name
    document.delete()
    if name:
        transaction.on_commit(partial(document.file.storage.delete, name))


def load(
    obj: Model,
    *,
    kind: str,
    event: str,
    event_id: int = 0,
    render: Callable[[], bytes],
    by_id: int | None,
    still_current: Callable[[], bool] = lambda: True,
) -> tuple[bytes, StoredDocument | None]:
    """The stored copy of ``obj``'s ``kind`` at ``event``, read from its file; when there is none (a record older
    than the store, a render that failed, a file that cannot be read) ``render()`` makes it now and it is stored,
    marked as made on demand. ``still_current()`` is asked after rendering: when the record moved on meanwhile
    (another event committed), what was rendered may show the newer state, so it is served but not stored."""
    document = stored(obj, kind=kind, event=event, event_id=event_id)
    if document is not None:
        pdf = read(document)
        if pdf is not None:
            return pdf, document
        discard(document)
    pdf = render()
    if not still_current():
        return pdf, None
    document = store(obj, kind=kind, event=event, event_id=event_id, pdf=pdf, by_id=by_id, on_demand=True)
    if document.sha256 != digest(pdf):
        # Another rendering was stored first: serve that one, so that what is handed out is what is stored.
        kept = read(document)
        if kept is not None:
            return kept, document
    return pdf, document


def matching(obj: Model, sha256: str) -> StoredDocument | None:
    """The stored copy of ``obj``'s documents whose digest is ``sha256`` (the latest, if several), or ``None``."""
    return _of(obj).filter(sha256=sha256.lower()).order_by("-made_at", "-pk").first()


def forget(model: type[Model], ids: Iterable[int]) -> int:
    """Delete every stored copy of these records (anonymisation): the rows now, the files after the commit.
    Returns how many copies went."""
    keys = list(ids)
    if not keys:
        return 0
    content_type = ContentType.objects.get_for_model(model)
    documents = StoredDocument.objects.filter(content_type=content_type, object_id__in=keys)
    names = [name for name in documents.values_list("file", flat=True) if name]
    deleted = documents.delete()[0]
    storage = StoredDocument._meta.get_field("file").storage
    for name in names:
        transaction.on_commit(partial(storage.delete, name))
    return deleted


def reencrypt_stored_documents() -> int:
    """Every stored file encrypted again with the newest key (``manage.py rotate_field_keys``). A file that is
    missing is skipped (a download renders it again); one no key decrypts stops the run (``FieldDecryptionError``)."""
    rewritten = 0
    for document in StoredDocument.objects.order_by("pk").iterator():
        storage = document.file.storage
        name = document.file.name
        if not name or not storage.exists(name):
            continue
        with storage.open(name, "rb") as file:
            token = file.read()
        fresh = reencrypt_bytes(token)
        # A new name, then the row, then the old file: an interrupted run leaves a readable copy either way.
        document.file.save(f"{secrets.token_hex(16)}.pdf.enc", ContentFile(fresh), save=False)
        StoredDocument.objects.filter(pk=document.pk).update(file=document.file.name)
        storage.delete(name)
        rewritten += 1
    return rewritten
