"""Asking a worker to start now, without ever making a request wait on the broker (docs/workflows.md, "Outages").

Whatever a request wants done later (an e-mail, an import) is first committed to the database: the outbox, an
``ImportJob``. After the commit the request *kicks* a worker through ``kick``: a separate connection with a one-second
timeout and no publish retries (Celery's defaults would retry a down broker for seconds inside the request). When the
broker is down or hung the kick is dropped and logged, and a beat task finds the committed work within a minute.

The kicks of one request are collected and sent together once it is finished (after its response has gone), through
one connection, which the thread keeps for its next ones: every task the request kicked is tried, and a down broker
costs one connection attempt, however many tasks wait. Outside a request (a task, a command) a kick is sent at once; kicks right after a connection attempt that
failed (within ``BURST_SECONDS``: the other kicks of the same commit) are not tried again either. After a task's kick
failed, repeats of that task's kick are skipped for a while (``BROKER_QUIET_SECONDS``: beat does the work anyway); a
failed kick of one task never quiets the kicks of another.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

#: The kick gives up on a down or hung broker after about this long (connect and read).
KICK_TIMEOUT_SECONDS = 1.0
#: Within a process, after a task's kick failed, stop asking the broker for that task for this long.
BROKER_QUIET_SECONDS = 60.0

#: After the broker could not be reached, kicks within this long share that attempt's outcome instead of waiting
#: for another timeout: the kicks after one commit, whichever task they are for.
BURST_SECONDS = 1.0

#: Per task name: until when its kicks are skipped after a failure.
_quiet_until: dict[str, float] = {}
#: Until when a kick does not try the broker that just could not be reached (``BURST_SECONDS``).
_unreachable_until = 0.0
#: The kicks of the request this thread is serving (``None`` outside a request).
_request = threading.local()
#: This thread's broker connection for kicks (``_connection``).
_kept = threading.local()


@dataclass(frozen=True)
class _Kick:
    task: Any
    args: tuple[Any, ...]
    what: str


def _name(task: Any) -> str:
    return str(getattr(task, "name", task))


def kick(task: Any, args: tuple[Any, ...] = (), *, what: str) -> bool:
    """Send ``task`` with ``args`` now (inside a request: once the request is finished) if the broker answers within
    a second; never raises. ``what`` names the work in the log line when it does not (「邮件」, 「导入任务12」).
    Returns whether the message was sent, or, inside a request, collected to be sent.

    With ``task_always_eager`` (the test settings) there is no broker: the task runs at once, inside the request,
    as it would have on a worker before the reply was read."""
    if time.monotonic() < _quiet_until.get(_name(task), 0.0):
        return False
    pending: list[_Kick] | None = getattr(_request, "kicks", None)
    if pending is not None and not _eager():
        pending.append(_Kick(task, args, what))
        return True
    return _send([_Kick(task, args, what)]) == 1


def _eager() -> bool:
    from portal.celery import app

    return bool(app.conf.task_always_eager)


def _failed(kicks: list[_Kick], error: Exception) -> None:
    until = time.monotonic() + BROKER_QUIET_SECONDS
    for item in kicks:
        _quiet_until[_name(item.task)] = until
        logger.warning("无法连接消息队列，%s将由定时任务稍后处理：%s", item.what, error)


def _connection(app: Any) -> Any:
    """This thread's connection for kicks, opened on first use and kept (``_kept``): a new one costs about 3 ms of
    CPU (the Redis client reads its package metadata for each), more than the kick itself."""
    connection = getattr(_kept, "connection", None)
    if connection is not None and getattr(_kept, "pid", None) != os.getpid():
        connection = None  # a forked child does not write on its parent's socket
    if connection is None:
        connection = app.connection_for_write(
            connect_timeout=KICK_TIMEOUT_SECONDS,
            transport_options={
                "max_retries": 0,
                "socket_timeout": KICK_TIMEOUT_SECONDS,
                "socket_connect_timeout": KICK_TIMEOUT_SECONDS,
            },
        )
        _kept.connection, _kept.pid = connection, os.getpid()
    return connection


def _drop_connection() -> None:
    connection = getattr(_kept, "connection", None)
    _kept.connection = None
    if connection is not None:
        try:
            connection.release()
        except Exception:  # a broken connection may fail to close too; it is dropped either way
            logger.debug("closing the kicks' broker connection failed", exc_info=True)


def _send(kicks: list[_Kick]) -> int:
    """Publish ``kicks`` through this thread's connection; returns how many were sent. A broker that cannot be
    reached fails the kicks not sent yet (one connection attempt in all; one more on a fresh connection when the kept
    one failed at once, as one does that the broker closed since: a hung broker is not waited for twice); a task the
    broker refuses fails that kick alone."""
    global _unreachable_until
    from kombu.exceptions import OperationalError

    from portal.celery import app

    sent = 0
    remaining = list(kicks)
    if time.monotonic() < _unreachable_until:
        _failed(remaining, OperationalError("刚才连接消息队列失败"))
        return 0
    fresh = getattr(_kept, "connection", None) is None
    while remaining:
        began = time.monotonic()
        try:
            connection = _connection(app)
            unreachable = (OperationalError, *connection.connection_errors)
            while remaining:
                item = remaining[0]
                try:
                    item.task.apply_async(item.args, connection=connection, retry=False)
                except unreachable:
                    raise
                except Exception as exc:  # this task's message, not the broker: the other kicks still go
                    _failed([remaining.pop(0)], exc)
                else:
                    remaining.pop(0)
                    sent += 1
                    fresh = False  # the connection worked: a later failure is the broker's, not staleness
        except Exception as exc:  # kombu.OperationalError, redis and socket errors: whatever it is, the save stands.
            _drop_connection()
            if not fresh and time.monotonic() - began < KICK_TIMEOUT_SECONDS / 2:
                fresh = True  # the kept connection had gone stale: one more try on a new one
                continue
            if remaining:  # the broker, not a task: the kicks right after this one do not wait for it again
                _unreachable_until = time.monotonic() + BURST_SECONDS
            _failed(remaining, exc)
            break
    return sent


def request_started(**kwargs: Any) -> None:
    """A request begins: its kicks are collected (``request_started`` signal). Kicks a previous request left unsent
    (its end never signalled) go first."""
    request_finished()
    _request.kicks = []


def request_finished(**kwargs: Any) -> None:
    """The request is over (``request_finished``: its response has been sent): its kicks go, through one connection."""
    pending: list[_Kick] | None = getattr(_request, "kicks", None)
    _request.kicks = None  # a kick made while these are sent (an eager task's) goes at once
    if pending:
        _send(pending)


def listen_again() -> None:
    """Forget earlier failures: the next kicks try the broker again (tests, and after an outage is fixed)."""
    global _unreachable_until
    _quiet_until.clear()
    _unreachable_until = 0.0
    _drop_connection()
