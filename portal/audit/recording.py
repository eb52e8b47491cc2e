"""Who did it: django-auditlog's actor context, made safe to nest.

auditlog ties a log entry to its actor through a context variable plus a ``pre_save`` receiver on ``LogEntry``. Its
``set_actor`` overwrites the variable and never puts it back; on exit it disconnects the receiver *named in the
variable*. Nest two (the request middleware, then a service's ``with set_actor(by)``) and the inner one's name is
what the outer one finds on exit: it disconnects the inner receiver (already gone) and its own stays connected,
holding the request's user. One receiver more for every request that saved anything, for the life of the worker:
every later ``save()`` of any model walks them all, so writes got slower the longer a worker ran, and memory grew
(``bench/load.py`` found it: ``pre_save`` had one receiver per claim submitted).

``set_actor`` here does what auditlog's does with a receiver of its own, named uniquely (auditlog's names are a
timestamp, which two threads can share), disconnected by that name, and the variable reset to what it was. Services
and the request middleware both use it, so nesting is exact: inside a service the service's actor signs, after it the
request's again.

Updates: before each update auditlog reads the row again (its ``pre_save`` receiver), to diff the new state against
the stored one. A service that has just read the row under lock already holds that state: it copies it
(``as_read``) and saves inside ``audited_against``, and ``log_update``, in the place of auditlog's receiver, diffs
against the copy. The entry is the same; the query is spared.
"""

from __future__ import annotations

import contextlib
import copy
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from functools import partial
from typing import Any, TypeVar

from auditlog import get_logentry_model, receivers
from auditlog.cid import set_cid
from auditlog.context import _set_extra_data, auditlog_value
from auditlog.middleware import AuditlogMiddleware as _AuditlogMiddleware
from auditlog.receivers import check_disable
from auditlog.registry import auditlog
from django.conf import settings
from django.db.models import Model
from django.db.models.signals import pre_save
from django.http import HttpRequest, HttpResponse

M = TypeVar("M", bound=Model)


@contextlib.contextmanager
def audit_context(context_data: dict[str, Any]) -> Iterator[None]:
    """Log entries saved inside the block carry ``context_data`` (actor, remote address and port)."""
    log_entry = get_logentry_model()
    name = ("portal-actor", uuid.uuid4().hex)
    token = auditlog_value.set({**context_data, "signal_duid": name})
    pre_save.connect(partial(_set_extra_data, signal_duid=name), sender=log_entry, dispatch_uid=name, weak=False)
    try:
        yield
    finally:
        pre_save.disconnect(sender=log_entry, dispatch_uid=name)
        auditlog_value.reset(token)


def set_actor(actor: Any, remote_addr: str | None = None, remote_port: int | None = None) -> Any:
    """auditlog's ``set_actor``, nestable (see the module's note)."""
    return audit_context({"actor": actor, "remote_addr": remote_addr, "remote_port": remote_port})


class AuditlogMiddleware(_AuditlogMiddleware):
    """auditlog's middleware (correlation id, actor, address) on the nestable context."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        set_cid(request)
        with audit_context(self.get_extra_data(request)):
            return self.get_response(request)


# ---- Updates audited against the row the service read ------------------------------------------------------------

#: Rows saved in this context whose stored state the saver already holds: ``(model, pk)`` → a copy as read.
_AS_READ: ContextVar[dict[tuple[type[Model], Any], Model] | None] = ContextVar("portal_audit_as_read", default=None)


def as_read(row: M) -> M:
    """A copy of ``row`` as it is now, for ``audited_against``: take it right after reading the row under lock
    (``select_for_update``), before changing anything on it."""
    copied = copy.copy(row)
    for name, value in vars(copied).items():
        if isinstance(value, dict | list):  # a JSON value changed in place later must not change the copy too
            setattr(copied, name, copy.deepcopy(value))
    return copied


@contextlib.contextmanager
def audited_against(stored: Model) -> Iterator[None]:
    """The next save of ``stored``'s record inside the block is audited against ``stored`` (from ``as_read``), rather
    than against the row auditlog reads again from the database before each update (a query per save).

    Only for a row the caller read under lock in the same transaction and has written no other way since: then the
    database holds exactly ``stored``, and the entry is the one auditlog would write. One save only; a later one, or
    one after the block, is audited the usual way."""
    known = _AS_READ.get()
    token = None
    if known is None:
        known = {}
        token = _AS_READ.set(known)
    key = (type(stored), stored.pk)
    known[key] = stored
    try:
        yield
    finally:
        known.pop(key, None)
        if token is not None:
            _AS_READ.reset(token)


@check_disable
def log_update(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    """auditlog's ``pre_save`` receiver, with the old state from ``audited_against`` when the saver gave it."""
    known = _AS_READ.get()
    stored = known.pop((sender, instance.pk), None) if known else None
    if stored is None:
        receivers.log_update(sender, instance, **kwargs)
        return
    if not instance._state.adding and instance.pk is not None:
        receivers._create_log_entry(
            action=get_logentry_model().Action.UPDATE,
            instance=instance,
            sender=sender,
            diff_old=stored,
            diff_new=instance,
            fields_to_check=kwargs.get("update_fields"),
            use_json_for_changes=getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False),
        )


def connect_log_update() -> None:
    """Put ``log_update`` in the place of auditlog's for every model it audits (and any registered later): from
    ``PortalConfig.ready``, after auditlog registered the models of ``AUDITLOG_INCLUDE_TRACKING_MODELS``."""
    for model in auditlog.get_models():
        pre_save.disconnect(sender=model, dispatch_uid=auditlog._dispatch_uid(pre_save, receivers.log_update))
        pre_save.connect(log_update, sender=model, dispatch_uid=auditlog._dispatch_uid(pre_save, log_update))
    auditlog._signals[pre_save] = log_update
