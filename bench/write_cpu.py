"""CPU per request of the portal's writes, in one process, against the floor of a bare Django form POST and the
layers between the two.

    .venv/bin/python bench/write_cpu.py [--repeat 40] [--profile KIND] [--queries]

One run:

1. creates a throw-away PostgreSQL database (``bench_writes``; ``--database`` picks another name starting with
   ``bench_writes``), migrates it, loads the reference data and seeds it with ``bench.load.seed`` (one clerk, one
   third party with a claimable hire for every claim the run submits), with ``portal.settings.bench`` (production
   settings over plain HTTP, the Redis cache on database 6 — the load benchmark uses 5);
2. signs the clerk in through the real login form, then runs each kind of write ``--repeat`` times through Django's
   test client (CSRF checks on) and takes ``time.process_time`` around each: a clerk's edit of a post (``position``:
   GET the Annex 1 form, POST it back with a field changed), of a hire (``hire``: Annex 3), and a third party's
   claim through the API (``claim``: create the draft with an ``Idempotency-Key``, upload two scans, submit) — the
   functions of ``bench/load.py``;
3. runs the floor and the layers the same way, each in a child process with settings of its own, on the same
   database, in rounds alternating with the portal's kinds (the machine is shared: a busy spell falls on both sides
   of each ratio):

   - ``bare`` (``DJANGO_SETTINGS_MODULE=bench.bare``): the bare project's form, GET ``/form/`` + POST it back
     (sessions, CSRF, ``SecurityMiddleware``; one UPDATE + one INSERT); ``bare-post``: its POST alone;
   - ``stack`` (``DJANGO_SETTINGS_MODULE=bench.stack``): the same view, form, template, UPDATE and INSERT under the
     portal's settings and whole middleware (sessions, CSRF, authentication, OTP, Axes, the audit context, CSP and
     the security headers, WhiteNoise, locale, messages, the portal's own middlewares; its template engine and
     context processors), signed in as the same clerk through the portal's login; ``stack-post``: its POST alone;
   - ``api`` (same process): a DRF ``APIView`` POST with the portal's ``REST_FRAMEWORK`` (session and token
     authentication, permission, throttles counting in Redis, content negotiation, JSON parsing and rendering, the
     portal's exception handler) and its ``@idempotent`` decorator, authenticated by the claim's third party's
     token: a serializer of the bare form's five fields, the same UPDATE + INSERT, a small JSON reply (201);
     ``api-key``: the same with an ``Idempotency-Key`` (the decorator stores the reply);

4. prints CPU ms per request (fastest and median task, divided by its requests), the ratio to the bare form, and the
   queries per request; then where each portal kind's median goes: for the pages, bare + fixed (stack − bare: what
   every request of the portal pays) + page (kind − stack: the page's own work); for the claim, whose requests are
   all POSTs, bare-post + fixed (stack-post − bare-post) + DRF (api − stack-post) + API (claim − api: the API's own
   work), and apart what an ``Idempotency-Key`` adds (api-key − api; the claim sends one in four requests);
   ``--profile KIND`` adds a cProfile top list of that kind (asked of its child process for a layer) and the CPU
   by component of ``bench/components.py``: by owner (each middleware class, DRF's dispatch, the idempotency
   decorator, auditlog, the test client, each module of the app's own code) and by kind of work (templates, forms,
   ORM SQL compile, ORM models and querysets, DB driver execute, the Redis cache client, DRF serializers);
5. drops the database and empties Redis database 6.

The CPU is the whole process's: the test client's own work (building the request, parsing the page's form) is in
every side's figures, the PostgreSQL server's is in none. The form of ``bare`` and ``stack`` renders with Django's
own form renderer on both sides (``bench.bare``), not the portal's faster one: the difference is what every request
pays, not how a form is drawn.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import (  # noqa: E402
    FORM,
    ClientHttp,
    Plan,
    _environment,
    bare_save,
    bare_sign_in,
    claim_submit,
    clerk_edit_hire,
    clerk_edit_position,
    clerk_login,
    form_fields,
    fresh_database,
    seed,
    teardown,
)

#: Requests one task of each kind makes.
REQUESTS = {
    **{"position": 2, "hire": 2, "claim": 4},
    **{"bare": 2, "bare-post": 1, "stack": 2, "stack-post": 1, "api": 1, "api-key": 1},
}
KINDS = ("position", "hire", "claim")
#: The layers between the floor and the portal, each served by a child process with its own settings module.
LAYERS = {"bench.bare": ("bare", "bare-post"), "bench.stack": ("stack", "stack-post", "api", "api-key")}
#: Every kind, in the table's order: the floor, the layers, the portal's writes.
ALL_KINDS = (*LAYERS["bench.bare"], *LAYERS["bench.stack"], *KINDS)


def bare_edit(http: ClientHttp, rng: random.Random) -> None:
    """The bare project's form: GET it, POST it back with a field changed (303)."""
    page = http.request("GET", "/form/", name="bare GET /form/", expect=[200])
    fields = form_fields(page.text, having="note")
    from urllib.parse import urlencode

    body = urlencode([(n, f"保存{rng.randint(1, 9)}" if n == "note" else v) for n, v in fields]).encode()
    http.request("POST", "/form/", name="bare POST /form/", expect=[303], body=body, content_type=FORM)


