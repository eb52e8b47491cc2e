"""The audit trail (django-auditlog) as a person reads it under a record in the admin.

auditlog stores each change as the field's name and two strings: ``status: audited → in_publicity``,
``employer_confirmed_by: None → 7``, date-times in naive UTC. This module turns an entry into what the page says:
the field's verbose name, a choice's label, a related record by its ``str`` (a user by name), 是/否, （空） for
nothing, date-times in Asia/Shanghai, and the action as 新建 / 修改 / 删除 / 查看. Related records are fetched in one
query per related model for the whole trail, not one per value. Masked values (the last four characters of an ID
number, see ``portal.security.crypto.audit_mask``) are shown as recorded.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone

#: auditlog's actions, as the trail names them.
ACTION_LABELS: dict[int, str] = {
    LogEntry.Action.CREATE: "新建",
    LogEntry.Action.UPDATE: "修改",
    LogEntry.Action.DELETE: "删除",
    LogEntry.Action.ACCESS: "查看",
}

EMPTY = "（空）"
#: How a date-time reads in the trail (a table: ISO-like digits, Shanghai time; see portal.templatetags.portal_dates).
MOMENT_FORMAT = "%Y-%m-%d %H:%M:%S"
#: auditlog writes a missing value as the string "None".
_MISSING = (None, "", "None")


@dataclass(frozen=True)
class AuditChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class AuditRow:
    at: str
    actor: str
    action: str
    changes: list[AuditChange]


#: A name the model no longer has: the change is still shown, under the name it was recorded with.
_UNKNOWN = None
#: A reverse relation (a hire's objections): auditlog writes "referrals.Objection.None" on creation, which says nothing.
_REVERSE = object()


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | object | None:
    if model is None:
        return _UNKNOWN
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return _UNKNOWN
    return field if isinstance(field, models.Field) else _REVERSE


def _moment(value: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_naive(moment):  # auditlog stores date-times as naive UTC
        moment = moment.replace(tzinfo=datetime.UTC)
    return timezone.localtime(moment).strftime(MOMENT_FORMAT)


class _Related:
    """The ``str`` of every related record the trail names, one query per related model."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        self.found: dict[tuple[type[models.Model], str], str] = {}

    def want(self, field: models.Field[Any, Any], value: Any) -> None:
        related = field.related_model
        if value in _MISSING or not isinstance(related, type):
            return
        try:
            self.wanted[related].add(related._meta.pk.to_python(value))
        except ValidationError:
            return

    def fetch(self) -> None:
        for related, pks in self.wanted.items():
            for record in related._default_manager.filter(pk__in=pks):
                self.found[(related, str(record.pk))] = str(record)

    def name(self, field: models.Field[Any, Any], value: str) -> str:
        related = field.related_model
        if not isinstance(related, type):
            return value
        return self.found.get((related, str(value)), f"已删除的{related._meta.verbose_name}（编号{value}）")


def _display(field: models.Field[Any, Any] | None, value: Any, related: _Related) -> str:
    if value in _MISSING:
        return EMPTY
    if isinstance(value, list | dict):  # many-to-many changes and JSON values
        return str(value)
    value = str(value)
    if field is None:
        return value
    if field.choices:
        labels = {str(key): str(label) for key, label in field.flatchoices}
        return labels.get(value, value)
    if isinstance(field, models.BooleanField):
        return {"True": "是", "False": "否"}.get(value, value)
    if field.many_to_one or field.one_to_one:
        return related.name(field, value)
    if isinstance(field, models.DateTimeField):
        return _moment(value)
    return value


def _changes(
    changes: list[tuple[str, models.Field[Any, Any] | None, Any, Any]], related: _Related
) -> list[AuditChange]:
    shown = []
    for name, field, old, new in changes:
        before, after = _display(field, old, related), _display(field, new, related)
        if before == after:  # a new record's empty fields, a value written again unchanged: nothing to read
            continue
        shown.append(AuditChange(str(field.verbose_name) if field is not None else name, before, after))
    return shown


def _actor(entry: LogEntry) -> str:
    if entry.actor is not None:
        return str(entry.actor)
    return entry.actor_email or "系统"


def audit_rows(entries: list[LogEntry]) -> list[AuditRow]:
    """The entries (of any models) as the trail shows them; ``select_related("actor", "content_type")`` spares
    queries."""
    related = _Related()
    plans: list[tuple[LogEntry, list[tuple[str, models.Field[Any, Any] | None, Any, Any]]]] = []
    for entry in entries:
        model = entry.content_type.model_class()
        changes = []
        for name, values in (entry.changes_dict or {}).items():
            found = _field(model, name)
            if found is _REVERSE:
                continue
            field = found if isinstance(found, models.Field) else None
            old, new = values if isinstance(values, list | tuple) and len(values) == 2 else (None, values)
            if field is not None and (field.many_to_one or field.one_to_one):
                related.want(field, old)
                related.want(field, new)
            changes.append((name, field, old, new))
        plans.append((entry, changes))
    related.fetch()
    return [
        AuditRow(
            at=timezone.localtime(entry.timestamp).strftime(MOMENT_FORMAT),
            actor=_actor(entry),
            action=ACTION_LABELS.get(entry.action, str(entry.get_action_display())),
            changes=_changes(changes, related),
        )
        for entry, changes in plans
    ]


def audit_trail(*, model: type[models.Model], object_pk: str, limit: int = 200) -> list[AuditRow]:
    """The record's trail, newest first, at most ``limit`` entries."""
    content_type = ContentType.objects.get_for_model(model)
    entries = list(
        LogEntry.objects.filter(content_type=content_type, object_pk=str(object_pk))
        .select_related("actor", "content_type")
        .order_by("-timestamp")[:limit]
    )
    return audit_rows(entries)


__all__ = ["ACTION_LABELS", "AuditChange", "AuditRow", "audit_rows", "audit_trail"]
