"""Every benchmark under bench/ still runs: each at its smallest size, in a process of its own, finishes and prints its
figures. Nothing here is a timing assertion: the figures are looked for, never judged.

The benchmarks are started together (as many at once as the machine has cores) when the first of them is needed,
and each test waits for its own, so the module costs little more than the slowest one. Each creates and drops its own database: on SQLite (no ``DATABASE_URL``) an
in-memory one, or a file in the test's temporary folder for ``import_job`` (its web server and worker open it too); on
PostgreSQL (``DATABASE_URL=postgres://…``, as in CI) a ``test_bench_smoke_…`` database on the same server.
``load.py`` needs PostgreSQL whatever the suite runs on: it runs when ``DATABASE_URL`` or ``BENCH_POSTGRES`` names a
server (its pieces are checked on any database by ``test_load_smoke.py``), with a redis-server of its own.

``bench/faults.sh`` is not run here: it only runs ``tests/faults``, which are part of the suite already.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.faults.support import REDIS_SERVER, RedisServer

ROOT = Path(__file__).resolve().parents[2]
#: A guard against a hang, not a timing: on a loaded machine the first WeasyPrint render after a font is installed
#: spends minutes building fontconfig's cache.
TIMEOUT = 900


#: bench/write_cpu.py's layers and their requests per task.
LAYER_ROWS = (("bare-post", 1), ("stack", 2), ("stack-post", 1), ("api", 1), ("api-key", 1))


@dataclass(frozen=True)
class Bench:
    args: tuple[str, ...]
    #: Lines the run must print (regular expressions, each searched in the whole output).
    prints: tuple[str, ...]
    needs_postgres: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    #: The database of the bench's own redis-server it is given (the load bench's 5, the write bench's 6).
    redis_db: int = 5


BENCHES = {
    "claim_pdf": Bench(
        ("--sizes", "1", "--repeat", "1"),
        (
            r"people\s+document\s+first.*\s+bare\s+ratio\s+cpu ratio\s+stored\s+faster",
            r"\n\s+1\s+annex2\s+\d+ms .*KB\s+\d+\s+\d+ms\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\.\dms\s+\d+x\n",
            r"\n\s+1\s+annex3\s+\d+ms .*KB\s+\d+\s+\d+ms\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\.\dms\s+\d+x\n",
        ),
    ),
    "notice_pdf": Bench(
        ("--sizes", "1", "--repeat", "1"),
        (
            r"people\s+first.*\s+bare\s+ratio\s+cpu ratio\s+stored\s+faster",
            r"\n\s+1\s+\d+ms .*KB\s+\d+\s+\d+ms\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\.\dms\s+\d+x\n",
        ),
    ),
    "dashboard": Bench(
        ("--requests", "1", "--posts", "100", "--hires", "40"),
        (r"41 districts", r"\n\s+1/10\s+10\s+4\s+\d+ .*\n", r"\n\s+1\s+100\s+40\s+\d+ .*\n"),
    ),
    "positions_import": Bench(
        ("--sizes", "10", "--list-sizes", "10,20"),
        (r"\n\s+10\s+[\d.]+s\s+[\d.]+s\s+[\d.]+s\s+[\d.]+s", r"/positions/\s+10 posts: \d+\s+20 posts: \d+"),
    ),
    "import_job": Bench(
        ("--rows", "5", "--clients", "1", "--idle", "0.2", "--workers", "1"),
        (
            r"sheet: 5 rows",
            r"idle\s+\d+ answered",
            r"during the background import\s+\d+ answered.*errors 0",
            r"clerk: upload answered in \d+ ms, validated [\d.]+ s later; confirm answered in \d+ ms, written",
            r"during an import in the request\s+\d+ answered.*errors 0",
        ),
    ),
    "sheet_memory": Bench(
        (
            "--concurrent",
            "1",
        ),
        (r"one number in A1000000:", r"one number in BL100020:", r"resident set over the baseline", "数据行过多"),
    ),
    "load": Bench(
        (
            *("--duration", "1", "--warmup", "0", "--rate", "0", "--users", "1", "--configs", "1x1"),
            *("--notices", "1", "--people-per-notice", "1", "--posts-per-district", "1", "--claims-per-party", "3"),
            *("--database", "bench_smoke_load"),
        ),
        # The goal's verdict is a timing: not judged here, but every phase ran, each line of the ratio table was
        # printed, and the run had no errors.
        (
            r"== 1 workers × 1 threads: \d+ s measured",
            r"\n\s+overall\s+\d+",
            *(r"bare GET /\s+\d+", r"bare POST /form/\s+\d+", r"public GET /publicity/\s+\d+"),
            *(r"clerk (GET|POST) /(positions|hires)/\[id\]/edit/\s+\d+", r"claim POST /api/v1/claims/\S*\s+\d+"),
            r"public reads, 1 users, unpaced\s+[\d.]+ req/s\s+[\d.]+ req/s \(bare read\)\s+[\d.]+",
            r"mixed 60/25/15, unpaced\s+[\d.]+ req/s, p95 \d+ ms\s+[\d.]+ req/s \(bare read\)\s+[\d.]+",
            r"web CPU/request, clerk edit \(GET\+POST\)\s+[\d.]+ ms\s+[\d.]+ ms \(bare GET\+POST\)\s+[\d.]+",
            r"web CPU/request, claim API \(4 POSTs\)\s+[\d.]+ ms\s+[\d.]+ ms \(bare POST\)\s+[\d.]+",
            r"machine speed: \d+–\d+ ms for the reference loop",
            r"goal \(.*\): (met|NOT met) — .*, 0 errors",
        ),
        needs_postgres=True,
    ),
    "write_cpu": Bench(
        (
            *("--repeat", "2", "--warmup", "1", "--rounds", "1", "--database", "bench_writes_smoke"),
            *("--profile", "stack-post", "--top", "5"),
        ),
        (
            r"\n\s+bare\s+2\s+\d+\.\d\d\s+\d+\.\d\d\s+1\.00",
            # The layers between the floor and the portal (bench/stack.py, in a child process of their own).
            *(rf"\n\s+{kind}\s+{requests}\s+\d+\.\d\d\s+\d+\.\d\d\s+-?\d+\.\d\d" for kind, requests in LAYER_ROWS),
            r"\n\s+position\s+2\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\.\d\d",
            r"\n\s+hire\s+2\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\.\d\d",
            r"\n\s+claim\s+4\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\.\d\d",
            *(
                rf"\n\s+{kind}\s+-?\d+\.\d\d = \S+ -?\d+\.\d\d \+ fixed -?\d+\.\d\d \+"
                for kind in ("position", "hire", "claim")
            ),
            r"Idempotency-Key's stored reply \(api-key − api\): -?\d+\.\d\d ms",
            # --profile of a layer: asked of its child process, with the tracer's summary by component.
            r"Profile of stack-post:",
            r"CPU by component \(2 requests traced",
            r"\d+\.\d%  middleware: SessionMiddleware\n",
            r"\d+\.\d%  DB driver execute\n",
        ),
        needs_postgres=True,
        redis_db=6,
    ),
}


def _postgres_server() -> str | None:
    """``postgres://user@host:port`` of the suite's PostgreSQL, or of ``BENCH_POSTGRES``; None on SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    return os.environ.get("BENCH_POSTGRES") or None


