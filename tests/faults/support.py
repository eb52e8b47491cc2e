"""What the fault tests break things with, all private to the test: a redis-server of its own, a TCP proxy in front of
PostgreSQL, a Celery worker subprocess, and a polling wait.

The machine's shared Redis (6379) and PostgreSQL are never stopped, paused or reconfigured: a test starts its own
redis-server on a free loopback port, and cuts "PostgreSQL" by cutting the proxy its app connections go through.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

import redis

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
T = TypeVar("T")


def wait_until(
    condition: Callable[[], T], *, timeout: float, what: str | Callable[[], str], interval: float = 0.05
) -> T:
    """Poll ``condition`` until it returns something truthy (returned) or ``timeout`` seconds pass (AssertionError
    saying ``what``, or what ``what()`` says then: e.g. a worker's log at that moment).

    Robust on a loaded machine: a generous bound, a short interval, and no fixed sleep that is either too short or
    wastes time."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            described = what() if callable(what) else what
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {described}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ---------------------------------------------------------------------------------------------------------------
# A private Redis
# ---------------------------------------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of the test's own on a free loopback port, without persistence: stop, hang and restart it.

    Stopping it loses whatever it held (``--save ""``, no AOF), like a broker that crashed: the portal must not
    depend on the broker's memory for anything it promised a user."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self.process is None, "already running"
        self.process = subprocess.Popen(  # noqa: S603 (a fixed program with fixed arguments)
            [
                REDIS_SERVER,
                *("--port", str(self.port), "--bind", "127.0.0.1", "--protected-mode", "no"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.workdir)),
                *("--logfile", str(self.workdir / f"redis-{self.port}.log"), "--loglevel", "warning"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.answers, timeout=20, what=f"redis-server on port {self.port}")

    def answers(self) -> bool:
        try:
            return bool(self.client(timeout=0.5).ping())
        except redis.RedisError:
            return False

    def client(self, timeout: float = 2.0) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=timeout, socket_connect_timeout=timeout)

    def stop(self) -> None:
        """Shut it down (SIGTERM; SIGKILL if it does not go): connections are refused from now on."""
        if self.process is None:
            return
        process, self.process = self.process, None
        process.send_signal(signal.SIGCONT)  # a hung (stopped) process cannot act on SIGTERM
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def hang(self) -> None:
        """SIGSTOP: the port still accepts connections (the kernel queues them) but nothing ever answers."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def wake(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)


# ---------------------------------------------------------------------------------------------------------------
# A TCP proxy in front of PostgreSQL
# ---------------------------------------------------------------------------------------------------------------


class _Relay:
    """One client connection and its upstream connection; closing either end closes both."""

    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.client = client
        self.upstream = upstream
        self._closed = threading.Event()

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):  # already shut down by the other side
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


class TcpProxy:
    """Relays 127.0.0.1:<port> to ``target``. ``cut()`` is "the server stopped": every relayed connection is closed and
    new ones are refused until ``restore()``, on the same port. ``drop_next(marker)`` closes the connection whose next
    client message contains ``marker`` instead of passing it on (e.g. a transaction's COMMIT), deterministically."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.accepted = 0
        self.dropped = 0
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._relays: set[_Relay] = set()
        self._drop_marker: bytes | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name="db-proxy", daemon=True)

    def start(self) -> int:
        self._listen()
        self._thread.start()
        return self.port

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                listener = self._listener
            if listener is None:
                time.sleep(0.02)
                continue
            try:
                client, _ = listener.accept()
            except OSError:  # a timeout, or the listener was closed by cut(): look again
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            client.settimeout(None)
            relay = _Relay(client, upstream)
            with self._lock:
                self._relays.add(relay)
                self.accepted += 1
            for source, dest, watch in ((client, upstream, True), (upstream, client, False)):
                threading.Thread(target=self._pump, args=(relay, source, dest, watch), daemon=True).start()

    def _pump(self, relay: _Relay, source: socket.socket, dest: socket.socket, watch: bool) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if watch and self._should_drop(data):
                    break
                dest.sendall(data)
        except OSError:
            pass
        finally:
            relay.close()
            with self._lock:
                self._relays.discard(relay)

    def _should_drop(self, data: bytes) -> bool:
        with self._lock:
            if self._drop_marker is None or self._drop_marker not in data:
                return False
            self._drop_marker = None
            self.dropped += 1
            return True

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._relays)

    def cut(self) -> None:
        """Refuse new connections and close every open one (the server side sees its clients vanish)."""
        with self._lock:
            listener, self._listener = self._listener, None
            relays = list(self._relays)
        if listener is not None:
            listener.close()
        for relay in relays:
            relay.close()

    def kill_connections(self) -> None:
        """Close every open connection but keep accepting: a blip between two requests."""
        with self._lock:
            relays = list(self._relays)
        for relay in relays:
            relay.close()

    def restore(self) -> None:
        self._listen()

    def drop_next(self, marker: bytes) -> None:
        with self._lock:
            self._drop_marker = marker

    def close(self) -> None:
        self._stopping.set()
        self.cut()
        self._thread.join(timeout=5)


# ---------------------------------------------------------------------------------------------------------------
# A Celery worker subprocess
# ---------------------------------------------------------------------------------------------------------------


class WorkerProcess:
    """``celery -A portal worker`` in a process of its own (a real worker: killing it kills everything it was doing),
    configured by ``tests.faults.worker_settings`` with the given environment; its log goes to a file."""

    def __init__(self, name: str, env: Mapping[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        # CELERY_SKIP_CHECKS: Django's system checks (run by `make test` anyway) would add seconds to each start.
        self._env = {
            **os.environ,
            **env,
            "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
            "CELERY_SKIP_CHECKS": "1",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
                [
                    sys.executable,
                    *("-m", "celery", "-A", "portal", "worker", "--pool", "solo", "--loglevel", "INFO"),
                    *("--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{self.name}@faults"),
                ],
                cwd=BASE_DIR,
                env=self._env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: SIGKILL reaches every process it started
            )

    def kill(self) -> None:
        """SIGKILL, the worker's whole process group: no clean-up, no acknowledgement, no rollback sent."""
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """A warm shutdown (SIGTERM), then SIGKILL if it lingers; safe to call when it already ended."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""
