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
import queue
import threading
from collections.abc import Sequence
from decimal import Decimal
from types import TracebackType
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
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
# formats each line (numbers, constants and NULL as ``\\N`` need no escaping), ``CopyStream`` sends them.

#: Joins the values ``copy_escaped`` escapes together: a control character no sheet cell can hold (XML forbids it).
_JOIN = "\x1f"


def can_copy(model: type[Model]) -> bool:
    """Whether ``CopyStream`` may write ``model``: PostgreSQL, and no field that encrypts or digests its value
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


#: Characters COPY reads at a time.
_COPY_CHUNK = 256 * 1024


class CopyStream:
    """COPY into a model's table from a thread of its own, one statement per chunk of lines ``send`` hands it, in
    the caller's transaction: the server writes a chunk (its rows, their indexes, and their foreign keys, checked
    at the statement's end) while the caller prepares the next, so Python and PostgreSQL work at the same time
    (psycopg2 lets go of the GIL while it waits on the server). Only for a model ``can_copy`` accepts.

    The table's foreign keys are made IMMEDIATE while the stream is open (SET CONSTRAINTS, in this transaction
    only): checked chunk by chunk alongside the caller's work instead of all at once at commit. Every row is still
    checked, and they are made DEFERRED again when the stream closes.

    ``abort`` stops the writes (the caller found an error: it rolls the transaction back and nothing stays). A
    failed COPY stops the writes too, and is raised when the stream closes unless the caller is already raising.
    The caller makes no query while the stream is open: the thread has the connection."""

    #: Chunks waiting for the thread: enough for it never to wait on the caller, without holding the whole sheet.
    _WAITING = 2

    def __init__(self, model: type[Model], attributes: Sequence[str]) -> None:
        assert can_copy(model), model
        # The caller's connection, not the thread's own (``connection`` resolves per thread).
        self._db = connections[DEFAULT_DB_ALIAS]
        column_of = {field.attname: field.column for field in model._meta.concrete_fields}
        columns = ", ".join(self._db.ops.quote_name(column_of[a]) for a in attributes)
        self._table = model._meta.db_table
        self._sql = f"COPY {self._db.ops.quote_name(self._table)} ({columns}) FROM STDIN"
        self._chunks: queue.Queue[str | None] = queue.Queue(maxsize=self._WAITING)
        self._deferred = ""
        self._aborted = False
        self._error: BaseException | None = None

    def __enter__(self) -> CopyStream:
        with self._db.cursor() as cursor:
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' AND condeferred",
                [self._db.ops.quote_name(self._table)],
            )
            self._deferred = ", ".join(self._db.ops.quote_name(name) for (name,) in cursor.fetchall())
            if self._deferred:
                cursor.execute(f"SET CONSTRAINTS {self._deferred} IMMEDIATE")
        self._cursor = self._db.cursor()
        self._thread = threading.Thread(target=self._write, name="copy-stream", daemon=True)
        self._thread.start()
        return self

    def send(self, lines: str) -> None:
        """COPY ``lines`` (COPY's text format, each ending with a line feed) once the chunks before them are written."""
        if lines and not self._aborted and self._error is None:
            self._chunks.put(lines)

    def abort(self) -> None:
        """Write nothing more; the caller rolls back what was written."""
        self._aborted = True

    def _write(self) -> None:
        while (lines := self._chunks.get()) is not None:
            if self._aborted or self._error is not None:
                continue  # emptied, so that ``send`` never waits on a stream that has stopped
            try:
                with self._db.wrap_database_errors:
                    self._cursor.copy_expert(self._sql, io.StringIO(lines), _COPY_CHUNK)
            except BaseException as error:  # raised in the caller's thread, by __exit__
                self._error = error

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._chunks.put(None)
        self._thread.join()
        self._cursor.close()
        if self._error is not None:
            if exc_type is None:
                raise self._error
            return  # the transaction is aborted: it only rolls back now
        if self._deferred:
            with self._db.cursor() as cursor:
                cursor.execute(f"SET CONSTRAINTS {self._deferred} DEFERRED")
