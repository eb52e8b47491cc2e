"""Uploaded files kept encrypted whole on disk: a model's ``EncryptedFileField`` holds the name of a file that is one
Fernet token (``portal.security.crypto.encrypt_bytes``) of what was uploaded, under the keys that encrypt ID numbers
and bank accounts. A copy of the disk or of a backup gives nothing away.

The field stores a name like any ``FileField``; what it marks is how the content is kept: written with
``write_encrypted``, read with ``read_decrypted``, re-encrypted with the newest key by ``reencrypt_files``
(``manage.py rotate_field_keys``), which finds every such field of every installed model (the core cannot know the
apps' models)."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from portal.security.crypto import (
    FieldDecryptionError,
    decrypt_bytes,
    encrypt_bytes,
    looks_encrypted,
    reencrypt_bytes,
)


class EncryptedFileField(models.FileField):
    """A ``FileField`` whose file holds the upload encrypted whole: never serve ``file.open()`` as it is, read it
    with ``read_decrypted``."""


def write_encrypted(file: FieldFile, name: str, data: bytes) -> None:
    """Store ``data`` encrypted as ``file`` (the row is saved by the caller)."""
    file.save(name, ContentFile(encrypt_bytes(data)), save=False)


def read_decrypted(file: FieldFile, *, what: str) -> bytes:
    """The content as uploaded. ``FieldDecryptionError`` (naming ``what``) when no configured key decrypts it or the
    file is damaged; ``OSError`` when it is missing."""
    with file.open("rb") as handle:
        token = handle.read()
    return decrypt_bytes(token, what=what)


def is_encrypted(data: bytes) -> bool:
    """Whether a file's content has the shape of a Fernet token; a PDF, JPG or PNG never has (for migrations that
    must tell the files already encrypted from those still in plaintext)."""
    try:
        return looks_encrypted(data.decode("ascii").strip())
    except UnicodeDecodeError:
        return False


def encrypted_file_fields(model: type[models.Model]) -> list[EncryptedFileField]:
    return [field for field in model._meta.concrete_fields if isinstance(field, EncryptedFileField)]


def _rewrite(model: type[models.Model], row: models.Model, field: models.FileField, content: bytes) -> str:
    """Write ``content`` as ``row``'s file under a new name, point the row at it, and delete the old file once that
    is committed: an interrupted run leaves every row with a whole, readable file."""
    file = getattr(row, field.attname)
    old = file.name
    new = file.storage.save(field.generate_filename(row, posixpath.basename(old)), ContentFile(content))
    with transaction.atomic():
        model._base_manager.filter(pk=row.pk).update(**{field.attname: new})
        transaction.on_commit(partial(file.storage.delete, old))
    return new


def reencrypt_files() -> dict[str, int]:
    """Every file of every ``EncryptedFileField`` encrypted again with the newest key (``rotate_field_keys``).
    Returns files rewritten per model (``app_label.Model``). A missing file is skipped; one no key decrypts stops
    the run with ``FieldDecryptionError`` (the files before it are done: safe to run again)."""
    from django.apps import apps

    rewritten: dict[str, int] = {}
    for model in apps.get_models():
        fields = encrypted_file_fields(model)
        if not fields:
            continue
        count = 0
        for row in model._base_manager.order_by("pk").iterator():
            for field in fields:
                file = getattr(row, field.attname)
                if not file.name or not file.storage.exists(file.name):
                    continue
                with file.storage.open(file.name, "rb") as handle:
                    token = handle.read()
                try:
                    fresh = reencrypt_bytes(token)
                except FieldDecryptionError:
                    raise FieldDecryptionError(
                        f"无法解密{model._meta.verbose_name}（编号{row.pk}）的文件：PORTAL_FIELD_KEYS 中没有加密它的"
                        "密钥（密钥被更换或遗失？），或文件已损坏。"
                    ) from None
                _rewrite(model, row, field, fresh)
                count += 1
        rewritten[model._meta.label] = count
    return rewritten


def _transform_existing_files(model: Any, field_name: str, transform: Callable[[Any, bytes], bytes | None]) -> int:
    """Every file of ``model.field_name`` that ``transform`` (row, content) gives new content for, rewritten under
    a new name (``_rewrite``). Rows without a file on disk are skipped. Returns how many files were rewritten."""
    field = model._meta.get_field(field_name)
    done = 0
    for row in model._base_manager.order_by("pk").iterator():
        file = getattr(row, field.attname)
        if not file.name or not file.storage.exists(file.name):
            continue
        with file.storage.open(file.name, "rb") as handle:
            content = transform(row, handle.read())
        if content is not None:
            _rewrite(model, row, field, content)
            done += 1
    return done


def encrypt_existing_files(model: Any, field_name: str) -> int:
    """Migration step: every file of ``model.field_name`` still in plaintext encrypted, under a new name (the
    plaintext one is deleted once the migration commits). Files already encrypted stay as they are, so a rerun
    changes nothing. Returns how many files were encrypted."""
    return _transform_existing_files(
        model, field_name, lambda row, data: None if is_encrypted(data) else encrypt_bytes(data)
    )


def decrypt_existing_files(model: Any, field_name: str) -> int:
    """The reverse migration step: every encrypted file of ``model.field_name`` written back in plaintext."""
    label = model._meta.label
    return _transform_existing_files(
        model,
        field_name,
        lambda row, data: decrypt_bytes(data, what=f"{label}（编号{row.pk}）的文件") if is_encrypted(data) else None,
    )
