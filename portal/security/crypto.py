"""Personal data encrypted at rest: 身份证号码 and bank accounts (docs/roles.md, "Personal data").

Two model fields do the work, so no service has to remember it:

- ``EncryptedCharField`` stores a Fernet token (AES-128-CBC + HMAC-SHA256, a fresh IV each time) in a text column
  and gives Python the plaintext: ``hire.id_number`` reads and writes as before. The same plaintext encrypts to a
  different token each time, so the column can be neither compared nor searched: the field refuses every look-up
  but ``isnull`` (and ``=None`` / ``=""``, which are stored as such) instead of silently matching nothing.
- ``KeyedDigestField`` holds the HMAC-SHA256 of another field's normalised value, computed by the field itself on
  every save and insert (``pre_save``). Uniqueness rules and look-ups use it: the same number always gives the same
  digest, and without the key nobody can turn a digest back into a number by trying the 10¹¹ valid ID numbers.

Keys come from the environment, never the database: ``PORTAL_FIELD_KEYS`` (Fernet keys, comma-separated; the first
encrypts, all decrypt, so a new key goes first and ``manage.py rotate_field_keys`` re-encrypts every row with it)
and ``PORTAL_HMAC_KEY``. A value no key decrypts raises ``FieldDecryptionError`` — never garbage, never the token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact, IsNull
from django.db.models.signals import pre_save

#: Shorter HMAC keys are refused: the digest is only as strong as its key.
MIN_HMAC_KEY_LENGTH = 32
#: A Fernet token is at least version (1) + timestamp (8) + IV (16) + one AES block (16) + HMAC (32) bytes.
_MIN_TOKEN_BYTES = 73


class FieldKeyError(ImproperlyConfigured):
    """The keys are missing or malformed: nothing can be encrypted, decrypted or digested."""


class FieldDecryptionError(Exception):
    """A stored value decrypts with none of the configured keys: a lost or wrong key, or a damaged value.

    The message names the field and what to check, never the value."""


# ---------------------------------------------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------------------------------------------


def field_keys() -> tuple[str, ...]:
    """``PORTAL_FIELD_KEYS`` as configured, newest first, blanks dropped."""
    configured = getattr(settings, "PORTAL_FIELD_KEYS", ()) or ()
    if isinstance(configured, str):
        configured = configured.split(",")
    return tuple(key.strip() for key in configured if key and key.strip())


@lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    # Cached per key tuple: building Fernet objects per value would dominate a list of a thousand hires, and a
    # settings override (tests, rotation) simply gets its own entry.
    if not keys:
        raise FieldKeyError("PORTAL_FIELD_KEYS 未设置：无法加密或解密身份证号码和银行账号。")
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError, binascii.Error):
            raise FieldKeyError(
                f"PORTAL_FIELD_KEYS 的第{position}个密钥无效：应为 Fernet 密钥（32字节、URL安全Base64编码的44个字符），"
                "可用 manage.py rotate_field_keys --generate-key 生成。"
            ) from None
    return MultiFernet(fernets)


def _fernet() -> MultiFernet:
    return _multi_fernet(field_keys())


def hmac_key() -> bytes:
    key = str(getattr(settings, "PORTAL_HMAC_KEY", "") or "").strip()
    if len(key) < MIN_HMAC_KEY_LENGTH:
        raise FieldKeyError(f"PORTAL_HMAC_KEY 未设置或过短：至少{MIN_HMAC_KEY_LENGTH}个字符的随机字符串。")
    return key.encode()


def keys_problems() -> list[str]:
    """What is wrong with the configured keys, in Chinese (empty when they work): for the deployment check."""
    problems = []
    try:
        _fernet()
    except FieldKeyError as error:
        problems.append(str(error))
    try:
        hmac_key()
    except FieldKeyError as error:
        problems.append(str(error))
    return problems


def generate_field_key() -> str:
    return Fernet.generate_key().decode("ascii")


# ---------------------------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------------------------


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode("ascii")


def decrypt(token: str, *, what: str = "加密字段") -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        raise FieldDecryptionError(
            f"无法解密{what}：PORTAL_FIELD_KEYS 中没有加密它的密钥（密钥被更换或遗失？轮换密钥时旧密钥须保留在列表后部，"
            "直到 manage.py rotate_field_keys 运行完毕），或数据已损坏。"
        ) from None


def encrypt_bytes(data: bytes) -> bytes:
    """A whole file (a stored PDF with ID numbers and a bank account) as one Fernet token, under the same keys as
    the fields: the newest key encrypts, every configured key decrypts, ``rotate_field_keys`` re-encrypts."""
    return _fernet().encrypt(data)


def decrypt_bytes(token: bytes, *, what: str = "加密文件") -> bytes:
    try:
        return _fernet().decrypt(token)
    except InvalidToken:
        raise FieldDecryptionError(
            f"无法解密{what}：PORTAL_FIELD_KEYS 中没有加密它的密钥（密钥被更换或遗失？），或文件已损坏。"
        ) from None


def reencrypt_bytes(token: bytes) -> bytes:
    """``token`` encrypted again with the newest key (``MultiFernet.rotate``: the plaintext never leaves here)."""
    try:
        return _fernet().rotate(token)
    except InvalidToken:
        raise FieldDecryptionError(
            "无法解密存档文件：PORTAL_FIELD_KEYS 中没有加密它的密钥（密钥被更换或遗失？），或文件已损坏。"
        ) from None


def looks_encrypted(value: str) -> bool:
    """Whether ``value`` has the shape of a Fernet token (no ID number or bank account has): for migrations that
    must tell the rows already encrypted from those still in plaintext."""
    if len(value) < 100:
        return False
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii"))
    except (ValueError, UnicodeError):
        return False
    return len(raw) >= _MIN_TOKEN_BYTES and raw[0] == 0x80


def normalise_for_digest(value: str) -> str:
    """The form two spellings of one number share: half-width, no spaces, upper-case (``x`` → ``X``)."""
    return unicodedata.normalize("NFKC", value).replace(" ", "").strip().upper()


def keyed_digest(value: str) -> str:
    """HMAC-SHA256 (hex) of the normalised ``value``: what uniqueness rules and look-ups compare."""
    return hmac.new(hmac_key(), normalise_for_digest(value).encode(), hashlib.sha256).hexdigest()


def keyed_digests(values: Iterable[str]) -> dict[str, str]:
    """digest → value, for looking many numbers up at once and mapping the rows found back to them."""
    return {keyed_digest(value): value for value in values if value}


def audit_mask(value: str) -> str:
    """How the audit trail (django-auditlog ``mask_callable``) records an ID number, bank account or phone: the last
    four characters only, like ``mask_bank_account``. auditlog's own mask keeps the second half (nine digits of an ID
    number, birthday included). Empty and missing values ("None") stay as they are: that a value was set is the fact
    the trail records."""
    if value in ("", "None"):
        return value
    return "****" + value[-4:] if len(value) > 4 else "****"


# ---------------------------------------------------------------------------------------------------------------
# Model fields
# ---------------------------------------------------------------------------------------------------------------


class _EmptyOnlyExact(Exact):
    """``field=None`` and ``field=""`` still work (both are stored as they are); any other value is refused."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in (None, ""):
            field = self.lhs.output_field
            raise FieldError(
                f"{field.model.__name__}.{field.name} is encrypted at rest: look it up through its keyed digest "
                f"(e.g. {field.name}_digest=keyed_digest(value)), never by its value."
            )
        return super().get_prep_lookup()


