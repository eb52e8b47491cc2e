"""Benchmark: the web keeps answering while a large Annex 1 import runs in a Celery worker.

    .venv/bin/python bench/import_job.py [--rows 5000] [--clients 2] [--idle 5] [--workers 2]

One run, leaving nothing behind: a throw-away PostgreSQL database (test_bench_import_job; DATABASE_URL chooses the
server; with a ``sqlite:///`` one, a throw-away SQLite file in the temporary folder), gunicorn (``--workers`` sync workers, test settings with eager tasks off) and one Celery worker (solo pool)
on kombu's filesystem transport in a temporary folder (``--broker redis://…/N`` to use Redis instead). Then:

1. **idle** — ``--clients`` clients request other pages back to back (the public post list, the policy guide, the
   publicity list, a clerk's workspace) for ``--idle`` seconds;
2. **background** — the same clients keep requesting while a clerk uploads a ``--rows``-row Annex 1 sheet through
   ``/positions/import/``, the worker validates it, the clerk confirms and the worker writes it;
3. **in the request** — for comparison, the same size through the synchronous path (a second gunicorn whose
   workers have the background threshold lifted): preview and confirmation each hold a web worker.

Prints, per phase, the other requests' latency (p50 / p95 / max) and how many were answered, and the uploading
clerk's own requests.

Each server is told which path to take, whatever the sheet's size: the first one's workers send every sheet to the
worker (``BACKGROUND_MIN_BYTES`` lowered to 0), the comparison server's import every sheet in the request. So a
small run (``--rows 5 --clients 1 --idle 0.2 --workers 1``, what tests/bench/test_benches.py runs) still goes through
both paths, although the portal itself would import a sheet under 64 KB in the request.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
# Its own database name, so the throw-away test_bench_import_job never collides with the suite's or other benches'.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_import_job")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from positions_import import make_sheet  # noqa: E402

#: What the other users read meanwhile. Not the importing district's 旬 batch page: it lists every post of the batch
#: unpaginated, so after a 5,000-row import it is slow because of its own size, which says nothing about the import.
OTHER_PAGES = ("/positions/", "/policies/", "/workspace/", "/publicity/")
SETTINGS_MODULE = "bench_import_job_settings"


# ---------------------------------------------------------------------------------------------------------------
# HTTP: a browser-like session (cookies, CSRF token from the form), no redirects followed


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _cookie(name: str, value: str) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        version=0, name=name, value=value, port=None, port_specified=False, domain="127.0.0.1",
        domain_specified=False, domain_initial_dot=False, path="/", path_specified=True, secure=False, expires=None,
        discard=True, comment=None, comment_url=None, rest={},
    )  # fmt: skip


class Browser:
    def __init__(self, base: str, session_cookie: str | None) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        if session_cookie:
            self.jar.set_cookie(_cookie("sessionid", session_cookie))

    def request(
        self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str, float]:
        """(status, body, seconds)."""
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})  # noqa: S310 (loopback)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=120) as response:
                body = response.read().decode()
                status = response.status
        except urllib.error.HTTPError as error:  # 3xx (not followed) and 4xx/5xx
            body, status = error.read().decode(errors="replace"), error.code
        return status, body, time.perf_counter() - started

    def csrf(self, path: str) -> str:
        _, body, _ = self.request(path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post_multipart(self, path: str, fields: dict[str, str], file: bytes | None = None) -> tuple[int, str, float]:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in fields.items()
        ]
        if file is not None:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="large.xlsx"\r\n'
                "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n".encode()
                + file
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        cookie = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": self.base + path}
        if cookie:
            headers["X-CSRFToken"] = cookie
        return self.request(path, data=body, headers=headers)


# ---------------------------------------------------------------------------------------------------------------
# The other users: clients requesting pages back to back, latencies recorded


class Probes:
    def __init__(self, base: str, sessions: list[str]) -> None:
        self.base, self.sessions, self.clients = base, sessions, len(sessions)
        self.latencies: list[float] = []
        self.errors = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def _run(self, offset: int) -> None:
        browser = Browser(self.base, self.sessions[offset])
        for n in range(offset, 10**9):
            if self._stop.is_set():
                return
            status, _, seconds = browser.request(OTHER_PAGES[n % len(OTHER_PAGES)])
            with self._lock:
                self.latencies.append(seconds)
                self.errors += status != 200

    @contextmanager
    def running(self) -> Iterator[Probes]:
        self.latencies, self.errors = [], 0
        self._stop.clear()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(self.clients)]
        for thread in self._threads:
            thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            for thread in self._threads:
                thread.join()

    def summary(self) -> str:
        ordered = sorted(self.latencies)
        if not ordered:
            return "no requests"
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        return (
            f"{len(ordered):>5} answered, p50 {statistics.median(ordered) * 1000:6.0f} ms, p95 {p95 * 1000:6.0f} ms, "
            f"max {ordered[-1] * 1000:6.0f} ms, errors {self.errors}"
        )


# ---------------------------------------------------------------------------------------------------------------
# Processes


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _settings_module(workdir: Path, broker: str) -> None:
    """Test settings with tasks sent to a real worker, the sheets under the work folder."""
    transport = ""
    if broker.startswith("filesystem://"):
        queue = workdir / "queue"
        transport = (
            f"CELERY_BROKER_TRANSPORT_OPTIONS = {{'data_folder_in': {str(queue)!r}, 'data_folder_out': {str(queue)!r},"
            f" 'processed_folder': {str(workdir / 'processed')!r}, 'control_folder': {str(workdir / 'control')!r},"
            " 'store_processed': False}\n"
        )
    (workdir / f"{SETTINGS_MODULE}.py").write_text(
        "from portal.settings.test import *\n"
        "CELERY_TASK_ALWAYS_EAGER = False\n"
        f"CELERY_BROKER_URL = {broker!r}\n" + transport + f"MEDIA_ROOT = {str(workdir / 'media')!r}\n"
    )
    # Each server's workers take one path whatever the sheet's size: the background server sends every sheet to the
    # worker, the comparison server imports every sheet in the request.
    for name, threshold in (("background", "0"), ("in_request", "10**12")):
        (workdir / f"gunicorn_{name}.py").write_text(
            "def post_worker_init(worker):\n"
            "    import portal.imports.jobs\n"
            f"    portal.imports.jobs.BACKGROUND_MIN_BYTES = {threshold}\n"
        )


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)  # noqa: S603


def _wait_http(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(base + "/policies/", timeout=2).read()  # noqa: S310 (loopback)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


# ---------------------------------------------------------------------------------------------------------------
# The phases


def _wait_job(job_id: int, statuses: set[str], limit: float = 600) -> float:
    from portal.models import ImportJob

    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        status = ImportJob.objects.values_list("status", flat=True).get(pk=job_id)
        if status in statuses:
            return time.perf_counter() - started
        time.sleep(0.05)
    raise SystemExit(f"import job {job_id} still not {statuses} after {limit} s")


def background_import(base: str, session: str, sheet: bytes, period: str, probes: Probes) -> dict[str, float]:
    from portal.models import ImportJob

    clerk = Browser(base, session)
    token = clerk.csrf(f"/positions/import/?period={period}")
    with probes.running():
        status, _, upload = clerk.post_multipart(
            "/positions/import/", {"csrfmiddlewaretoken": token, "period": period, "preview": ""}, sheet
        )
        assert status == 302, status
        job = ImportJob.objects.latest("pk")
        validated = _wait_job(job.pk, {"awaiting_confirmation", "failed"})
        token = clerk.csrf(f"/imports/{job.pk}/")
        status, _, confirm = clerk.post_multipart(f"/imports/{job.pk}/confirm/", {"csrfmiddlewaretoken": token})
        assert status == 302, status
        written = _wait_job(job.pk, {"done", "failed"})
    job.refresh_from_db()
    assert job.status == "done" and job.created_count == job.rows_total, (job.status, job.message)
    return {"upload": upload, "validated": validated, "confirm": confirm, "written": written}


def in_request_import(base: str, session: str, sheet: bytes, period: str, probes: Probes) -> dict[str, float]:
    clerk = Browser(base, session)
    token = clerk.csrf(f"/positions/import/?period={period}")
    with probes.running():
        status, body, preview = clerk.post_multipart(
            "/positions/import/", {"csrfmiddlewaretoken": token, "period": period, "preview": ""}, sheet
        )
        assert status == 200 and "确认导入" in body, status
        token = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)[-1]
        status, _, confirm = clerk.post_multipart(
            "/positions/import/", {"csrfmiddlewaretoken": token, "period": period, "confirm": "1"}
        )
        assert status == 302, status
    return {"preview": preview, "confirm": confirm}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument("--clients", type=int, default=2, help="other users requesting pages back to back")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of the idle measurement")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--broker", default="filesystem://", help="filesystem:// (a temporary folder) or redis://…")
    args = parser.parse_args()

    from django.core.management import call_command

    setup_test_environment()
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-job-"))
    if connection.vendor == "sqlite":
        # A file, not SQLite's in-memory test database: the web server and the worker open it too.
        connection.settings_dict["TEST"]["NAME"] = str(workdir / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        call_command("load_reference_data", verbosity=0)
        from portal.calendar import TenDayPeriod
        from portal.constants import Role
        from portal.models import District, User

        district = District.objects.get(code="500151")

        def signed_in(username: str) -> str:
            """A session of its own for each person: the import keeps its pending sheet in the uploader's."""
            user = User.objects.create(username=username, role=Role.DISTRICT_CLERK, district=district)
            client = Client()
            client.force_login(user)
            return client.cookies["sessionid"].value

        session = signed_in("bench_clerk")
        readers = [signed_in(f"bench_reader_{n}") for n in range(args.clients)]

        _settings_module(workdir, args.broker)
        settings = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT)]),
            "DATABASE_URL": (
                f"sqlite:///{settings['NAME']}"
                if connection.vendor == "sqlite"
                else f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
            ),
        }
        bin_dir = Path(sys.executable).parent
        worker_log = workdir / "worker.log"
        processes.append(
            _start(
                [
                    str(bin_dir / "celery"),
                    "-A",
                    "portal",
                    "worker",
                    "--pool",
                    "solo",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel",
                    "WARNING",
                ],
                env,
                worker_log,
            )
        )
        servers = {}
        for name in ("background", "in_request"):
            port = _free_port()
            log = workdir / f"gunicorn-{name}.log"
            command = [str(bin_dir / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "--timeout",
                       "300", "-c", str(workdir / f"gunicorn_{name}.py"), "portal.wsgi:application"]  # fmt: skip
            process = _start(command, env, log)
            processes.append(process)
            _wait_http(f"http://127.0.0.1:{port}", process, log)
            servers[name] = f"http://127.0.0.1:{port}"

        period = TenDayPeriod.current()
        sheets = [make_sheet(args.rows, district.name, seed=seed) for seed in (1, 2)]
        print(f"database: {connection.vendor} {settings['NAME']}; broker: {args.broker}; gunicorn: {args.workers} "
              f"sync workers; Celery: 1 worker (solo); {os.cpu_count()} cores")  # fmt: skip
        print(f"sheet: {args.rows} rows, {len(sheets[0]) / 1024:.0f} KB; {args.clients} other clients requesting "
              f"{', '.join(OTHER_PAGES)} back to back\n")  # fmt: skip

        probes = Probes(servers["background"], readers)
        with probes.running():
            time.sleep(args.idle)
        print(f"{'idle':<34} {probes.summary()}")

        times = background_import(servers["background"], session, sheets[0], str(period), probes)
        print(f"{'during the background import':<34} {probes.summary()}")
        print(
            f"{'':<34} clerk: upload answered in {times['upload'] * 1000:.0f} ms, validated "
            f"{times['validated']:.1f} s later; confirm answered in {times['confirm'] * 1000:.0f} ms, written "
            f"{times['written']:.1f} s later"
        )

        probes = Probes(servers["in_request"], readers)
        times = in_request_import(servers["in_request"], session, sheets[1], str(period.next()), probes)
        print(f"{'during an import in the request':<34} {probes.summary()}")
        print(
            f"{'':<34} clerk: preview answered in {times['preview']:.1f} s, confirm answered in "
            f"{times['confirm']:.1f} s (each holding a web worker)"
        )
    finally:
        for process in processes:
            _stop(process)
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
