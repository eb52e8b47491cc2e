"""The embedded deployment's SQLite under two writers at once: the web process and the threaded Celery worker each
start transactions that read and then write. The portal's transactions begin IMMEDIATE (portal.settings.base), so
the second writer waits for the first under the busy timeout instead of being told "database is locked"."""

from __future__ import annotations

import copy
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper

from portal.settings import base


def _connection(path: Path, options: dict[str, object]) -> DatabaseWrapper:
    settings_dict = copy.deepcopy(settings.DATABASES["default"])
    settings_dict.update({"ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": options})
    return DatabaseWrapper(settings_dict, alias=f"locking-{id(options)}-{time.monotonic_ns()}")


def _read_then_write(path: Path, options: dict[str, object], errors: list[str]) -> None:
    connection = _connection(path, options)
    try:
        with connection.cursor() as cursor:
            connection.set_autocommit(False)
            cursor.execute("SELECT count(*) FROM counter")
            time.sleep(0.3)  # the other writer reads meanwhile
            cursor.execute("INSERT INTO counter VALUES (1)")
            connection.commit()
    except Exception as error:
        errors.append(str(error))
    finally:
        connection.close()


def _two_writers(path: Path, options: dict[str, object]) -> list[str]:
    setup = _connection(path, options)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS counter (n integer)")
    setup.close()
    errors: list[str] = []
    threads = [threading.Thread(target=_read_then_write, args=(path, options, errors)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.skipif(not base.DATABASES["default"]["ENGINE"].endswith("sqlite3"), reason="the SQLite set-up only")
def test_two_writers_at_once_both_commit(tmp_path: Path, django_db_blocker: Any) -> None:
    options = dict(base.DATABASES["default"]["OPTIONS"])
    with django_db_blocker.unblock():
        assert _two_writers(tmp_path / "portal.sqlite3", options) == []