class EncryptedCharField(models.CharField):
    """A short secret string (an ID number, a bank account) stored as a Fernet token in a text column.

    ``max_length`` and the validators apply to the plaintext, as for a ``CharField``. Empty strings and NULL are
    stored as such: whether a value is present is not a secret, and it keeps ``isnull`` checks in the database."""

    description = "Encrypted string"

    def get_internal_type(self) -> str:
        # The token is about 4/3 × (57 + value) characters: a text column whatever max_length says.
        return "TextField"

    def _what(self) -> str:
        model = getattr(self, "model", None)
        return f"{model._meta.label}.{self.name}" if model is not None else str(self.name)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value, what=self._what())

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return _EmptyOnlyExact
        raise FieldError(
            f"{self._what()} is encrypted at rest: the look-up {lookup_name!r} cannot work on it; "
            "use its keyed digest field."
        )


class KeyedDigestField(models.CharField):
    """The keyed digest of the field named ``source``, kept current by the field itself.

    ``pre_save`` recomputes it on every ``save()`` and insert (``bulk_create`` too; ``portal.imports.bulk.bulk_insert``
    calls ``prepare_rows``), so no service can store a number without its digest. A ``save(update_fields=...)``
    naming the source but not the digest is refused, since it would leave a stale digest behind. (A
    ``QuerySet.update()`` of the source must set the digest itself: Django calls no field hook there.)"""

    description = "Keyed digest (HMAC-SHA256) of another field"

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs.pop("editable", None)
        if kwargs.get("max_length") == 64:
            del kwargs["max_length"]
        for flag in ("null", "blank"):
            if kwargs.get(flag) is True:
                del kwargs[flag]
            else:
                kwargs[flag] = False
        return name, path, args, kwargs

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        # Historical models of migrations (module "__fake__") are rebuilt often: no receivers for them.
        if not cls._meta.abstract and cls.__module__ != "__fake__":
            pre_save.connect(self._refuse_stale_digest, sender=cls, weak=False, dispatch_uid=f"digest:{cls}:{name}")

    def _refuse_stale_digest(self, sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
        if update_fields is not None and self.source in update_fields and self.name not in update_fields:
            raise ValueError(
                f"save(update_fields=...) of {sender.__name__}.{self.source} must include {self.name}: "
                "its keyed digest would go stale."
            )

    def digest_of(self, value: str | None) -> str | None:
        return keyed_digest(value) if value else None

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        digest = self.digest_of(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, digest)
        return digest


def prepare_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> Sequence[dict[str, Any]]:
    """``rows`` (field attribute names → Python values) as the table stores them: digests computed and secrets
    encrypted. For set-based inserts that bypass the fields (PostgreSQL's COPY in ``portal.imports.bulk``)."""
    fields = model._meta.concrete_fields
    digests = [f for f in fields if isinstance(f, KeyedDigestField)]
    secrets = [f for f in fields if isinstance(f, EncryptedCharField)]
    if not rows or not (digests or secrets):
        return rows
    attname = {f.name: f.attname for f in fields}
    prepared = []
    for row in rows:
        row = dict(row)
        for digest in digests:
            if attname[digest.source] in row:
                row[digest.attname] = digest.digest_of(row[attname[digest.source]])
        for secret in secrets:
            if secret.attname in row:
                row[secret.attname] = secret.get_prep_value(row[secret.attname])
        prepared.append(row)
    return prepared


def encrypted_fields(model: type[models.Model]) -> list[EncryptedCharField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]


def digest_fields(model: type[models.Model]) -> list[KeyedDigestField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, KeyedDigestField)]


