"""CPU time of a request by component: who spends it (which middleware, DRF's dispatch, the idempotency decorator,
the audit trail, the app's own code) and on what (templates, forms, the ORM's SQL compilation, the database driver,
the cache client, DRF's serializers).

``bench/write_cpu.py --profile KIND`` prints it under cProfile's lists. cProfile keeps each function's own time and
its direct callers only, so it cannot say how much of the ORM's time a middleware caused. This tracer
(``sys.setprofile``) follows the whole stack instead: every Python frame has an *owner* (the innermost frame on the
stack whose code belongs to a component: a middleware class's methods, DRF's request handling, ``portal.security.
idempotency``, auditlog and ``portal.audit``, an app's module, Django's handler) and a *kind of work* (the innermost
frame whose file says what it does; the standard library and builtins count as their caller's work). CPU time
(``time.process_time``) between two events goes to the owner and the work of the frame on top. The tracer's own time
is left out, but it slows Python calls several times over: read the shares, not the milliseconds.

A lazy value is charged to the code that evaluates it: the signed-in user, which ``AuthenticationMiddleware`` only
promises, is loaded (the session's row, the user's) when ``OTPMiddleware``'s wrapper of it is first asked, and so
counts under that middleware.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
_ROOT = str(ROOT) + "/"
_APPS = ("portal", "positions", "referrals", "subsidies", "bases", "rollups")

#: Where a file is, by the path after ``site-packages/`` (or the project's root): the kind of work its code does.
_WORK = (
    ("django/db/models/sql/", "ORM SQL compile"),
    ("django/db/models/", "ORM (models, querysets, signals)"),
    ("django/db/backends/", "DB driver execute"),
    ("django/db/transaction", "DB driver execute"),
    ("psycopg2/", "DB driver execute"),
    ("psycopg/", "DB driver execute"),
    ("django/template/", "templates"),
    ("django/templatetags/", "templates"),
    ("django/forms/renderers", "templates"),
    ("portal/web/widgets", "forms"),
    ("django/forms/", "forms"),
    ("django/core/cache/", "cache (Redis client)"),
    ("portal/cache", "cache (Redis client)"),
    ("redis/", "cache (Redis client)"),
    ("rest_framework/serializers", "DRF serializers and fields"),
    ("rest_framework/fields", "DRF serializers and fields"),
    ("rest_framework/relations", "DRF serializers and fields"),
    ("rest_framework/utils/serializer_helpers", "DRF serializers and fields"),
    ("rest_framework/", "DRF (other)"),
    ("django/test/", "test client"),
    ("bench/load", "test client"),
    ("bench/write_cpu", "test client"),
    ("bench/", "app's own code"),
    ("django/core/handlers/", "Django request handling"),
    ("django/http/", "Django request handling"),
    ("django/urls/", "Django request handling"),
    ("django/contrib/sessions/", "sessions"),
    ("django/core/signing", "sessions"),
    ("django/middleware/csrf", "CSRF"),
    ("django/contrib/auth/", "authentication"),
    ("auditlog/", "auditlog"),
    ("portal/audit/", "auditlog"),
    ("django/utils/translation/", "translation"),
)
#: Files whose code owns what it calls (unless a frame further in belongs to another owner).
_OWNER_FILES = (
    ("portal/security/idempotency", "idempotency decorator"),
    ("auditlog/", "auditlog (signals, log entries)"),
    ("portal/audit/", "auditlog (signals, log entries)"),
    ("rest_framework/views", "DRF dispatch (auth, permissions, throttles, negotiation, rendering)"),
    ("rest_framework/viewsets", "DRF dispatch (auth, permissions, throttles, negotiation, rendering)"),
    ("rest_framework/request", "DRF dispatch (auth, permissions, throttles, negotiation, rendering)"),
    ("rest_framework/authentication", "DRF dispatch (auth, permissions, throttles, negotiation, rendering)"),
    ("rest_framework/authtoken", "DRF dispatch (auth, permissions, throttles, negotiation, rendering)"),
    ("rest_framework/permissions", "DRF dispatch (auth, permissions, throttles, negotiation, rendering)"),
    ("rest_framework/throttling", "DRF dispatch (auth, permissions, throttles, negotiation, rendering)"),
    ("rest_framework/negotiation", "DRF dispatch (auth, permissions, throttles, negotiation, rendering)"),
    ("rest_framework/parsers", "DRF dispatch (auth, permissions, throttles, negotiation, rendering)"),
    ("rest_framework/renderers", "DRF dispatch (auth, permissions, throttles, negotiation, rendering)"),
    ("rest_framework/response", "DRF dispatch (auth, permissions, throttles, negotiation, rendering)"),
    ("django/test/", "test client (building requests, reading replies)"),
    ("bench/load", "test client (building requests, reading replies)"),
    ("bench/write_cpu", "test client (building requests, reading replies)"),
    ("bench/bare", "app: bench.bare (the form's view)"),
    ("bench/stack", "app: bench.stack (the API's view)"),
    ("django/core/handlers/", "Django handler (request, URL resolving, response)"),
)
_MIDDLEWARE_METHODS = ("__call__", "process_request", "process_view", "process_response", "process_exception")


def _relative(filename: str) -> str | None:
    """The file's path after ``site-packages/`` or the project's root; None for the standard library and builtins."""
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1]
    if filename.startswith(_ROOT) and "/.venv/" not in filename:
        return filename[len(_ROOT) :]
    return None


class ComponentProfile:
    """Exclusive CPU time by (owner, kind of work), over the calls made while ``run`` runs."""

    def __init__(self, middleware: list[str]) -> None:
        self.middleware = {path.rsplit(".", 1)[1] for path in middleware}
        self.codes: dict[CodeType, tuple[str | None, str | None, bool]] = {}
        self.stack: list[tuple[str, str]] = []
        self.totals: defaultdict[tuple[str, str], float] = defaultdict(float)
        self.last = 0.0

    def _classify(self, code: CodeType) -> tuple[str | None, str | None, bool]:
        """(owner, work, owner from ``self``'s class) of a code object; None where it takes its caller's."""
        path = _relative(code.co_filename)
        if path is None:
            return None, None, False
        qualname = code.co_qualname
        owner: str | None = None
        by_instance = False
        cls, _, method = qualname.rpartition(".")
        if path == "django/utils/deprecation.py" and method in _MIDDLEWARE_METHODS:
            by_instance = True  # MiddlewareMixin's __call__: the middleware is ``self``
        elif cls in self.middleware:
            owner = f"middleware: {cls}"
        else:
            owner = next((name for prefix, name in _OWNER_FILES if path.startswith(prefix)), None)
            if owner is None and path.split("/", 1)[0] in _APPS and not path.startswith("portal/cache"):
                owner = "app: " + path.removesuffix(".py").replace("/", ".")
        work = next((name for prefix, name in _WORK if path.startswith(prefix)), None)
        if work is None:
            parts = path.split("/")
            work = "app's own code" if parts[0] in _APPS else ".".join(parts[:2] if parts[0] == "django" else parts[:1])
        return owner, work, by_instance

    def _event(self, frame: FrameType, event: str, arg: Any) -> None:
        now = time.process_time()
        stack = self.stack
        top = stack[-1] if stack else ("(outside the task)", "(outside the task)")
        self.totals[top] += now - self.last
        if event == "call":
            code = frame.f_code
            known = self.codes.get(code)
            if known is None:
                known = self.codes[code] = self._classify(code)
            owner, work, by_instance = known
            if by_instance:
                owner = f"middleware: {type(frame.f_locals.get('self')).__name__}"
            stack.append((owner or top[0], work or top[1]))
        elif event == "c_call":
            owner_class = type(getattr(arg, "__self__", None)).__module__
            stack.append((top[0], "DB driver execute" if owner_class.startswith("psycopg") else top[1]))
        elif stack:
            stack.pop()
        self.last = time.process_time()

    def run(self, task: Callable[[], None], repeat: int) -> None:
        self.stack.clear()
        self.last = time.process_time()
        sys.setprofile(self._event)
        try:
            for _ in range(repeat):
                task()
        finally:
            sys.setprofile(None)
        self.totals.pop(("(outside the task)", "(outside the task)"), None)

    def report(self, requests: int, top: int) -> str:
        """Shares of the traced CPU by owner, by kind of work, and the largest (owner, work) cells."""
        total = sum(self.totals.values()) or 1.0
        owners: defaultdict[str, float] = defaultdict(float)
        works: defaultdict[str, float] = defaultdict(float)
        for (owner, work), spent in self.totals.items():
            owners[owner] += spent
            works[work] += spent
        lines = [
            f"CPU by component ({requests} requests traced; shares of the traced time, the tracer's own left out):"
        ]
        lines.append("  by owner (the innermost component on the stack: who caused the work):")
        lines += [
            f"    {100 * spent / total:5.1f}%  {owner}"
            for owner, spent in sorted(owners.items(), key=lambda item: -item[1])
        ]
        lines.append("  by kind of work (the innermost file that says what it does):")
        lines += [
            f"    {100 * spent / total:5.1f}%  {work}"
            for work, spent in sorted(works.items(), key=lambda item: -item[1])
        ]
        lines.append("  largest (owner, work) cells:")
        lines += [
            f"    {100 * spent / total:5.1f}%  {owner}  /  {work}"
            for (owner, work), spent in sorted(self.totals.items(), key=lambda item: -item[1])[:top]
        ]
        return "\n".join(lines) + "\n"
