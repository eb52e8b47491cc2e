"""What the Annex 1 preview tells the clerk before confirming: the sheet's posts the district already has, still live,
in another 旬 (a post is unique within its batch only), and a row with errors' cells as read, the wrong ones marked."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from portal.calendar import TenDayPeriod
from portal.models import District, Employer, ImportJob, User
from positions.constants import CloseReason, PositionStatus
from positions.importing import import_positions, preview_positions
from positions.models import Position
from tests.factories import EmployerFactory, UserFactory
from tests.positions.test_importing import row, write_sheet

pytestmark = pytest.mark.django_db

#: Last month's 旬, whose batch the clerk left open, and the 旬 the sheet was meant for.
EARLIER = TenDayPeriod(2026, 11, 3)
LATER = TenDayPeriod(2026, 12, 1)
TWO_IN_EARLIER = (
    "其中2个岗位与本区县2026年11月下旬已有的岗位相同（同一用人单位、渠道和岗位名称），"
    "请确认所选的旬（2026年12月上旬）是否正确；确认导入将在所选的旬中再建一份。"
)


@pytest.fixture
def clerk(tongliang: District) -> User:
    return UserFactory(clerk=True, district=tongliang)


def _imported(tmp_path: Path, district: District, clerk: User, period: TenDayPeriod, rows: list[list[Any]]) -> Path:
    sheet = write_sheet(tmp_path / f"{period}.xlsx", rows)
    import_positions(file=sheet, district=district, period=period, by=clerk)
    return sheet


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, path: Path, period: TenDayPeriod) -> TestResponse:
    with path.open("rb") as handle:
        return client.post(reverse("positions:import"), {"period": str(period), "file": handle})


# ---- The same sheet into another 旬 -------------------------------------------------------------------------------


def test_the_same_sheet_previewed_for_another_period_warns_and_still_imports(
    tmp_path: Path, tongliang: District, clerk: User
) -> None:
    sheet = _imported(tmp_path, tongliang, clerk, EARLIER, [row(1), row(2)])

    preview = preview_positions(file=sheet, district=tongliang, period=LATER, by=clerk)

    assert preview.warnings == [TWO_IN_EARLIER]
    assert [r.live_in for r in preview.rows] == ["2026年11月下旬", "2026年11月下旬"]
    assert preview.new_count == 2 and not preview.errors  # a warning, not a refusal
    result = import_positions(file=sheet, district=tongliang, period=LATER, by=clerk)
    assert result.created == 2
    assert Position.objects.filter(batch__period=str(LATER)).count() == 2


def test_only_the_matching_rows_are_counted_and_each_period_is_named(
    tmp_path: Path, tongliang: District, clerk: User
) -> None:
    _imported(tmp_path, tongliang, clerk, EARLIER, [row(1), row(2)])
    _imported(tmp_path, tongliang, clerk, TenDayPeriod(2026, 11, 2), [row(2), row(3)])
    sheet = write_sheet(tmp_path / "mixed.xlsx", [row(1), row(2), row(3), row(4), row(5, bounty=None, special="其他")])

    preview = preview_positions(file=sheet, district=tongliang, period=LATER, by=clerk)

    assert preview.warnings == [
        "其中3个岗位与本区县2026年11月下旬（2个）、2026年11月中旬（2个）已有的岗位相同（同一用人单位、渠道和岗位名称），"
        "请确认所选的旬（2026年12月上旬）是否正确；确认导入将在所选的旬中再建一份。"
    ]
    assert [r.live_in for r in preview.rows] == [
        "2026年11月下旬",
        "2026年11月下旬、2026年11月中旬",
        "2026年11月中旬",
        "",
        "",
    ]


def test_closed_posts_and_the_chosen_periods_own_posts_are_no_reason_to_warn(
    tmp_path: Path, tongliang: District, clerk: User
) -> None:
    sheet = _imported(tmp_path, tongliang, clerk, EARLIER, [row(1), row(2)])
    Position.objects.filter(name="智能制造工程师1").update(
        status=PositionStatus.CLOSED, close_reason=CloseReason.FILLED
    )
    Position.objects.filter(name="智能制造工程师2").update(
        status=PositionStatus.CLOSED, close_reason=CloseReason.WITHDRAWN
    )

    assert preview_positions(file=sheet, district=tongliang, period=LATER, by=clerk).warnings == []
    Position.objects.update(status=PositionStatus.PUBLISHED, close_reason="")
    again = preview_positions(file=sheet, district=tongliang, period=EARLIER, by=clerk)
    assert again.warnings == [] and again.existing_count == 2  # the same 旬: skipped, as before


def test_the_warning_reads_the_other_periods_in_one_query_however_long_the_sheet(
    tmp_path: Path, tongliang: District, clerk: User
) -> None:
    many = [row(n) for n in range(1, 41)]
    _imported(tmp_path, tongliang, clerk, EARLIER, many)
    short = write_sheet(tmp_path / "short.xlsx", many[:2])
    long = write_sheet(tmp_path / "long.xlsx", many)

    counts = []
    for sheet in (short, long):
        with CaptureQueriesContext(connection) as queries:
            preview = preview_positions(file=sheet, district=tongliang, period=LATER, by=clerk)
        assert preview.warnings
        counts.append(len([q for q in queries.captured_queries if "positions_position" in q["sql"]]))
    assert counts[0] == counts[1]
    assert preview.warnings[0].startswith("其中40个岗位与本区县2026年11月下旬已有的岗位相同")


def test_the_clerk_sees_the_warning_on_the_preview_and_the_corrected_promise(
    tmp_path: Path, tongliang: District, clerk: User
) -> None:
    sheet = _imported(tmp_path, tongliang, clerk, EARLIER, [row(1), row(2)])
    client = _login(clerk)

    page = _upload(client, sheet, LATER).content.decode()

    assert TWO_IN_EARLIER in page
    assert "同一旬内重复上传同一表格不会产生重复岗位" in page
    assert "本区县2026年11月下旬已有相同岗位" in page  # on each row concerned
    assert "请注意：将导入到2026年12月上旬" in page and "确认导入 2" in page
    confirmed = client.post(reverse("positions:import"), {"period": str(LATER), "confirm": "1"})
    assert confirmed.status_code == 302
    assert Position.objects.filter(batch__period=str(LATER)).count() == 2

    same = _upload(client, sheet, LATER).content.decode()
    assert "已有的岗位相同" not in same and "请注意" not in same


def test_a_background_job_shows_the_warning_before_its_confirmation(
    tmp_path: Path,
    tongliang: District,
    clerk: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from portal.imports import jobs as import_jobs

    monkeypatch.setattr(import_jobs, "BACKGROUND_MIN_BYTES", 0)
    sheet = _imported(tmp_path, tongliang, clerk, EARLIER, [row(1), row(2)])
    client = _login(clerk)

    with django_capture_on_commit_callbacks(execute=True):  # the worker's task, run eagerly
        response = _upload(client, sheet, LATER)

    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "awaiting_confirmation"
    assert job.notes == [TWO_IN_EARLIER]
    assert TWO_IN_EARLIER in client.get(reverse("portal:import_job", args=[job.pk])).content.decode()


# ---- A row with errors shows its cells ---------------------------------------------------------------------------


def _cells(page: str, marker: str) -> list[str]:
    """The cells of the preview row holding ``marker``, their tags kept."""
    (found,) = [part for part in page.split("<tr")[1:] if marker in part]
    return re.findall(r"<td[^>]*>.*?</td>", found.split("</tr>")[0], flags=re.S)


def test_a_row_with_errors_shows_the_cells_it_read_and_marks_only_the_wrong_ones(
    tmp_path: Path, tongliang: District, clerk: User
) -> None:
    rows = [
        row(1, graduates="是", education="硕士研究生", salary="15-25万元/年", source="江北区"),
        row(2, headcount="若干", education="小学"),
    ]
    page = _upload(_login(clerk), write_sheet(tmp_path / "e.xlsx", rows), LATER).content.decode()

    only_source = _cells(page, "智能制造工程师1")
    assert [re.sub(r"<[^>]+>", "", cell) for cell in only_source[4:8]] == ["2", "硕士", "是", "15-25万元/年"]
    assert not any("portal-cell-error" in cell for cell in only_source[:8])
    assert "填报来源“江北区”与导入的区县“铜梁区”不一致" in only_source[8]

    two_wrong = _cells(page, "智能制造工程师2")
    headcount, education, graduates, salary = two_wrong[4:8]
    assert "portal-cell-error" in headcount and "若干" in headcount and "此格有误" in headcount
    assert "portal-cell-error" in education and "小学" in education
    assert "portal-cell-error" not in graduates and ">否<" in graduates
    assert "portal-cell-error" not in salary and "10-20万元/年" in salary


def test_an_employers_refused_row_still_shows_its_cells(tmp_path: Path) -> None:
    from tests.factories import DistrictFactory

    employer: Employer = EmployerFactory(district=DistrictFactory(name="需求预览区"), name="重庆需求预览有限公司")
    client = _login(UserFactory(employer_user=True, employer=employer))
    sheet = write_sheet(tmp_path / "p.xlsx", [row(1, employer="重庆别家有限公司", source="", headcount=3)])
    with sheet.open("rb") as upload:
        page = client.post(reverse("positions:proposal_import"), {"file": upload}).content.decode()

    cells = _cells(page, "智能制造工程师1")
    assert "portal-cell-error" in cells[1] and "重庆别家有限公司" in cells[1]
    assert [re.sub(r"<[^>]+>", "", cell) for cell in cells[4:8]] == ["3", "本科", "否", "10-20万元/年"]
    assert "不是本单位" in cells[8]
