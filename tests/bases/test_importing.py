"""Importing the talent base list: the example sheet, every kind of row error, all or nothing, later batches, the same
batch twice, the page (upload → preview → confirm), the background job, the command and the admin's edit."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from stdnum.cn import uscc

from bases import importing
from bases.importing import import_bases, preview_bases
from bases.models import BaseBatch, TalentBase
from bases.services import batch_title, chinese_ordinal
from portal.constants import ImportJobKind, ImportJobStatus
from portal.errors import PermissionDenied, PortalError
from portal.imports import jobs as import_jobs
from portal.imports.jobs import import_job_confirm, import_job_run
from portal.imports.sheets import PortalImportError
from portal.models import District, Employer, ImportJob, User
from tests.factories import EmployerFactory, UserFactory

pytestmark = pytest.mark.django_db

EXAMPLE = Path(settings.BASE_DIR) / "fixtures" / "bases_2023_first_batch.xlsx"
HEADER = ("年度", "批次", "序号", "单位名称", "统一社会信用代码", "所在区县")


def code(seed: str) -> str:
    """A fictitious credit code with a valid check character."""
    body = "91500151" + "".join("0123456789ABCDEFGHJKLMNPQRTUWXY"[ord(c) % 31] for c in (seed * 9)[:9])
    return body + uscc.calc_check_digit(body)


def sheet(
    rows: Sequence[Sequence[Any]], *, header: Sequence[str] = HEADER, title: str | None = "人才基地名单"
) -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    if title:
        worksheet.append([title])
    worksheet.append(list(header))
    for row in rows:
        worksheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def admin() -> User:
    return UserFactory(admin=True)


@pytest.fixture
def districts(reference_data: None) -> None:
    """The 41 districts (and the 2023 first batch's 40 names, without codes or districts)."""


def _errors(error: pytest.ExceptionInfo[PortalImportError]) -> list[str]:
    return [str(e) for e in error.value.errors]


# --- the example sheet ------------------------------------------------------------------------------------------


def test_the_example_sheet_gives_the_forty_bases_their_credit_codes_and_districts(districts: None, admin: User) -> None:
    # The reference data holds the names only: the sheet finds the same 40 employers by name and fills them in.
    preview = preview_bases(file=EXAMPLE, by=admin)
    assert (len(preview.rows), preview.errors, preview.updated_count, preview.created_count) == (40, [], 40, 0)

    result = import_bases(file=EXAMPLE, by=admin)
    assert (result.created, result.updated, result.employers_created, result.batches_created) == (0, 40, 0, 0)
    bases = list(TalentBase.objects.filter(batch__year=2023, batch__number=1).select_related("employer__district"))
    assert len(bases) == 40
    assert all(b.employer.district is not None and uscc.is_valid(b.employer.credit_code or "") for b in bases)
    assert len({b.employer.credit_code for b in bases}) == 40
    first = next(b for b in bases if b.number == 1)
    assert (first.employer.name, first.employer.district.name) == ("国网重庆市电力公司", "渝中区")  # type: ignore[union-attr]


def test_the_example_sheet_on_an_empty_database_creates_the_batch_and_employers(admin: User) -> None:
    District.objects.create(code="500103", name="渝中区", kind="district", order=3)
    for n, name in enumerate(["渝北区", "江北区", "两江新区", "沙坪坝区", "长寿区", "巴南区", "九龙坡区"]):
        District.objects.create(code=f"X{n}", name=name, kind="district", order=10 + n)
    for n, name in enumerate(["西部科学城重庆高新区", "南岸区", "璧山区", "涪陵区"]):
        District.objects.create(code=f"Y{n}", name=name, kind="district", order=20 + n)
    result = import_bases(file=EXAMPLE, by=admin)
    assert (result.created, result.employers_created, result.batches_created) == (40, 40, 1)
    batch = BaseBatch.objects.get()
    assert (batch.title, batch.notice_reference) == ("2023年第一批卓越工程师人才基地", "渝人社人才〔2023〕18号")


# --- row errors -------------------------------------------------------------------------------------------------


def test_each_kind_of_row_error_names_the_row_and_the_column(districts: None, admin: User) -> None:
    EmployerFactory(name="重庆已有代码有限公司", credit_code=code("taken"))
    rows = [
        (2023, "第二批", 1, "重庆甲有限公司", code("a"), "铜梁区"),  # row 3: good
        ("二〇二三", "第二批", 2, "重庆乙有限公司", "", ""),  # row 4: year
        (2023, "第X批", 3, "重庆丙有限公司", "", ""),  # row 5: batch
        (2023, "第二批", "三", "重庆丁有限公司", "", ""),  # row 6: number
        (2023, "第二批", 4, "", "", ""),  # row 7: name
        (2023, "第二批", 5, "重庆戊有限公司", "91500151MA5U00000Y", ""),  # row 8: check character
        (2023, "第二批", 6, "重庆己有限公司", code("taken"), ""),  # row 9: another employer's code
        (2023, "第二批", 7, "重庆庚有限公司", "", "火星区"),  # row 10: unknown district
        (2023, "第二批", 1, "重庆辛有限公司", "", ""),  # row 11: number used twice
        (2023, "第二批", 8, "重庆甲有限公司", "", ""),  # row 12: employer listed twice
        (2023, "第二批", 9, "重庆壬有限公司", code("a"), ""),  # row 13: code of row 3's employer
    ]
    with pytest.raises(PortalImportError) as error:
        import_bases(file=sheet(rows), by=admin)
    assert error.value.message == "导入失败：表格中有10处错误，未导入任何基地。"
    assert _errors(error) == [
        "第4行 〔年度〕 年度“二〇二三”无效：应为2023年以后的四位年份，如2023。",
        "第5行 〔批次〕 批次“第X批”无法识别：请填写“第一批”或数字1、2……",
        "第6行 〔序号〕 序号“三”应为正整数。",
        "第7行 〔单位名称〕 请填写单位名称。",
        "第8行 〔统一社会信用代码〕 “91500151MA5U00000Y”：统一社会信用代码校验位不正确，请核对最后一位。",
        f"第9行 〔统一社会信用代码〕 统一社会信用代码{code('taken')}已属于用人单位“重庆已有代码有限公司”：请核对代码或单位名称。",
        "第10行 〔所在区县〕 区县“火星区”不是重庆市的区县名称：请填写如“铜梁区”或“铜梁”（41个区县及管理区之一）。",
        "第11行 〔序号〕 与第3行重复：2023年第二批卓越工程师人才基地中序号1填了两次。",
        "第12行 〔单位名称〕 与第3行重复：“重庆甲有限公司”在2023年第二批卓越工程师人才基地中列了两次。",
        "第13行 〔统一社会信用代码〕 与第3行（重庆甲有限公司）的统一社会信用代码相同：一个代码只能属于一家单位。",
    ]
    # All or nothing: the good row 3 was not written either.
    assert not BaseBatch.objects.filter(year=2023, number=2).exists()
    assert not Employer.objects.filter(name="重庆甲有限公司").exists()


def test_a_missing_column_or_an_empty_sheet_is_refused_whole(districts: None, admin: User) -> None:
    with pytest.raises(PortalError, match="表头缺少列：批次"):
        import_bases(file=sheet([(2023, 1, "重庆甲有限公司")], header=("年度", "序号", "单位名称")), by=admin)
    with pytest.raises(PortalError, match="表格中没有数据"):
        import_bases(file=sheet([]), by=admin)


def test_districts_are_matched_by_name_with_or_without_their_suffix(districts: None, admin: User) -> None:
    rows = [
        (2024, 1, 1, "重庆甲有限公司", "", "铜梁区"),
        (2024, "第1批", 2, "重庆乙有限公司", "", "铜梁"),
        ("2024年", "一", 3, "重庆丙有限公司", "", "石柱县"),
        (2024, "第一批", 4, "重庆丁有限公司", "", " 两江新区 "),
    ]
    import_bases(file=sheet(rows), by=admin)
    found = dict(
        TalentBase.objects.filter(batch__year=2024, batch__number=1).values_list(
            "employer__name", "employer__district__name"
        )
    )
    assert found == {
        "重庆甲有限公司": "铜梁区",
        "重庆乙有限公司": "铜梁区",
        "重庆丙有限公司": "石柱土家族自治县",
        "重庆丁有限公司": "两江新区",
    }
    assert BaseBatch.objects.get(year=2024, number=1).title == "2024年第一批卓越工程师人才基地"


def test_only_an_admin_imports_the_list(districts: None, tongliang_clerk: User) -> None:
    with pytest.raises(PermissionDenied, match="只有系统管理员可以导入人才基地名单"):
        preview_bases(file=sheet([(2024, 1, 1, "重庆甲有限公司", "", "")]), by=tongliang_clerk)


@pytest.fixture
def tongliang_clerk(reference_data: None) -> User:
    return UserFactory(clerk=True, district=District.objects.get(code="500151"))


# --- batches over time ------------------------------------------------------------------------------------------


def test_a_later_batch_adds_to_the_list_and_leaves_the_earlier_one_untouched(districts: None, admin: User) -> None:
    import_bases(file=EXAMPLE, by=admin)
    before = list(TalentBase.objects.values_list("pk", "batch_id", "number", "employer_id").order_by("pk"))
    first = Employer.objects.get(name="国网重庆市电力公司")
    codes_before = (first.credit_code, first.district_id)
    # The next batch names a new employer and, again, one of the first batch (a base in two batches).
    rows = [
        (2024, "第一批", 1, "重庆新基地科技有限公司", code("new"), "永川区"),
        (2024, "第一批", 2, "国网重庆市电力公司", "", ""),
    ]
    result = import_bases(file=sheet(rows), by=admin)
    assert (result.created, result.updated, result.batches_created, result.employers_created) == (2, 0, 1, 1)
    assert (
        list(
            TalentBase.objects.filter(pk__in=[b[0] for b in before])
            .values_list("pk", "batch_id", "number", "employer_id")
            .order_by("pk")
        )
        == before
    )
    first.refresh_from_db()
    assert (first.credit_code, first.district_id) == codes_before  # blank cells keep what is recorded
    assert TalentBase.objects.count() == 42


def test_the_same_batch_twice_updates_its_employers_and_creates_nothing_twice(districts: None, admin: User) -> None:
    rows = [(2024, 1, 1, "重庆甲有限公司", "", ""), (2024, 1, 2, "重庆乙有限公司", code("b"), "铜梁区")]
    import_bases(file=sheet(rows), by=admin)
    again = [(2024, 1, 1, "重庆甲有限公司", code("a"), "大足"), (2024, 1, 2, "重庆乙有限公司", code("b"), "铜梁区")]
    preview = preview_bases(file=sheet(again), by=admin)
    assert (preview.created_count, preview.updated_count, preview.unchanged_count) == (0, 1, 1)
    assert preview.rows[0].changes == [f"统一社会信用代码：（无） → {code('a')}", "所在区县：（无） → 大足区"]
    import_bases(file=sheet(again), by=admin)
    assert TalentBase.objects.filter(batch__year=2024).count() == 2
    assert Employer.objects.get(name="重庆甲有限公司").credit_code == code("a")
    # A third time: nothing left to do, nothing written.
    third = import_bases(file=sheet(again), by=admin)
    assert (third.created, third.updated, third.unchanged) == (0, 0, 2)
    # A sheet leaving out a base deletes nothing.
    import_bases(file=sheet(again[:1]), by=admin)
    assert TalentBase.objects.filter(batch__year=2024).count() == 2


def test_a_recorded_base_keeps_its_number(districts: None, admin: User) -> None:
    import_bases(file=sheet([(2024, 1, 1, "重庆甲有限公司", "", ""), (2024, 1, 2, "重庆乙有限公司", "", "")]), by=admin)
    with pytest.raises(PortalImportError) as error:
        import_bases(
            file=sheet([(2024, 1, 5, "重庆甲有限公司", "", ""), (2024, 1, 2, "重庆丙有限公司", "", "")]), by=admin
        )
    assert _errors(error) == [
        "第3行 〔序号〕 “重庆甲有限公司”在2024年第一批卓越工程师人才基地中已是第1号，不能改为第5号（名单只增不改）。",
        "第4行 〔序号〕 2024年第一批卓越工程师人才基地的第2号已是“重庆乙有限公司”：请核对序号或单位名称。",
    ]


def test_batch_titles_count_in_chinese() -> None:
    assert [chinese_ordinal(n) for n in (1, 9, 10, 12, 20, 21)] == ["一", "九", "十", "十二", "二十", "二十一"]
    assert [importing.chinese_number(chinese_ordinal(n)) for n in range(1, 100)] == list(range(1, 100))
    assert batch_title(2025, 3) == "2025年第三批卓越工程师人才基地"


# --- the page, the template, the job, the command ---------------------------------------------------------------


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_previews_then_imports_on_confirmation(districts: None, admin: User) -> None:
    client = _client(admin)
    page = client.get(reverse("bases:import")).content.decode()
    assert "导入卓越工程师人才基地名单" in page and "导入区县" not in page
    data = sheet([(2024, 1, 1, "重庆甲有限公司", code("a"), "铜梁")])
    preview = client.post(reverse("bases:import"), {"file": io.BytesIO(data), "preview": "1"})
    text = preview.content.decode()
    assert (
        "新增基地 <strong>1</strong> 家" in text and "铜梁区" in text and "将新建用人单位1家：重庆甲有限公司。" in text
    )
    assert not TalentBase.objects.filter(batch__year=2024).exists()
    done = client.post(reverse("bases:import"), {"confirm": "1"})
    assert done.status_code == 302 and done["Location"] == reverse("bases:list")
    assert TalentBase.objects.get(batch__year=2024).employer.credit_code == code("a")


def test_the_page_lists_row_errors_and_offers_no_confirmation(districts: None, admin: User) -> None:
    client = _client(admin)
    data = sheet([(2024, 1, 1, "重庆甲有限公司", "123", "")])
    text = client.post(reverse("bases:import"), {"file": io.BytesIO(data), "preview": "1"}).content.decode()
    assert "第3行 〔统一社会信用代码〕 “123”：统一社会信用代码应为18位。" in text
    assert 'name="confirm"' not in text


def test_the_page_and_its_downloads_are_for_admins_only(districts: None, tongliang_clerk: User, admin: User) -> None:
    for name in ("bases:import", "bases:import_template", "bases:export"):
        assert _client(tongliang_clerk).get(reverse(name)).status_code == 403
        assert Client().get(reverse(name)).status_code == 302


def test_the_blank_template_and_the_current_list_import_as_they_are(districts: None, admin: User) -> None:
    client = _client(admin)
    blank = load_workbook(io.BytesIO(client.get(reverse("bases:import_template")).content)).active
    assert blank is not None
    assert [c.value for c in blank[2]] == [*HEADER, "发布文件"]
    import_bases(file=EXAMPLE, by=admin)
    exported = client.get(reverse("bases:export")).content
    again = preview_bases(file=exported, by=admin)
    assert (len(again.rows), again.errors, again.unchanged_count) == (40, [], 40)


def test_a_large_list_goes_through_the_background_job(
    districts: None, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_jobs, "BACKGROUND_MIN_BYTES", 0)
    client = _client(admin)
    response = client.post(reverse("bases:import"), {"file": io.BytesIO(EXAMPLE.read_bytes()), "preview": "1"})
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("portal:import_job", args=[job.pk])
    assert (job.kind, job.district) == (ImportJobKind.BASES, None)
    assert import_job_run(job_id=job.pk) == ImportJobStatus.AWAITING_CONFIRMATION
    job.refresh_from_db()
    assert (job.rows_total, job.new_count) == (40, 40)
    assert "全市" in client.get(reverse("portal:import_job", args=[job.pk])).content.decode()
    import_job_confirm(job=job, by=admin)
    assert import_job_run(job_id=job.pk) == ImportJobStatus.DONE
    assert TalentBase.objects.filter(employer__credit_code__isnull=False).count() == 40


def test_the_command_imports_or_lists_every_row_error(districts: None, admin: User, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(sheet([(2024, 1, 1, "重庆甲有限公司", "", "火星")]))
    with pytest.raises(CommandError, match="未导入任何基地"):
        call_command("import_bases", str(bad), "--user", admin.username)
    out = io.StringIO()
    call_command("import_bases", str(EXAMPLE), "--user", admin.username, stdout=out)
    assert "已新增基地 0 家，更新单位信息 40 家" in out.getvalue()


# --- the admin ----------------------------------------------------------------------------------------------------


def test_the_admin_edits_a_bases_credit_code_and_district_with_the_same_checks(districts: None, admin: User) -> None:
    base = TalentBase.objects.select_related("employer").get(batch__year=2023, number=1)
    EmployerFactory(name="重庆已有代码有限公司", credit_code=code("taken"))
    client = _client(admin)
    url = reverse("admin:bases_talentbase_change", args=[base.pk])
    form = {"batch": base.batch_id, "number": 1, "employer": base.employer_id, "district": ""}
    refused = client.post(url, {**form, "credit_code": code("taken")})
    assert refused.status_code == 200
    assert "已属于用人单位“重庆已有代码有限公司”" in refused.content.decode()
    refused = client.post(url, {**form, "credit_code": "91500151MA5U00000Y"})
    assert "统一社会信用代码校验位不正确" in refused.content.decode()
    tongliang = District.objects.get(code="500151")
    saved = client.post(url, {**form, "credit_code": code("own").lower(), "district": tongliang.pk})
    assert saved.status_code == 302
    base.employer.refresh_from_db()
    assert (base.employer.credit_code, base.employer.district) == (code("own"), tongliang)
    listing = client.get(reverse("admin:bases_talentbase_changelist")).content.decode()
    assert code("own") in listing


def test_reloading_the_reference_data_keeps_the_codes_and_districts_entered(districts: None, admin: User) -> None:
    import_bases(file=EXAMPLE, by=admin)
    entered = dict(Employer.objects.filter(talent_bases__isnull=False).values_list("name", "credit_code"))
    call_command("load_reference_data", verbosity=0)
    after = dict(Employer.objects.filter(talent_bases__isnull=False).values_list("name", "credit_code"))
    assert after == entered and len(after) == 40 and all(after.values())
    assert TalentBase.objects.count() == 40