def reencrypt_all(*, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every encrypted value with the newest key and recompute every keyed digest with the current HMAC
    key: ``manage.py rotate_field_keys``. Returns rows rewritten per model (``app_label.Model``).

    Each batch reads (decrypting with any configured key) and writes (encrypting with the first) in one transaction,
    through ``bulk_update`` (no ``save()``: the audit trail records no change, as nothing a person sees changed).
    A value that no key decrypts stops the run with ``FieldDecryptionError`` before its batch is written; run it
    again once the missing key is back in ``PORTAL_FIELD_KEYS``. Safe to re-run and to interrupt."""
    from django.apps import apps
    from django.db import transaction

    rewritten: dict[str, int] = {}
    for model in apps.get_models():
        secrets, digests = encrypted_fields(model), digest_fields(model)
        if not secrets:
            continue
        names = [field.name for field in (*secrets, *digests)]
        pks = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), batch_size):
            with transaction.atomic():
                batch = list(model._base_manager.filter(pk__in=pks[start : start + batch_size]).only("pk", *names))
                for row in batch:
                    for digest in digests:
                        setattr(row, digest.attname, digest.digest_of(getattr(row, digest.source)))
                model._base_manager.bulk_update(batch, names)
        rewritten[model._meta.label] = len(pks)
    return rewritten


# ---------------------------------------------------------------------------------------------------------------
# Migrations: existing rows encrypted (and digested) in place, in plain SQL so it works on SQLite and PostgreSQL
# whatever the historical models' fields do
# ---------------------------------------------------------------------------------------------------------------


def encrypt_table_columns(
    connection: Any, *, table: str, columns: Sequence[str], digests: dict[str, str] | None = None
) -> int:
    """Encrypt ``columns`` of every row of ``table`` (``id`` primary key) and fill ``digests`` (digest column →
    source column). Rows already encrypted keep their token (a rerun changes nothing), but must decrypt with the
    configured keys. Returns how many rows were written."""
    digests = digests or {}
    select, update = _statements(connection, table, columns, [*columns, *digests])
    with connection.cursor() as cursor:
        cursor.execute(select)
        rows = cursor.fetchall()
        updates = []
        for pk, *values in rows:
            plain: dict[str, Any] = {}
            stored: dict[str, Any] = {}
            for column, value in zip(columns, values, strict=True):
                if value is None or value == "":
                    plain[column] = stored[column] = value
                elif looks_encrypted(value):
                    plain[column], stored[column] = decrypt(value, what=f"{table}.{column}"), value
                else:
                    plain[column], stored[column] = value, encrypt(value)
            for digest_column, source in digests.items():
                stored[digest_column] = keyed_digest(plain[source]) if plain[source] else None
            updates.append([*stored.values(), pk])
        if updates:
            cursor.executemany(update, updates)
    return len(updates)


def _statements(connection: Any, table: str, read: Sequence[str], written: Sequence[str]) -> tuple[str, str]:
    """SELECT id + ``read`` and UPDATE ``written`` by id. Identifiers come from the migrations and are quoted;
    every value is a parameter."""
    quote = connection.ops.quote_name
    select = f"SELECT {', '.join(quote(c) for c in ['id', *read])} FROM {quote(table)} ORDER BY 1"  # noqa: S608
    assignments = ", ".join(f"{quote(c)} = %s" for c in written)
    update = f"UPDATE {quote(table)} SET {assignments} WHERE id = %s"  # noqa: S608
    return select, update


def decrypt_table_columns(connection: Any, *, table: str, columns: Sequence[str], digests: Sequence[str] = ()) -> int:
    """The reverse of ``encrypt_table_columns``: plaintext back in ``columns``, ``digests`` emptied."""
    select, update = _statements(connection, table, columns, [*columns, *digests])
    with connection.cursor() as cursor:
        cursor.execute(select)
        updates = [
            [
                *(
                    decrypt(value, what=f"{table}.{column}") if value and looks_encrypted(value) else value
                    for column, value in zip(columns, values, strict=True)
                ),
                *([None] * len(digests)),
                pk,
            ]
            for pk, *values in cursor.fetchall()
        ]
        if updates:
            cursor.executemany(update, updates)
    return len(updates)
