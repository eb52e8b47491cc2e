"""Asking a worker to start now, without ever making a request wait on the broker (docs/workflows.md, "Outages").

Whatever a request wants done later (an e-mail, an import) is first committed to the database: the outbox, an
``ImportJob``. After the commit the request *kicks* a worker through ``kick``: a separate connection with a one-second
timeout and no publish retries (Celery's defaults would retry a down broker for seconds inside the request). When the
broker is down or hung the kick is dropped and logged, and a beat task finds the committed work within a minute.
"""

from __future__ import annotations

import logging
import time
from typing import Any

logger = logging.getLogger(__name__)

#: The kick gives up on a down or hung broker after about this long (connect and read).
KICK_TIMEOUT_SECONDS = 1.0
#: Within a process, after the broker failed once, stop asking it for this long: beat does the work anyway.
BROKER_QUIET_SECONDS = 60.0

_quiet_until = 0.0


def kick(task: Any, args: tuple[Any, ...] = (), *, what: str) -> bool:
    """Send ``task`` with ``args`` now if the broker answers within a second; never raises. ``what`` names the work
    in the log line when it does not (「邮件」, 「导入任务12」). Returns whether the message was sent."""
    global _quiet_until
    if time.monotonic() < _quiet_until:
        return False
    from portal.celery import app

    try:
        with app.connection_for_write(
            connect_timeout=KICK_TIMEOUT_SECONDS,
            transport_options={
                "max_retries": 0,
                "socket_timeout": KICK_TIMEOUT_SECONDS,
                "socket_connect_timeout": KICK_TIMEOUT_SECONDS,
            },
        ) as connection:
            task.apply_async(args, connection=connection, retry=False)
    except Exception as exc:  # kombu.OperationalError, redis and socket errors: whatever it is, the save stands.
        _quiet_until = time.monotonic() + BROKER_QUIET_SECONDS
        logger.warning("无法连接消息队列，%s将由定时任务稍后处理：%s", what, exc)
        return False
    return True


def listen_again() -> None:
    """Forget an earlier failure: the next kick tries the broker again (tests, and after an outage is fixed)."""
    global _quiet_until
    _quiet_until = 0.0
