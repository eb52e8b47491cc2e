"""Large imports as background jobs: upload → 排队中 → 校验中 → 待确认 → 写入中 → 已完成 (or 失败), the broker never in
the request's path, each job written once however often its task is delivered, and its page only for those who may
see it. Tasks run eagerly here (test settings); the worker is the same code."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from portal import broker
from portal.calendar import TenDayPeriod
from portal.celery import app
from portal.constants import ImportJobKind, ImportJobStatus
from portal.identity import mask_id_number
from portal.imports import jobs as import_jobs
from portal.imports.jobs import import_job_run, import_jobs_sweep
from portal.imports.uploads import upload_dir
from portal.models import District, ImportJob, User
from portal.tasks import run_import_job, sweep_import_jobs
from positions.constants import BatchStatus
from positions.models import Position
from referrals.models import Hire
from tests.factories import PositionBatchFactory, PositionFactory, UserFactory, make_id_number
from tests.positions.test_importing import row, write_sheet
from tests.referrals.test_importing import person
from tests.referrals.test_importing import write_sheet as write_hire_sheet

pytestmark = pytest.mark.django_db

PERIOD = TenDayPeriod.current()


@pytest.fixture(autouse=True)
def _broker_reachable() -> Iterator[None]:
    # A test that makes the broker fail must not silence the kick for the tests after it.
    broker.listen_again()
    yield
    broker.listen_again()


@pytest.fixture
def tl_clerk(tongliang: District) -> User:
    return UserFactory(clerk=True, district=tongliang)


@pytest.fixture
def every_sheet_in_background(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small sheets keep the synchronous preview; these tests send even a three-row sheet to the worker."""
    monkeypatch.setattr(import_jobs, "BACKGROUND_MIN_BYTES", 0)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload_positions(client: Client, path: Path, **extra: Any) -> TestResponse:
    with path.open("rb") as handle:
        return client.post(reverse("positions:import"), {"period": str(PERIOD), "file": handle, **extra})


def _upload_hires(client: Client, path: Path, **extra: Any) -> TestResponse:
    with path.open("rb") as handle:
        return client.post(reverse("referrals:hire_import"), {"file": handle, "preview": "1", **extra})


def _stored_files() -> set[str]:
    return {path.name for path in upload_dir().glob("*.xlsx")}


