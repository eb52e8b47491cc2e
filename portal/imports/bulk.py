"""Set-based inserts for imports: PostgreSQL's COPY, or ``bulk_create`` on other databases.

``bulk_create`` builds a model instance and compiles a parameter per value: for 50,000 Annex 1 rows that is
most of an import's time. COPY streams the rows as text in one statement inside the caller's transaction,
so an import stays all-or-nothing. Rows are dicts of field attribute names (``employer_id``, not ``employer``).
Encrypted fields and keyed digests (``portal.security.crypto``) are filled either way: by the fields under ``bulk_create``,
by ``prepare_rows`` before COPY.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Model

from portal.security.crypto import digest_fields, encrypted_fields, prepare_rows

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    if value.__class__ is str:  # most values: four passes in C are faster than translate()'s per-character lookups
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return str(value).translate(_ESCAPES)


def bulk_insert(model: type[Model], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) into ``model``'s table, in the current transaction."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create([model(**row) for row in rows], batch_size=500)
        return
    # COPY bypasses the fields: encrypt the secrets and compute the keyed digests as save() would (portal.security.crypto).
    rows = prepare_rows(model, rows)
    attributes = list(rows[0])
    column_of = {field.attname: field.column for field in model._meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(column_of[a]) for a in attributes)
    buffer = io.StringIO()
    text = copy_text
    for row in rows:
        buffer.write("\t".join([text(row[a]) for a in attributes]) + "\n")
    buffer.seek(0)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


# Set-based writes that build COPY's text lines themselves, straight from their rows' values (the importers of
# large sheets): ``copy_escaped`` escapes all their free-text values in a few passes over one string, the caller
# formats each line (numbers, constants and NULL as ``\\N`` need no escaping), ``copy_lines`` sends them.

#: Joins the values ``copy_escaped`` escapes together: a control character no sheet cell can hold (XML forbids it).
_JOIN = "\x1f"


def can_copy(model: type[Model]) -> bool:
    """Whether ``copy_lines`` may write ``model``: PostgreSQL, and no field that encrypts or digests its value
    (those go through ``bulk_insert``, which prepares them)."""
    return connection.vendor == "postgresql" and not encrypted_fields(model) and not digest_fields(model)


def copy_escaped(values: Sequence[str]) -> list[str]:
    """``values`` escaped for COPY's text format (backslash, tab, line feed, carriage return), in order: joined
    into one string, escaped by four passes in C and split again, instead of four calls per value."""
    if not values:
        return []
    joined = _JOIN.join(values)
    if joined.count(_JOIN) != len(values) - 1:  # a value holds the joining character itself: one by one
        return [copy_text(value) for value in values]
    escaped = joined.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return escaped.split(_JOIN)


class _Lines(io.TextIOBase):
    """A file COPY reads from, formatting the lines only as it asks for them: the server inserts the first rows
    while the next are built, instead of waiting for all of them."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        wanted = size if size is not None and size >= 0 else float("inf")
        taken: list[str] = []
        length = 0
        for line in self._lines:
            taken.append(line)
            length += len(line)
            if length >= wanted:
                break
        return "".join(taken)


#: Characters COPY asks for at a time.
_COPY_CHUNK = 256 * 1024


def copy_lines(model: type[Model], attributes: Sequence[str], lines: Iterable[str]) -> None:
    """COPY ``lines`` (COPY's text format, each ending with a line feed, values in the order of ``attributes``)
    into ``model``'s table, in the current transaction; ``lines`` may be a generator, read as COPY goes. Only for
    a model ``can_copy`` accepts."""
    assert can_copy(model), model
    column_of = {field.attname: field.column for field in model._meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(column_of[a]) for a in attributes)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", _Lines(lines), _COPY_CHUNK)