def api_save(http: ClientHttp, token: str, rng: random.Random, *, key: bool) -> None:
    """The API layer (``bench.stack``'s ``/api/bare/``): the bare form's five fields as a JSON POST with the third
    party's token, as its business system sends a claim; with ``key``, a fresh ``Idempotency-Key`` as well (201)."""
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    if key:
        headers["Idempotency-Key"] = uuid.uuid4().hex
    body = {
        "item": rng.randint(1, 200),
        "name": rng.choice(("张三", "李四", "王五")),
        "post": "软件工程师",
        "note": f"保存{rng.randint(1, 999)}",
        "arrived": "2026-07-01",
    }
    http.request(
        "POST",
        "/api/bare/",
        name="api POST /api/bare/",
        expect=[201],
        body=json.dumps(body).encode(),
        content_type="application/json",
        headers=headers,
    )


def measure(task: Callable[[], None], repeat: int, warmup: int) -> list[float]:
    """CPU milliseconds of each of ``repeat`` runs of ``task`` (after ``warmup`` unmeasured ones)."""
    for _ in range(warmup):
        task()
    times = []
    for _ in range(repeat):
        started = time.process_time()
        task()
        times.append(1000 * (time.process_time() - started))
    return times


def count_queries(task: Callable[[], None], show: bool = False) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        task()
    if show:
        for query in captured.captured_queries:
            print(f"    {query['sql'][:220]}")
    return len(captured.captured_queries)


def profile(kind: str, task: Callable[[], None], repeat: int, top: int) -> str:
    """cProfile's view of ``repeat`` tasks (own CPU by package, then its cumulative and own-time lists), then
    ``bench.components``' view of as many more (CPU by middleware, DRF, idempotency, audit, app; and by kind of work)."""
    from django.conf import settings

    from bench.components import ComponentProfile

    profiler = cProfile.Profile(time.process_time)  # CPU, not wall: waiting on PostgreSQL is not ours
    profiler.enable()
    for _ in range(repeat):
        task()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    groups: dict[str, float] = {}
    for (filename, _, name), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        groups[_group(filename, name)] = groups.get(_group(filename, name), 0.0) + own
    total = sum(groups.values()) or 1.0
    out.write(f"Profile of {kind}:\nOwn CPU by code (share of the profiled time):\n")
    for group, own in sorted(groups.items(), key=lambda item: -item[1])[:top]:
        out.write(f"  {100 * own / total:5.1f}%  {group}\n")
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    components = ComponentProfile(list(settings.MIDDLEWARE))
    components.run(task, repeat)
    out.write(components.report(repeat * REQUESTS[kind], top))
    return out.getvalue()