def _poll(client: Client, job: ImportJob) -> str:
    return client.get(reverse("portal:import_job", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()


def _queued_positions_job(tmp_path: Path, clerk: User, rows: int = 3, **row_overrides: Any) -> ImportJob:
    """A positions job as an upload leaves it when no worker has been reached yet."""
    sheet = write_sheet(tmp_path / "queued.xlsx", [row(n, **row_overrides) for n in range(1, rows + 1)])
    assert clerk.district is not None
    return import_jobs.import_job_create(
        kind=ImportJobKind.POSITIONS,
        data=sheet.read_bytes(),
        filename="queued.xlsx",
        district=clerk.district,
        period=PERIOD,
        by=clerk,
    )


def _confirmed_job(tmp_path: Path, clerk: User, rows: int = 3) -> ImportJob:
    job = _queued_positions_job(tmp_path, clerk, rows)
    assert import_job_run(job_id=job.pk) == ImportJobStatus.AWAITING_CONFIRMATION
    job.refresh_from_db()
    return import_jobs.import_job_confirm(job=job, by=clerk)


# ---- The whole flow through the pages ---------------------------------------------------------------------------


def test_a_large_sheet_is_validated_then_written_by_the_worker(
    tmp_path: Path,
    tongliang: District,
    tl_clerk: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    rows = 1_500  # past BACKGROUND_MIN_BYTES as written by openpyxl: the real threshold, not a patched one
    sheet = write_sheet(tmp_path / "large.xlsx", [row(n) for n in range(1, rows + 1)])
    assert sheet.stat().st_size >= import_jobs.BACKGROUND_MIN_BYTES
    client = _client(tl_clerk)
    before = _stored_files()

    with django_capture_on_commit_callbacks(execute=True):
        uploaded = _upload_positions(client, sheet)

    job = ImportJob.objects.get()
    assert uploaded.status_code == 302 and uploaded["Location"] == reverse("portal:import_job", args=[job.pk])
    assert (job.kind, job.owner, job.district, job.period) == (
        ImportJobKind.POSITIONS,
        tl_clerk,
        tongliang,
        str(PERIOD),
    )
    assert job.status == ImportJobStatus.AWAITING_CONFIRMATION
    assert (job.rows_total, job.rows_done, job.new_count, job.error_count) == (rows, rows, rows, 0)
    assert job.notes == [
        f"将新建用人单位{rows}家：" + "、".join(f"重庆导入测试有限公司{n}" for n in range(1, 21)) + "等"
    ]
    assert not Position.objects.exists()  # validating writes nothing
    assert len(_stored_files() - before) == 1

    page = client.get(uploaded["Location"]).content.decode()
    assert "校验通过，请确认导入" in page and "确认导入 1500 个岗位" in page
    assert "hx-trigger" not in page  # nothing left to poll for until the owner acts

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(reverse("portal:import_job_confirm", args=[job.pk]))

    assert confirmed.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE and job.created_count == rows and job.finished_at is not None
    assert Position.objects.filter(district=tongliang, batch__period=str(PERIOD)).count() == rows
    assert not _stored_files() - before  # the sheet (people's data) is gone once written
    done = client.get(confirmed["Location"]).content.decode()
    assert "导入完成" in done and "新增岗位 <strong>1500</strong> 个" in done
    assert f"{reverse('positions:district_batch')}?period={PERIOD}" in done

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("portal:import_job_confirm", args=[job.pk]), follow=True)
    assert "不能再次确认" in again.content.decode()
    assert Position.objects.count() == rows

    listed = client.get(reverse("positions:import")).content.decode()
    assert "我最近的后台导入" in listed and reverse("portal:import_job", args=[job.pk]) in listed


def test_a_small_sheet_keeps_the_immediate_preview(tmp_path: Path, tl_clerk: User) -> None:
    page = _upload_positions(_client(tl_clerk), write_sheet(tmp_path / "small.xlsx", [row(1)])).content.decode()
    assert "新增 <strong>1</strong> 个" in page
    assert not ImportJob.objects.exists()


@pytest.mark.usefixtures("every_sheet_in_background")
def test_row_errors_fail_the_job_with_row_and_column(
    tmp_path: Path, tl_clerk: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client = _client(tl_clerk)
    sheet = write_sheet(tmp_path / "bad.xlsx", [row(1), row(2, headcount="若干"), row(3, education="小学")])
    with django_capture_on_commit_callbacks(execute=True):
        _upload_positions(client, sheet)

    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.FAILED and job.error_count == 2
    assert [(e["row"], e["column"]) for e in job.errors] == [(5, "需求人数"), (6, "学历要求")]
    assert job.message == "导入失败：表格中有2处错误，未导入任何岗位。"
    assert job.stored_name == "" and not job.file_path
    page = _poll(client, job)
    assert "第5行 〔需求人数〕" in page and "第6行 〔学历要求〕" in page
    assert "确认导入" not in page and "hx-trigger" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:import_job_confirm", args=[job.pk]))
    assert not Position.objects.exists()


@pytest.mark.usefixtures("every_sheet_in_background")
def test_the_request_checks_the_file_before_any_job_exists(tmp_path: Path, tl_clerk: User) -> None:
    bogus = tmp_path / "notes.xlsx"
    bogus.write_bytes(b"not a workbook " * 10_000)
    page = _upload_positions(_client(tl_clerk), bogus).content.decode()
    assert "不是有效的Excel" in page
    assert not ImportJob.objects.exists()


@pytest.mark.usefixtures("every_sheet_in_background")
def test_a_hire_sheet_goes_the_same_way_with_id_numbers_masked(
    tmp_path: Path, district: District, clerk: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    post = PositionFactory(batch__district=district, published=True, name="智能制造工程师")
    client = _client(clerk)
    sheet = write_hire_sheet(tmp_path / "hires.xlsx", [person(1, post.name), person(2, post.name)])
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = _upload_hires(client, sheet)
    job = ImportJob.objects.get()
    assert uploaded["Location"] == reverse("portal:import_job", args=[job.pk])
    assert (job.kind, job.status, job.new_count, job.period) == (
        ImportJobKind.HIRES,
        ImportJobStatus.AWAITING_CONFIRMATION,
        2,
        "",
    )
    assert "确认导入 2 人" in client.get(uploaded["Location"]).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:import_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE and job.created_count == 2
    assert Hire.objects.filter(district=district, recorded_by=clerk).count() == 2
    assert reverse("referrals:hire_list") in client.get(uploaded["Location"]).content.decode()

    # The same sheet again: every row is refused as already recorded, the number masked in what is stored and shown.
    with django_capture_on_commit_callbacks(execute=True):
        _upload_hires(client, sheet)
    failed = ImportJob.objects.latest("pk")
    assert failed.status == ImportJobStatus.FAILED and failed.error_count == 2
    page = client.get(reverse("portal:import_job", args=[failed.pk])).content.decode()
    stored = str(failed.errors) + str(failed.notes)
    for n in (1, 2):
        assert make_id_number(n) not in page and make_id_number(n) not in stored
    assert mask_id_number(make_id_number(1)) in page
    assert Hire.objects.count() == 2


# ---- Progress and polling --------------------------------------------------------------------------------------


def test_progress_is_on_the_job_row_while_the_worker_validates(
    tmp_path: Path, tl_clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("portal.imports.progress.REPORT_EVERY", 10)
    job = _queued_positions_job(tmp_path, tl_clerk, rows=35)
    seen: list[tuple[str, int, int | None]] = []
    reporter = import_jobs._progress

    def watching(job_id: int) -> Callable[[int, int], None]:
        report = reporter(job_id)

        def observed(done: int, total: int) -> None:
            report(done, total)
            # What the polling page would read at this moment, from the database.
            seen.append(ImportJob.objects.values_list("status", "rows_done", "rows_total").get(pk=job_id))

        return observed

    monkeypatch.setattr(import_jobs, "_progress", watching)
    import_job_run(job_id=job.pk)

    validating = ImportJobStatus.VALIDATING
    assert seen == [(validating, done, 35) for done in (0, 10, 20, 30, 35)]
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == (ImportJobStatus.AWAITING_CONFIRMATION, 35, 35)


def test_the_page_polls_while_a_worker_is_on_the_job_and_stops_after(tmp_path: Path, tl_clerk: User) -> None:
    client = _client(tl_clerk)
    job = _queued_positions_job(tmp_path, tl_clerk)  # no commit in this test: the kick has not run

    queued = client.get(reverse("portal:import_job", args=[job.pk])).content.decode()
    assert "<html" in queued and 'hx-trigger="every 1s"' in queued and "等待后台校验" in queued

    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.VALIDATING, rows_done=2_400, rows_total=5_000)
    polled = _poll(client, job)
    assert "<html" not in polled  # htmx gets the status block only
    assert 'id="import-job-status"' in polled and 'hx-trigger="every 1s"' in polled
    assert (
        "已校验 2400 / 5000 行（48%）" in polled
        and '<progress class="portal-job-progress" value="2400" max="5000"' in polled
    )

    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.QUEUED, rows_done=0, rows_total=None)
    import_job_run(job_id=job.pk)
    assert "hx-trigger" not in _poll(client, job)


# ---- Who sees a job ----------------------------------------------------------------------------------------------


def test_only_the_owner_the_districts_staff_and_admins_see_a_job(tmp_path: Path, tl_clerk: User) -> None:
    job = _queued_positions_job(tmp_path, tl_clerk)
    import_job_run(job_id=job.pk)
    url = reverse("portal:import_job", args=[job.pk])
    confirm = reverse("portal:import_job_confirm", args=[job.pk])

    for outsider in (
        UserFactory(clerk=True),  # another district's clerk
        UserFactory(district_reviewer=True),
        UserFactory(centre=True),
        UserFactory(bureau=True),
        UserFactory(third_party_user=True),
        UserFactory(employer_user=True),
    ):
        client = _client(outsider)
        assert client.get(url).status_code == 404, outsider.role
        assert client.post(confirm).status_code == 404, outsider.role
    assert Client().get(url).status_code == 302  # to the sign-in page

    colleague = UserFactory(district_reviewer=True, district=tl_clerk.district)
    seen = _client(colleague).get(url).content.decode()
    assert "校验通过" in seen and "确认导入 3 个岗位" not in seen and "等待上传人" in seen
    refused = _client(colleague).post(confirm, follow=True).content.decode()
    assert "只有上传该表格的人可以确认导入" in refused
    assert _client(UserFactory(admin=True)).get(url).status_code == 200
    job.refresh_from_db()
    assert job.status == ImportJobStatus.AWAITING_CONFIRMATION


# ---- The broker is not in the request's path ---------------------------------------------------------------------


@pytest.fixture
def unreachable_broker(request: pytest.FixtureRequest) -> Iterator[str]:
    """A Redis URL that refuses connections, or one that accepts them and never answers (a hung server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    if request.param == "stopped":
        listener.close()
    else:
        listener.listen(16)
    app.conf.update(task_always_eager=False, broker_write_url=f"redis://127.0.0.1:{port}/0")
    try:
        yield request.param
    finally:
        app.conf.update(task_always_eager=True, broker_write_url=None)
        listener.close()


@pytest.mark.usefixtures("every_sheet_in_background")
@pytest.mark.parametrize("unreachable_broker", ["stopped", "hung"], indirect=True)
def test_with_the_broker_down_the_upload_returns_fast_and_the_sweep_runs_the_job(
    tmp_path: Path,
    tl_clerk: User,
    unreachable_broker: str,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = _client(tl_clerk)
    sheet = write_sheet(tmp_path / "a.xlsx", [row(1), row(2)])
    # The first publish in a process imports kombu's Redis transport (about a second on this machine): not timed.
    import_jobs.kick_import_job(0)
    broker.listen_again()
    started = time.monotonic()
    with (
        caplog.at_level(logging.WARNING, logger="portal.imports.jobs"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        uploaded = _upload_positions(client, sheet)
    elapsed = time.monotonic() - started

    assert uploaded.status_code == 302
    assert elapsed < 4, elapsed  # the kick gives up after about a second, even on a hung Redis
    assert "无法连接消息队列" in caplog.text
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.QUEUED
    assert 'hx-trigger="every 1s"' in client.get(uploaded["Location"]).content.decode()

    # The broker is still down when the owner confirms later: the confirmation is kept all the same.
    assert import_job_run(job_id=job.pk) == ImportJobStatus.AWAITING_CONFIRMATION  # (the sweep's work, by hand)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:import_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJobStatus.QUEUED and job.confirmed_at is not None
    assert not Position.objects.exists()

    # Beat's sweep, once a worker runs it, does what the lost kick asked for.
    assert sweep_import_jobs() == 1
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE and Position.objects.count() == 2
    assert sweep_import_jobs() == 0


def test_the_sweep_runs_queued_jobs_and_takes_over_only_abandoned_ones(tmp_path: Path, tl_clerk: User) -> None:
    waiting = _queued_positions_job(tmp_path, tl_clerk)
    lost = _queued_positions_job(tmp_path, tl_clerk)
    busy = _queued_positions_job(tmp_path, tl_clerk)
    now = timezone.now()
    ImportJob.objects.filter(pk=lost.pk).update(
        status=ImportJobStatus.VALIDATING, heartbeat_at=now - import_jobs.STALE_AFTER - timedelta(seconds=1)
    )
    ImportJob.objects.filter(pk=busy.pk).update(status=ImportJobStatus.VALIDATING, heartbeat_at=now)

    assert import_jobs_sweep() == 2

    statuses = dict(ImportJob.objects.values_list("pk", "status"))
    assert statuses[waiting.pk] == statuses[lost.pk] == ImportJobStatus.AWAITING_CONFIRMATION
    assert statuses[busy.pk] == ImportJobStatus.VALIDATING  # its worker gave a sign of life: left alone


# ---- Written once, however often delivered -----------------------------------------------------------------------


class WorkerLost(BaseException):
    """The worker process dies in the middle of the write (SIGKILL, OOM): nothing below it runs."""


def test_a_write_redelivered_after_a_worker_crash_writes_once(
    tmp_path: Path, tl_clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _confirmed_job(tmp_path, tl_clerk, rows=4)
    positions = import_jobs.KINDS[ImportJobKind.POSITIONS]

    def write_then_die(job: ImportJob) -> import_jobs.Written:
        positions.write(job)
        assert Position.objects.count() == 4  # written inside the transaction …
        raise WorkerLost

    monkeypatch.setitem(import_jobs.KINDS, ImportJobKind.POSITIONS, replace(positions, write=write_then_die))
    with pytest.raises(WorkerLost):
        run_import_job(job.pk)
    monkeypatch.setitem(import_jobs.KINDS, ImportJobKind.POSITIONS, positions)

    job.refresh_from_db()
    assert job.status == ImportJobStatus.WRITING and not Position.objects.exists()  # … and rolled back with it
    assert run_import_job(job.pk) == "skipped"  # re-delivered at once: the lost worker may still be writing

    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - import_jobs.STALE_AFTER * 2)
    assert run_import_job(job.pk) == ImportJobStatus.DONE  # the re-delivery (or the sweep) after the cool-off
    assert run_import_job(job.pk) == "skipped"
    assert sweep_import_jobs() == 0
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE and job.created_count == 4
    assert Position.objects.count() == 4


def test_a_batch_sent_before_the_write_fails_the_job_and_writes_nothing(tmp_path: Path, tl_clerk: User) -> None:
    job = _queued_positions_job(tmp_path, tl_clerk)
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    import_jobs.import_job_confirm(job=job, by=tl_clerk)
    PositionBatchFactory(
        district=tl_clerk.district, period=str(PERIOD), status=BatchStatus.SENT, sent_at=timezone.now()
    )

    assert import_job_run(job_id=job.pk) == ImportJobStatus.FAILED
    job.refresh_from_db()
    assert "已报送" in job.message and job.finished_at is not None
    assert not Position.objects.exists() and job.file_path is None


def test_a_purged_sheet_cannot_be_confirmed(tmp_path: Path, tl_clerk: User) -> None:
    job = _queued_positions_job(tmp_path, tl_clerk)
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.file_path is not None
    job.file_path.unlink()  # the daily purge of sheets nobody confirmed
    page = _client(tl_clerk).post(reverse("portal:import_job_confirm", args=[job.pk]), follow=True).content.decode()
    assert "上传的表格已不存在" in page
    job.refresh_from_db()
    assert job.status == ImportJobStatus.AWAITING_CONFIRMATION


def test_a_validated_sheet_left_unconfirmed_for_a_day_expires(tmp_path: Path, tl_clerk: User) -> None:
    recent = _queued_positions_job(tmp_path, tl_clerk)
    forgotten = _queued_positions_job(tmp_path, tl_clerk)
    import_jobs_sweep()
    forgotten.refresh_from_db()
    sheet = forgotten.file_path
    assert sheet is not None and sheet.is_file()
    ImportJob.objects.filter(pk=forgotten.pk).update(validated_at=timezone.now() - timedelta(hours=25))

    assert import_jobs_sweep() == 1

    forgotten.refresh_from_db()
    assert forgotten.status == ImportJobStatus.FAILED and "超过24小时未确认" in forgotten.message
    assert not sheet.exists()
    recent.refresh_from_db()
    assert recent.status == ImportJobStatus.AWAITING_CONFIRMATION and recent.file_path is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL row locks: SQLite serialises writers anyway"
)
@pytest.mark.parametrize("state", ["confirmed", "abandoned while writing"])
def test_two_workers_delivered_the_same_job_at_once_write_it_once(
    tmp_path: Path, state: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.management import call_command

    # Commits are real here: without this, each commit's kick would run the job eagerly before the race.
    monkeypatch.setattr(import_jobs, "kick_import_job", lambda job_id: None)
    call_command("load_reference_data", verbosity=0)
    clerk = UserFactory(clerk=True, district=District.objects.get(code="500151"))
    job = _confirmed_job(tmp_path, clerk, rows=300)
    if state == "abandoned while writing":
        # Both deliveries pass the claim: only the write's own row lock keeps the second one out.
        stale = timezone.now() - import_jobs.STALE_AFTER * 2
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.WRITING, heartbeat_at=stale)
    barrier = threading.Barrier(2)
    outcomes: list[str | BaseException] = []

    def deliver() -> None:
        try:
            barrier.wait(timeout=30)
            outcomes.append(import_job_run(job_id=job.pk))
        except BaseException as error:  # asserted on below
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(map(str, outcomes)) == [ImportJobStatus.DONE, "skipped"]
    assert Position.objects.count() == 300
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE and job.created_count == 300
