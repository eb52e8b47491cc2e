"""The Annex 3 import through the pages: upload → preview → confirm, and the blank sheet to fill in."""

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

from portal.identity import mask_id_number
from portal.imports.uploads import upload_dir
from portal.models import District, User
from positions.models import Position
from referrals.importing import import_hires
from referrals.models import Hire
from tests.factories import PositionFactory, UserFactory, make_id_number
from tests.referrals.test_importing import NAMES, person, write_sheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(district: District) -> Position:
    return PositionFactory(batch__district=district, published=True, name="智能制造工程师")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, path: Path, **extra: Any) -> TestResponse:
    with path.open("rb") as handle:
        return client.post(reverse("referrals:hire_import"), {"file": handle, "preview": "1", **extra})


def _pending_files() -> set[str]:
    return {path.name for path in upload_dir().glob("*.xlsx")}


def test_a_clerk_previews_then_confirms_an_upload(
    tmp_path: Path, district: District, clerk: User, post: Position
) -> None:
    client = _client(clerk)
    before = _pending_files()

    preview = _upload(client, write_sheet(tmp_path / "a.xlsx", [person(1, post.name), person(2, post.name)]))

    page = preview.content.decode()
    assert preview.status_code == 200
    assert "将登记 <strong>2</strong> 人" in page and "确认导入 2 人" in page
    assert mask_id_number(make_id_number(1)) in page and make_id_number(1) not in page
    assert not Hire.objects.exists()  # the preview writes nothing
    stored = _pending_files() - before
    assert len(stored) == 1

    confirmed = client.post(reverse("referrals:hire_import"), {"confirm": "1"})

    assert confirmed.status_code == 302 and confirmed["Location"] == reverse("referrals:hire_list")
    assert Hire.objects.filter(district=district, recorded_by=clerk, status="recorded").count() == 2
    assert not stored & _pending_files()  # the kept file is gone once imported
    again = client.post(reverse("referrals:hire_import"), {"confirm": "1"})
    assert "没有待确认的表格" in again.content.decode()
    assert Hire.objects.count() == 2


def test_a_bad_row_is_shown_with_row_and_column_and_cannot_be_confirmed(
    tmp_path: Path,
    district: District,
    clerk: User,
    post: Position,
) -> None:
    client = _client(clerk)
    response = _upload(
        client, write_sheet(tmp_path / "b.xlsx", [person(1, post.name), person(2, post.name, 学历="小学")])
    )
    page = response.content.decode()
    assert "第5行 〔学历〕" in page and "学历“小学”无法识别" in page
    assert "table-danger" in page and "确认导入" not in page
    assert not Hire.objects.exists()


def test_an_error_row_in_the_preview_still_names_the_person_and_the_post(
    tmp_path: Path,
    district: District,
    clerk: User,
    post: Position,
) -> None:
    rows = [person(1, post.name), person(2, "不存在的岗位", 学历="小学"), person(3, post.name, 身份证号码="500103")]
    page = _upload(_client(clerk), write_sheet(tmp_path / "n.xlsx", rows)).content.decode()
    error_rows = [part for part in page.split("<tr") if "table-danger" in part]
    assert len(error_rows) == 2
    assert "人才2" in error_rows[0] and "不存在的岗位" in error_rows[0]
    assert "人才3" in error_rows[1] and post.name in error_rows[1]


def test_reuploading_an_imported_sheet_says_it_is_already_recorded(
    tmp_path: Path,
    district: District,
    clerk: User,
    post: Position,
) -> None:
    sheet = write_sheet(tmp_path / "c.xlsx", [person(1, post.name)])
    import_hires(file=sheet, district=district, by=clerk)
    page = _upload(_client(clerk), sheet).content.decode()
    assert "可能是重复上传了同一表格" in page and f"已在{district.name}登记为" in page
    assert "确认导入" not in page
    assert Hire.objects.count() == 1


def test_a_file_that_is_not_a_workbook_gets_a_clear_message(tmp_path: Path, clerk: User) -> None:
    bogus = tmp_path / "notes.xlsx"
    bogus.write_text("这不是Excel")
    page = _upload(_client(clerk), bogus).content.decode()
    assert "不是有效的Excel" in page


