"""The web server as deployed (``portal.gunicorn_conf``): one request at a time per worker, a connection taken only by
a free worker and closed after its reply."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).parent / "gunicorn"

# A WSGI application that answers with its process id, after the pause its path asks for.
APP = textwrap.dedent(
    """
    import os, time

    def application(environ, start_response):
        time.sleep(float(environ["PATH_INFO"].strip("/") or 0))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(os.getpid()).encode()]
    """
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str) -> tuple[str, str | None]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.read().decode(), response.getheader("Connection")
    finally:
        connection.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[int]:
    (tmp_path / "pause_app.py").write_text(APP)
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": f"{tmp_path}{os.pathsep}{BASE_DIR}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
    }
    env.pop("GUNICORN_THREADS", None)
    env.pop("GUNICORN_KEEPALIVE", None)
    process = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [str(GUNICORN), "-c", "python:portal.gunicorn_conf", "pause_app:application"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(port, "/")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_request_waits_for_a_free_worker_not_behind_a_busy_one(server: int) -> None:
    answers: list[str] = []

    def slow() -> None:
        answers.append(_get(server, "/1.5")[0])

    first = threading.Thread(target=slow)
    first.start()
    time.sleep(0.3)  # the first request is being served
    # Every request asked meanwhile goes to the other worker: the busy one takes no connection until it is free.
    others = {_get(server, "/")[0] for _ in range(5)}
    first.join()
    assert len(others) == 1
    assert answers[0] not in others


def test_every_reply_closes_its_connection(server: int) -> None:
    assert _get(server, "/")[1] == "close"
