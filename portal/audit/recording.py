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
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from functools import partial
from typing import Any

from auditlog import get_logentry_model
from auditlog.cid import set_cid
from auditlog.context import _set_extra_data, auditlog_value
from auditlog.middleware import AuditlogMiddleware as _AuditlogMiddleware
from django.db.models.signals import pre_save
from django.http import HttpRequest, HttpResponse


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