def _group(filename: str, name: str) -> str:
    """Where a function's own time goes: a Django or library package (two levels), the portal's app, or a builtin."""
    if filename == "~":
        return "builtins: " + name.split(" of ")[0].replace("<built-in method ", "").rstrip(">")
    path = filename.replace("\\", "/")
    if "site-packages/" in path:
        parts = path.split("site-packages/", 1)[1].split("/")
        return "/".join(parts[:3] if parts[0] == "django" else parts[:1])
    if path.startswith(str(ROOT)):
        return "/".join(Path(path).relative_to(ROOT).parts[:2])
    return "stdlib/" + Path(path).name


# ---- The floor and the layers (child processes, each with its own DJANGO_SETTINGS_MODULE) ---------------------------


def layer_tasks(settings_module: str) -> dict[str, Callable[[], None]]:
    """The tasks a child process runs: the bare form (``bench.bare``), or the same form under the portal's settings
    signed in as the run's clerk, and the no-op API as its third party (``bench.stack``; the plan in
    ``BENCH_WRITES_PLAN``)."""
    from django.db import connection

    from bench import bare

    bare.prepare(connection)
    browser, rng = ClientHttp(), random.Random(1)
    if settings_module == "bench.bare":
        fields = bare_sign_in(browser)  # the POST alone sends this page's CSRF token, as a second save would
        return {"bare": lambda: bare_edit(browser, rng), "bare-post": lambda: bare_save(browser, fields, rng)}
    plan = Plan.from_json(os.environ["BENCH_WRITES_PLAN"])
    machine = ClientHttp()
    clerk_login(browser, plan.clerks[0], plan.password)
    fields = bare_sign_in(browser)
    token = plan.parties[0].token
    return {
        "stack": lambda: bare_edit(browser, rng),
        "stack-post": lambda: bare_save(browser, fields, rng),
        "api": lambda: api_save(machine, token, rng, key=False),
        "api-key": lambda: api_save(machine, token, rng, key=True),
    }


def layer_main(args: argparse.Namespace) -> None:
    """A child's process: on each line ``KIND N`` from its parent, runs N tasks of that kind and answers their CPU
    times; on ``profile KIND``, answers that kind's profile."""
    import django

    django.setup()
    tasks = layer_tasks(os.environ["DJANGO_SETTINGS_MODULE"])
    queries = {}
    for kind, task in tasks.items():
        measure(task, 0, args.warmup)
        queries[kind] = count_queries(task)
    print("READY " + json.dumps({"queries": queries}), flush=True)
    for command in sys.stdin:
        words = command.split()
        if len(words) == 2 and words[0] == "profile":
            print("PROFILE " + json.dumps(profile(words[1], tasks[words[1]], args.repeat, args.top)), flush=True)
        elif len(words) == 2:
            print("TIMES " + json.dumps(measure(tasks[words[0]], int(words[1]), 0)), flush=True)


