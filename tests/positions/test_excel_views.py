"""Excel in and out through the pages: upload → preview → confirm, and filtered exports that re-import."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from portal.calendar import TenDayPeriod
from portal.errors import PortalError
from portal.models import District
from positions.constants import PositionStatus
from positions.importing import import_positions
from positions.models import Position
from tests.factories import PositionFactory, UserFactory
from tests.positions.test_importing import row, write_sheet

pytestmark = pytest.mark.django_db


def _upload(client: Client, path: Path, period: TenDayPeriod, **extra: Any) -> TestResponse:
    with path.open("rb") as handle:
        return client.post(reverse("positions:import"), {"period": str(period), "file": handle, **extra})


def test_a_clerk_previews_then_confirms_an_upload(tmp_path: Path, tongliang: District) -> None:
    client = Client()
    client.force_login(UserFactory(clerk=True, district=tongliang))
    period = TenDayPeriod.current()
    preview = _upload(client, write_sheet(tmp_path / "a.xlsx", [row(1), row(2)]), period)
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "新增 <strong>2</strong> 个" in page
    assert Position.objects.count() == 0  # the preview writes nothing
    confirmed = client.post(reverse("positions:import"), {"period": str(period), "confirm": "1"})
    assert confirmed.status_code == 302
    assert Position.objects.filter(district=tongliang, status=PositionStatus.DRAFT).count() == 2


def test_the_same_sheet_uploaded_again_offers_nothing_to_confirm(tmp_path: Path, tongliang: District) -> None:
    client = Client()
    client.force_login(UserFactory(clerk=True, district=tongliang))
    period = TenDayPeriod.current()
    sheet = write_sheet(tmp_path / "a.xlsx", [row(1), row(2)])
    _upload(client, sheet, period)
    client.post(reverse("positions:import"), {"period": str(period), "confirm": "1"})

    page = _upload(client, sheet, period).content.decode()

    assert "已存在 2 个" in page
    assert "表中岗位均已导入，无需再次导入。" in page
    assert "确认导入" not in page


def test_a_bad_row_is_shown_with_row_and_column_and_cannot_be_confirmed(tmp_path: Path, tongliang: District) -> None:
    client = Client()
    client.force_login(UserFactory(clerk=True, district=tongliang))
    response = _upload(
        client, write_sheet(tmp_path / "b.xlsx", [row(1), row(2, headcount="若干")]), TenDayPeriod.current()
    )
    page = response.content.decode()
    assert "需求人数" in page and "第5行" in page
    assert "确认导入" not in page
    assert Position.objects.count() == 0


def test_a_file_that_is_not_a_workbook_gets_a_clear_message(tmp_path: Path, tongliang: District) -> None:
    client = Client()
    client.force_login(UserFactory(clerk=True, district=tongliang))
    bogus = tmp_path / "notes.xlsx"
    bogus.write_text("这不是Excel")
    page = _upload(client, bogus, TenDayPeriod.current()).content.decode()
    assert "不是有效的Excel" in page


def test_only_clerks_and_admins_import(tongliang: District) -> None:
    for trait in ("district_reviewer", "centre", "bureau", "third_party_user"):
        client = Client()
        client.force_login(UserFactory(**{trait: True}))
        assert client.get(reverse("positions:import")).status_code == 403
    admin = Client()
    admin.force_login(UserFactory(admin=True))
    assert "导入区县" in admin.get(reverse("positions:import")).content.decode()


def test_an_exported_list_reimports_to_the_same_posts(tmp_path: Path, tongliang: District) -> None:
    bureau = UserFactory(bureau=True)
    posts = [
        PositionFactory(
            batch__district=tongliang, published=True, channel="special_recruitment", salary_text="1.5万/月"
        ),
        PositionFactory(batch__district=tongliang, published=True, channel="bounty_list", recruits_graduates=False),
    ]
    client = Client()
    client.force_login(bureau)
    response = client.get(reverse("positions:export"), {"district": "500151", "status": "published"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 3 + len(posts)

    clerk = UserFactory(clerk=True, district=tongliang)
    next_period = TenDayPeriod.current().next()
    result = import_positions(file=response.content, district=tongliang, period=next_period, by=clerk)
    assert result.created == 2
    fields = (
        "employer_id",
        "channel",
        "name",
        "headcount",
        "education",
        "majors",
        "competencies",
        "recruits_graduates",
        "salary_text",
        "salary_min",
        "salary_max",
    )
    original = sorted(tuple(getattr(p, f) for f in fields) for p in posts)
    again = sorted(
        tuple(getattr(p, f) for f in fields) for p in Position.objects.filter(batch__period=str(next_period))
    )
    assert again == original


def test_the_public_export_holds_only_published_posts(tongliang: District) -> None:
    published = PositionFactory(batch__district=tongliang, published=True)
    draft = PositionFactory(batch__district=tongliang)
    response = Client().get(reverse("positions:export"))
    names = [
        c.value
        for c in load_workbook(io.BytesIO(response.content)).active["C"]
        + load_workbook(io.BytesIO(response.content)).active["D"]
    ]
    assert published.name in names and draft.name not in names


def test_a_clerk_exports_only_its_own_district(tongliang: District) -> None:
    own = PositionFactory(batch__district=tongliang)
    other = PositionFactory()
    client = Client()
    client.force_login(UserFactory(clerk=True, district=tongliang))
    content = client.get(reverse("positions:export")).content
    sheet = load_workbook(io.BytesIO(content)).active
    names = {c.value for c in sheet["C"]} | {c.value for c in sheet["D"]}
    assert own.name in names and other.name not in names


def test_a_large_upload_becomes_a_background_job_in_the_chosen_district(
    tmp_path: Path, tongliang: District, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portal.imports import jobs as import_jobs
    from portal.models import ImportJob

    monkeypatch.setattr(import_jobs, "BACKGROUND_MIN_BYTES", 1)  # every sheet counts as large here
    admin = Client()
    admin.force_login(UserFactory(admin=True))
    period = TenDayPeriod.current()
    response = _upload(admin, write_sheet(tmp_path / "big.xlsx", [row(1)]), period, district=tongliang.pk)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("portal:import_job", args=[job.pk])
    assert (job.kind, job.district, job.period) == ("positions", tongliang, str(period))
    assert not Position.objects.exists()  # the worker writes, after the admin confirms on the job's page


@pytest.mark.parametrize("query", ["", "?period=", "?period=2026-03-2"])
def test_the_upload_form_starts_on_a_period(query: str, tongliang: District) -> None:
    """Opened from the menu (no ?period=) the 旬 is the current one, not an empty field the browser then refuses."""
    client = Client()
    client.force_login(UserFactory(clerk=True, district=tongliang))
    page = client.get(reverse("positions:import") + query).content.decode()
    expected = "2026-03-2" if query.endswith("2") else str(TenDayPeriod.current())
    assert f'value="{expected}"' in page


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("2026-13-5", "月份须在1到12之间；旬须为1（上旬）、2（中旬）或3（下旬）"),
        ("2026-12-4", "旬须为1（上旬）、2（中旬）或3（下旬）"),
        ("十二月上旬", "格式不对"),
    ],
)
def test_a_wrong_period_is_named_at_its_field(tmp_path: Path, tongliang: District, typed: str, reason: str) -> None:
    client = Client()
    client.force_login(UserFactory(clerk=True, district=tongliang))
    with write_sheet(tmp_path / "a.xlsx", [row(1)]).open("rb") as handle:
        response = client.post(reverse("positions:import"), {"period": typed, "file": handle})
    page = response.content.decode()
    message = f"旬“{typed}”无效：{reason}。应写作“年-月-旬”，如“2026-12-1”表示2026年12月上旬。"
    assert f'<div id="id_period_error"><div class="invalid-feedback d-block">{message}</div></div>' in page
    assert 'aria-describedby="id_period_error"' in page and 'aria-invalid="true"' in page
    assert not Position.objects.exists()


def test_the_blank_template_has_the_two_row_annex_header_and_imports_once_filled(
    tmp_path: Path, tongliang: District
) -> None:
    from positions.importing import COLUMNS, read_sheet

    clerk = UserFactory(clerk=True, district=tongliang)
    client = Client()
    client.force_login(clerk)
    page = client.get(reverse("positions:import")).content.decode()
    assert reverse("positions:import_template") in page and "下载空白表格（附件1格式）" in page
    response = client.get(reverse("positions:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]

    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert sheet is not None
    assert sheet["A1"].value == "卓越工程师岗位表"
    first, second = ([cell.value for cell in sheet[number]] for number in (2, 3))
    # 岗位名称 merged over its two channel sub-columns; every other header merged over both rows.
    headers = ("序号", "用人单位", "岗位名称", None, "需求人数", "学历要求", "专业要求", "职业能力要求")
    assert first == [*headers, "是否招聘应届生", "薪资范围", "填报来源"]
    assert second[2:4] == ["揭榜招贤", "引才专项"]
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    assert {"C2:D2", "A2:A3", "B2:B3", "K2:K3"} <= merged
    with pytest.raises(PortalError, match="表头下面没有填写任何一行"):  # the header is found, with no data under it
        read_sheet(io.BytesIO(response.content))
    assert len(COLUMNS) == sheet.max_column

    for index, value in enumerate(row(1), start=1):
        sheet.cell(row=4, column=index, value=value)
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)
    result = import_positions(file=filled, district=tongliang, period=TenDayPeriod.current(), by=clerk)
    assert result.created == 1


def test_an_error_row_in_the_preview_still_names_its_post_and_employer(tmp_path: Path, tongliang: District) -> None:
    client = Client()
    client.force_login(UserFactory(clerk=True, district=tongliang))
    rows = [row(1), row(2, bounty=None, special="量子通信研究员", headcount="若干"), row(3, education="小学")]
    page = _upload(client, write_sheet(tmp_path / "e.xlsx", rows), TenDayPeriod.current()).content.decode()
    error_rows = [part for part in page.split("<tr") if "table-danger" in part]
    assert len(error_rows) == 2
    assert "量子通信研究员" in error_rows[0] and "引才专项" in error_rows[0]
    assert "重庆导入测试有限公司2" in error_rows[0]
    assert "智能制造工程师3" in error_rows[1] and "揭榜招贤" in error_rows[1]
    assert "重庆导入测试有限公司3" in error_rows[1]