@dataclass
class Run:
    process: subprocess.Popen[bytes]
    output: Path
    redis: RedisServer | None = None

    started: float = field(default_factory=time.monotonic)

    def wait(self) -> tuple[int, str]:
        try:
            code = self.process.wait(timeout=max(1.0, self.started + TIMEOUT - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = -9
        finally:
            if self.redis is not None:
                self.redis.stop()
        return code, self.output.read_text(errors="replace")


def _start(name: str, bench: Bench, workdir: Path) -> Run | str:
    """The bench started, or why it cannot run here."""
    workdir.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "CELERY_BROKER_URL", "DATABASE_URL")}
    env["PYTHONUNBUFFERED"] = "1"
    args = list(bench.args)
    server = _postgres_server()
    redis = None
    if bench.needs_postgres:
        if server is None:
            return "needs PostgreSQL: DATABASE_URL or BENCH_POSTGRES naming a server"
        if not Path(REDIS_SERVER).exists():
            return f"needs redis-server ({REDIS_SERVER}) to start one of its own"
        redis = RedisServer(workdir)
        redis.start()
        args += ["--server", server, "--redis", redis.url.removesuffix("/0") + f"/{bench.redis_db}"]
    elif os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        env["DATABASE_URL"] = f"{server}/bench_smoke_{name}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    output = workdir / "output.txt"
    with output.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 (our own scripts, fixed arguments)
            [sys.executable, str(ROOT / "bench" / f"{name}.py"), *args],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    return Run(process, output, redis)


class Benches:
    """The selected benches, run in order with at most ``at_once`` running; ``result(name)`` waits for one."""

    def __init__(self, names: list[str], base: Path) -> None:
        self.waiting, self.base = list(names), base
        self.at_once = (os.cpu_count() or 1) + 1  # import_job and sheet_memory wait on children much of the time
        self.running: dict[str, Run] = {}
        self.results: dict[str, tuple[int, str] | str] = {}
        self._fill()

    def _fill(self) -> None:
        while self.waiting and len(self.running) < self.at_once:
            name = self.waiting.pop(0)
            run = _start(name, BENCHES[name], self.base / name)
            if isinstance(run, str):
                self.results[name] = run
            else:
                self.running[name] = run

    def result(self, name: str) -> tuple[int, str] | str:
        """(exit code, output), or why the bench cannot run here."""
        while name not in self.results:
            oldest = next(iter(self.running))
            self.results[oldest] = self.running.pop(oldest).wait()
            self._fill()
        return self.results[name]

    def stop(self) -> None:
        for run in self.running.values():
            run.process.kill()
            run.wait()


@pytest.fixture(scope="module")
def benches(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Benches]:
    """Every bench this session selected, started as the cores allow."""
    names = [
        item.callspec.params["name"]
        for item in request.session.items
        if getattr(item, "module", None) is request.module
        and hasattr(item, "callspec")
        and "name" in item.callspec.params
    ]
    started = Benches(names, tmp_path_factory.mktemp("benches"))
    yield started
    started.stop()


@pytest.mark.parametrize("name", list(BENCHES))
def test_the_bench_runs_at_its_smallest_size(name: str, benches: Benches) -> None:
    begun = time.monotonic()
    result = benches.result(name)
    if isinstance(result, str):
        pytest.skip(f"bench/{name}.py {result}")
    code, output = result
    shown = f"bench/{name}.py {' '.join(BENCHES[name].args)} (exit {code}):\n{output[-4000:]}"
    # load.py answers 1 when the goal (a timing) is not met: judged by its lines, not its exit code.
    assert code == 0 or (name == "load" and code == 1 and "NOT met" in output), shown
    assert "Traceback" not in output, shown
    for pattern in BENCHES[name].prints:
        assert re.search(pattern, output), f"{pattern!r} not printed by {shown}"
    print(f"bench/{name}.py waited for {time.monotonic() - begun:.1f} s")