def test_an_admin_chooses_the_district(tmp_path: Path, district: District, post: Position) -> None:
    client = _client(UserFactory(admin=True))
    assert "导入区县" in client.get(reverse("referrals:hire_import")).content.decode()
    sheet = write_sheet(tmp_path / "d.xlsx", [person(1, post.name)])
    assert "请选择导入的区县" in _upload(client, sheet).content.decode()

    assert "确认导入 1 人" in _upload(client, sheet, district=district.pk).content.decode()
    confirmed = client.post(reverse("referrals:hire_import"), {"confirm": "1", "district": district.pk})
    assert confirmed.status_code == 302
    assert Hire.objects.get().district == district


def test_only_clerks_and_admins_import(district: District) -> None:
    for trait in ("district_reviewer", "centre", "bureau", "third_party_user", "employer_user"):
        client = _client(UserFactory(**{trait: True}))
        assert client.get(reverse("referrals:hire_import")).status_code == 403
        # The blank sheet is also the third party's: it declares its people with it.
        expected = 200 if trait == "third_party_user" else 403
        assert client.get(reverse("referrals:hire_import_template")).status_code == expected
    anonymous = Client().get(reverse("referrals:hire_import"))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_the_blank_template_has_the_annex_header_and_imports_once_filled(
    tmp_path: Path,
    district: District,
    clerk: User,
    post: Position,
) -> None:
    response = _client(clerk).get(reverse("referrals:hire_import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]

    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert sheet is not None
    assert sheet["A1"].value == "用人单位引进人才确认表"
    assert (sheet["A2"].value, sheet["G2"].value) == ("必填项", "选填项")
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    assert {"A2:F2", "G2:N2"} <= merged
    names = [cell.value for cell in sheet[3]]
    assert names[: len(NAMES)] == NAMES
    assert names[len(NAMES) :] == ["用人单位", "荐才第三方", "专项", "毕业时间"]
    assert sheet["C4"].number_format == "@"  # ID numbers stay text

    values = person(1, post.name)
    for index, column in enumerate(NAMES, start=1):
        sheet.cell(row=4, column=index, value=values[column])
    sheet.cell(row=4, column=len(NAMES) + 1, value=post.employer.name)
    sheet.cell(row=4, column=len(NAMES) + 4, value=values["毕业时间"])
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)
    assert import_hires(file=filled, district=district, by=clerk).created == 1


def test_a_tampered_session_entry_is_never_opened(clerk: User) -> None:
    client = _client(clerk)
    session = client.session
    session["referrals_hire_import_upload"] = {"name": "../../settings.py", "filename": "x.xlsx"}
    session.save()
    page = client.post(reverse("referrals:hire_import"), {"confirm": "1"}).content.decode()
    assert "没有待确认的表格" in page


def test_a_large_upload_becomes_a_background_job(
    tmp_path: Path,
    district: District,
    clerk: User,
    post: Position,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from portal.imports import jobs as import_jobs
    from portal.models import ImportJob

    monkeypatch.setattr(import_jobs, "BACKGROUND_MIN_BYTES", 1)  # every sheet counts as large here
    before = _pending_files()
    response = _upload(_client(clerk), write_sheet(tmp_path / "big.xlsx", [person(1, post.name)]))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("portal:import_job", args=[job.pk])
    assert (job.kind, job.district, job.owner) == ("hires", district, clerk)
    assert _pending_files() - before == {job.stored_name}  # kept for the worker, not in the session
    assert not Hire.objects.exists()


def test_a_clerk_whose_district_has_no_published_post_is_told_why(district: District, clerk: User) -> None:
    PositionFactory(batch__district=district, name="待复核的岗位")  # a draft: nothing to record a hire on yet
    client = _client(clerk)
    for name in ("referrals:hire_import", "referrals:hire_create"):
        page = client.get(reverse(name)).content.decode()
        assert "本区县暂无已发布的岗位" in page and "岗位填报" in page, name


def test_a_published_post_needs_no_explanation(district: District, clerk: User, post: Position) -> None:
    client = _client(clerk)
    for name in ("referrals:hire_import", "referrals:hire_create"):
        assert "本区县暂无已发布的岗位" not in client.get(reverse(name)).content.decode(), name