class LayerProcess:
    """A child process with settings of its own (the bare project's, or the stack's), asked for rounds of tasks
    between the portal's."""

    def __init__(self, settings_module: str, args: argparse.Namespace, env: dict[str, str]) -> None:
        command = [sys.executable, __file__, "--layer-process", "--repeat", str(args.repeat)]
        command += ["--warmup", str(args.warmup), "--top", str(args.top)]
        child_env = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": settings_module}
        self.name = settings_module
        self.kinds = LAYERS[settings_module]
        self.process = subprocess.Popen(  # noqa: S603 (this script)
            command, cwd=ROOT, env=child_env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.queries = {kind: int(count) for kind, count in self._answer("READY")["queries"].items()}

    def _answer(self, tag: str) -> Any:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith(tag + " "):
                return json.loads(line[len(tag) + 1 :])
        raise SystemExit(f"the {self.name} process failed (exit {self.process.wait()})")

    def _ask(self, command: str, tag: str) -> Any:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self._answer(tag)

    def times(self, kind: str, tasks: int) -> list[float]:
        return list(self._ask(f"{kind} {tasks}", "TIMES"))

    def profile(self, kind: str) -> str:
        return str(self._ask(f"profile {kind}", "PROFILE"))

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


# ---- The portal side (this process) --------------------------------------------------------------------------------


def environment(args: argparse.Namespace, workdir: Path) -> dict[str, str]:
    """The load bench's settings, with the test client's host name (the test runner would add it; this is not a test
    run) and a static root of its own."""
    env = _environment(args, workdir)
    env["DJANGO_ALLOWED_HOSTS"] += ",testserver"
    env["BENCH_STATIC_ROOT"] = str(workdir / "static")
    return env


def setup(args: argparse.Namespace, claims: int) -> Plan:
    started = fresh_database(args)
    from auditlog.context import disable_auditlog

    with disable_auditlog():  # the seed's own history is not what is measured
        plan = seed(
            clerks=1,
            parties=1,
            claims_per_party=claims,
            notices=1,
            people_per_notice=2,
            posts_per_district=args.posts_per_district,
        )
    print(f"set-up: migrated, reference data, seed in {time.monotonic() - started:.0f} s", flush=True)
    return plan


def portal_tasks(plan: Plan) -> dict[str, Callable[[], None]]:
    clerk, party = plan.clerks[0], plan.parties[0]
    browser, machine, rng = ClientHttp(), ClientHttp(), random.Random(1)
    clerk_login(browser, clerk, plan.password)
    hires = list(party.hires)

    def claim() -> None:
        claim_submit(machine, party, hires.pop())

    return {
        "position": lambda: clerk_edit_position(browser, clerk, rng),
        "hire": lambda: clerk_edit_hire(browser, clerk, rng),
        "claim": claim,
    }


def per_request(times: list[float], kind: str) -> tuple[float, float]:
    """The fastest and the median task's CPU ms, divided by the task's requests."""
    return min(times) / REQUESTS[kind], statistics.median(times) / REQUESTS[kind]


def line(kind: str, times: list[float], queries: int, floor: tuple[float, float]) -> str:
    fastest, median = per_request(times, kind)
    ratio = f"{fastest / floor[0]:6.2f} {median / floor[1]:6.2f}"
    return f"  {kind:<10} {REQUESTS[kind]:>4} {fastest:>9.2f} {median:>9.2f}  {ratio}  {queries / REQUESTS[kind]:>8.1f}"


def where_it_goes(medians: dict[str, float]) -> list[str]:
    """Each portal kind's median CPU per request split along the layers: the floor, the portal's fixed cost (stack −
    bare), DRF's (api − stack-post, for the API), and what is left: the page's or the API's own work."""
    bare, stack, api, keyed = medians["bare"], medians["stack"], medians["api"], medians["api-key"]
    bare_post, stack_post = medians["bare-post"], medians["stack-post"]
    lines = [
        "Where it goes (median CPU ms per request; in brackets, as multiples of the bare form's):",
        "  the pages (GET + POST): bare + fixed (stack − bare: the portal's middleware and settings)"
        " + page (kind − stack: the page's own work)",
        "  the API (POSTs): bare-post + fixed (stack-post − bare-post) + DRF (api − stack-post)"
        " + API (claim − api: the API's own work)",
    ]
    for kind in KINDS:
        total = medians[kind]
        if kind == "claim":
            parts = {
                "bare-post": bare_post,
                "fixed": stack_post - bare_post,
                "DRF": api - stack_post,
                "API": total - api,
            }
        else:
            parts = {"bare": bare, "fixed": stack - bare, "page": total - stack}
        split = " + ".join(f"{label} {ms:.2f}" for label, ms in parts.items())
        multiples = " + ".join(f"{ms / bare:.2f}" for ms in parts.values())
        lines.append(f"  {kind:<10} {total:6.2f} = {split}  [{total / bare:.2f} = {multiples}]")
    lines.append(
        f"  an Idempotency-Key's stored reply (api-key − api): {keyed - api:.2f} ms [{(keyed - api) / bare:.2f}],"
        f" on the first of the claim's {REQUESTS['claim']} requests"
    )
    return lines


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=40, help="measured tasks of each kind (default 40)")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured tasks of each kind first (default 5)")
    parser.add_argument("--profile", choices=ALL_KINDS, help="print a profile of this kind")
    parser.add_argument(
        "--posts-per-district",
        type=int,
        default=2,
        help="published posts in each district (the Annex 3 form lists them)",
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="rounds alternating the layers and the portal (default 5)"
    )
    parser.add_argument("--queries", action="store_true", help="print the SQL of one task of each portal kind")
    parser.add_argument("--top", type=int, default=40, help="lines of the profile's lists")
    parser.add_argument("--database", default="bench_writes", help="throw-away database (starts with bench_writes)")
    parser.add_argument("--server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6", help="cache and broker (not 0, not 5)")
    parser.add_argument("--layer-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.layer_process:
        layer_main(args)
        return 0
    if not args.database.startswith("bench_writes"):
        parser.error("--database must start with 'bench_writes': the script drops it at the end")
    if args.redis.rstrip("/").endswith(("/0", "/5")):
        parser.error("--redis: use a database other than 0 (CI's) and 5 (the load benchmark's)")
    workdir = Path(tempfile.mkdtemp(prefix="bench-writes-"))
    env = environment(args, workdir)
    os.environ.update(env)
    # Every claim uses a hire of its own: warm-up, measured, counted and profiled runs, twice over for safety.
    claims = 2 * (args.warmup + args.repeat + 1) + (2 * args.repeat if args.profile == "claim" else 0)
    children: list[LayerProcess] = []
    try:
        plan = setup(args, claims)
        children.append(LayerProcess("bench.bare", args, env))
        children.append(LayerProcess("bench.stack", args, {**env, "BENCH_WRITES_PLAN": plan.to_json()}))
        tasks = portal_tasks(plan)
        times: dict[str, list[float]] = {kind: [] for kind in ALL_KINDS}
        queries = {kind: count for child in children for kind, count in child.queries.items()}
        for kind in KINDS:
            measure(tasks[kind], 0, args.warmup)
            queries[kind] = count_queries(tasks[kind])
            if args.queries:
                print(f"{kind}:")
                count_queries(tasks[kind], show=True)
        # Rounds: the floor, the layers, then each kind, again and again, so that a busy spell of the shared machine
        # falls on both sides of each ratio.
        rounds = max(1, min(args.rounds, args.repeat))
        for index in range(rounds):
            chunk = args.repeat // rounds + (1 if index < args.repeat % rounds else 0)
            for child in children:
                for kind in child.kinds:
                    times[kind] += child.times(kind, chunk)
            for kind in KINDS:
                times[kind] += measure(tasks[kind], chunk, 0)
        floor = per_request(times["bare"], "bare")
        print(f"\nCPU ms per request (process_time, {args.repeat} tasks of each kind after {args.warmup} unmeasured;")
        print("fastest task and median task, divided by the task's requests; ratio to the bare form POST)")
        print(f"  {'kind':<10} {'reqs':>4} {'fastest':>9} {'median':>9}  {'ratio':>6} {'(med)':>6}  {'queries':>8}")
        for kind in ALL_KINDS:
            print(line(kind, times[kind], queries[kind], floor))
        print()
        print("\n".join(where_it_goes({kind: per_request(times[kind], kind)[1] for kind in ALL_KINDS})))
        if args.profile in KINDS:
            print(profile(args.profile, tasks[args.profile], args.repeat, args.top))
        elif args.profile:
            print(next(child for child in children if args.profile in child.kinds).profile(args.profile))
        for child in children:
            child.close()
    finally:
        for child in children:
            if child.process.poll() is None:
                child.process.kill()
        teardown(args)
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
