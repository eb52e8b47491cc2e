"""The Annex 3 import: messy cells understood, every error with its row and column, all rows or none."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook
from pytest_django.fixtures import DjangoAssertNumQueries
from stdnum.cn import ric

from portal.errors import PermissionDenied, PortalError
from portal.identity import mask_id_number
from portal.models import District, User
from positions.models import Position
from referrals.constants import EmployerConfirmation, EmploymentMode, HireStatus
from referrals.importing import PortalImportError, import_hires, preview_hires, read_hire_sheet
from referrals.models import Hire
from tests.factories import (
    DistrictFactory,
    HireFactory,
    PositionFactory,
    ThirdPartyFactory,
    UserFactory,
    make_id_number,
)

pytestmark = pytest.mark.django_db

GROUPS = ["必填项", None, None, None, None, None, "选填项", None, None, None, None, None, None, None]
NAMES = [
    "序号",
    "姓名",
    "身份证号码",
    "岗位名称",
    "引进方式",
    "劳动合同期限",
    "毕业院校",
    "专业",
    "学历",
    "职称职级",
    "技能等级",
    "入职时间",
    "工作经历（海聚）",
    "其他符合的相关条件",
]
ARRIVED = datetime.date(2026, 2, 2)
GRADUATED = datetime.date(2025, 6, 30)


def person(n: int, post: str, **overrides: Any) -> dict[str, Any]:
    """A valid row for ``post``, by column name; overrides by column name too."""
    values: dict[str, Any] = {
        "序号": n,
        "姓名": f"人才{n}",
        "身份证号码": make_id_number(n),
        "岗位名称": post,
        "引进方式": "全职",
        "劳动合同期限": "3年",
        "毕业院校": "重庆大学",
        "专业": "机械工程",
        "学历": "硕士",
        "职称职级": "",
        "技能等级": "",
        "入职时间": ARRIVED,
        "工作经历（海聚）": "",
        "其他符合的相关条件": "",
        # Not an annex column: 启航 needs it (an 应届 graduate of 2025 arriving in 2026).
        "毕业时间": GRADUATED,
    }
    values.update(overrides)
    return values


def write_sheet(
    path: Path,
    rows: list[dict[str, Any]],
    *,
    title: bool = True,
    names: list[str] | None = None,
    extra: tuple[str, ...] = (),
    graduation: bool = True,
) -> Path:
    """The notice's layout: a title row, 必填项/选填项 merged over the column names, then ``extra`` columns and
    (``graduation``) the optional 毕业时间 column."""
    names = names or NAMES
    if graduation and "毕业时间" not in extra:
        extra = (*extra, "毕业时间")
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    top = 1
    if title:
        sheet.append(["用人单位引进人才确认表"])
        sheet.merge_cells("A1:N1")
        top = 2
    sheet.append(GROUPS + [None] * len(extra))
    sheet.merge_cells(f"A{top}:F{top}")
    sheet.merge_cells(f"G{top}:N{top}")
    sheet.append(names + list(extra))
    for values in rows:
        sheet.append([values.get(column) for column in NAMES + list(extra)])
    workbook.save(path)
    return path


@pytest.fixture
def post(district: District) -> Position:
    return PositionFactory(batch__district=district, published=True, name="智能制造工程师", recruits_graduates=True)


def run(path: Path | bytes, district: District, by: User, **kwargs: Any) -> Any:
    return import_hires(file=path, district=district, by=by, **kwargs)


def errors_of(path: Path, district: District, by: User) -> list[str]:
    with pytest.raises(PortalImportError) as caught:
        run(path, district, by)
    return [str(error) for error in caught.value.errors]


def id_with_x() -> str:
    """A valid ID number whose check character is X."""
    for n in range(1000):
        body = f"50010319990101{n:03d}"
        if ric.calc_check_digit(body + "0") == "X":
            return body + "X"
    raise AssertionError("no X check digit in range")


# ---- Reading the sheet -----------------------------------------------------------------------------------------


def test_the_annex_layout_imports_every_row_as_awaiting_audit(
    tmp_path: Path, district: District, clerk: User, post: Position
) -> None:
    sheet = write_sheet(tmp_path / "annex3.xlsx", [person(1, post.name), person(2, post.name, 引进方式="柔性")])

    result = run(sheet, district, clerk)

    assert result.created == 2 and not result.dry_run
    first, second = Hire.objects.order_by("name")
    assert (first.name, first.id_number, first.position, first.district) == ("人才1", make_id_number(1), post, district)
    assert (first.mode, second.mode) == (EmploymentMode.FULL_TIME, EmploymentMode.FLEXIBLE)
    assert first.status == HireStatus.RECORDED and first.recorded_by == clerk
    assert (first.programme, first.year, first.arrived_on) == ("qihang", 2026, ARRIVED)
    assert (first.school, first.major, first.education, first.contract_term) == (
        "重庆大学",
        "机械工程",
        "master",
        "3年",
    )
    assert first.employer_confirmation == EmployerConfirmation.NOT_NEEDED and first.third_party is None


def test_messy_cells_are_understood(tmp_path: Path, district: District, clerk: User, post: Position) -> None:
    party = ThirdPartyFactory(name="重庆英才人力资源有限公司")
    other_party = ThirdPartyFactory()
    assert other_party.credit_code is not None
    x_id = id_with_x()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in make_id_number(2))
    rows = [
        person(
            1, f" {post.name} ", 身份证号码=x_id.lower(), 引进方式=" 全 职 ", 学历="硕士研究生", 入职时间="2026/2/2"
        ),
        person(
            2, post.name, 身份证号码=full_width, 引进方式="（柔性）", 学历="全日制大学本科", 入职时间="2026年2月3日"
        ),
        person(3, post.name, 学历="博士", 入职时间="2026.2.4", 荐才第三方=party.name),
        person(
            4, post.name, 学历="", 入职时间="２０２６－０２－０５", 荐才第三方=f" {other_party.credit_code.lower()} "
        ),
        person(5, post.name, 入职时间=datetime.datetime(2026, 2, 6, 9, 30), 专项="海聚专项", 职称职级="高级工程师"),
        person(6, post.name, 入职时间=None, 劳动合同期限=5),
    ]
    columns = ("荐才第三方", "专项")
    names = [" 序 号", "姓\n名", "身份证\n号码", "岗位\n名称", "引进方式", "劳动合同\n期限", *NAMES[6:12]]
    names += ["工作经历(海聚)", "其他符合的\n相关条件"]
    sheet = write_sheet(tmp_path / "messy.xlsx", rows, names=names, extra=columns)

    assert run(sheet, district, clerk).created == 6

    hires = {hire.name: hire for hire in Hire.objects.select_related("third_party")}
    assert hires["人才1"].id_number == x_id and hires["人才1"].mode == "full_time"
    assert hires["人才2"].id_number == make_id_number(2) and hires["人才2"].mode == "flexible"
    assert [hires[f"人才{n}"].education for n in range(1, 5)] == ["master", "bachelor", "doctor", ""]
    assert [hires[f"人才{n}"].arrived_on for n in range(1, 6)] == [
        ARRIVED + datetime.timedelta(days=d) for d in range(5)
    ]
    assert hires["人才3"].third_party == party and hires["人才4"].third_party == other_party
    assert hires["人才3"].employer_confirmation == EmployerConfirmation.PENDING
    assert hires["人才5"].programme == "haiju" and hires["人才5"].title_rank == "高级工程师"
    assert hires["人才6"].arrived_on is None and hires["人才6"].year == timezone.localdate().year
    assert hires["人才6"].contract_term == "5"


def test_work_experience_keeps_its_lines(tmp_path: Path, district: District, clerk: User, post: Position) -> None:
    row = person(1, post.name, **{"工作经历（海聚）": "  2018-2024 某公司\n\n  工程师  ", "专项": "海聚"})
    run(write_sheet(tmp_path / "a.xlsx", [row], extra=("专项",)), district, clerk)
    hire = Hire.objects.get()
    assert hire.work_experience == "2018-2024 某公司\n工程师" and hire.programme == "haiju"


def test_a_sheet_without_the_title_row_and_with_excel_date_serials_reads(
    tmp_path: Path, district: District, clerk: User, post: Position
) -> None:
    sheet = write_sheet(tmp_path / "plain.xlsx", [person(1, post.name, 入职时间=46055)], title=False)
    rows = read_hire_sheet(sheet)
    assert [row.row for row in rows] == [3]
    assert run(sheet, district, clerk).created == 1
    assert Hire.objects.get().arrived_on == ARRIVED


def test_a_sheet_without_the_annex_header_is_refused(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["序号", "用人单位", "岗位名称"])
    workbook.save(tmp_path / "annex1.xlsx")
    with pytest.raises(PortalError, match="未找到表头") as caught:
        read_hire_sheet(tmp_path / "annex1.xlsx")
    assert caught.value.code == "header_not_found"

    missing = write_sheet(tmp_path / "missing.xlsx", [], names=[*NAMES[:4], "用工形式", *NAMES[5:]])
    with pytest.raises(PortalError, match="表头缺少列：引进方式"):
        read_hire_sheet(missing)


def test_a_file_that_is_not_xlsx_is_refused(district: District, clerk: User) -> None:
    with pytest.raises(PortalError, match=r"文件不是有效的Excel（\.xlsx）文件"):
        run("姓名,身份证号码\n".encode(), district, clerk)


# ---- Row errors ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "column", "fragment"),
    [
        ({"姓名": "  "}, "姓名", "请填写姓名"),
        ({"身份证号码": "500103199901010050"}, "身份证号码", "校验位"),
        ({"身份证号码": "5001031999"}, "身份证号码", "18位"),
        ({"身份证号码": 500103199901010000.0}, "身份证号码", "存成了数字"),
        ({"岗位名称": ""}, "岗位名称", "请填写岗位名称"),
        ({"岗位名称": "不存在的岗位"}, "岗位名称", "本区县没有已发布的岗位“不存在的岗位”"),
        ({"引进方式": "兼职"}, "引进方式", "引进方式只能是“全职”或“柔性”"),
        ({"劳动合同期限": None}, "劳动合同期限", "请填写劳动合同期限"),
        ({"学历": "小学"}, "学历", "学历“小学”无法识别"),
        ({"入职时间": "明年春天"}, "入职时间", "入职时间“明年春天”无法识别"),
        ({"入职时间": "2026-02-30"}, "入职时间", "无法识别"),
        ({"毕业院校": "大" * 129}, "毕业院校", "不能超过128个字"),
    ],
)
def test_row_rules(
    tmp_path: Path,
    district: District,
    clerk: User,
    post: Position,
    overrides: dict[str, object],
    column: str,
    fragment: str,
) -> None:
    sheet = write_sheet(tmp_path / "bad.xlsx", [person(1, post.name), person(2, post.name, **overrides)])

    errors = errors_of(sheet, district, clerk)

    assert any(error.startswith(f"第5行 〔{column}〕") and fragment in error for error in errors), errors
    assert not Hire.objects.exists()


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("远航", "专项只能是“启航”或“海聚”"), ("不存在的人力公司", "未找到荐才第三方“不存在的人力公司”")],
)
def test_optional_column_rules(
    tmp_path: Path, district: District, clerk: User, post: Position, value: str, fragment: str
) -> None:
    column = "专项" if value == "远航" else "荐才第三方"
    sheet = write_sheet(tmp_path / "bad.xlsx", [person(1, post.name, **{column: value})], extra=(column,))
    [error] = errors_of(sheet, district, clerk)
    assert error.startswith(f"第4行 〔{column}〕 {fragment}")


def test_every_error_of_a_row_is_reported(tmp_path: Path, district: District, clerk: User, post: Position) -> None:
    bad = person(
        1, "不存在的岗位", 姓名="", 身份证号码="123", 引进方式="兼职", 劳动合同期限="", 学历="小学", 入职时间="?"
    )
    errors = errors_of(write_sheet(tmp_path / "bad.xlsx", [bad]), district, clerk)
    columns = [error.split("〔")[1].split("〕")[0] for error in errors]
    assert sorted(columns) == sorted(["岗位名称", "姓名", "身份证号码", "引进方式", "劳动合同期限", "学历", "入职时间"])
    assert all(error.startswith("第4行") for error in errors)


def test_posts_not_yet_published_and_other_districts_posts_are_refused(
    tmp_path: Path, district: District, clerk: User
) -> None:
    PositionFactory(batch__district=district, name="待审岗位", submitted=True)
    PositionFactory(published=True, name="外区岗位")
    sheet = write_sheet(tmp_path / "bad.xlsx", [person(1, "待审岗位"), person(2, "外区岗位")])

    errors = errors_of(sheet, district, clerk)

    assert errors[0].startswith("第4行 〔岗位名称〕 岗位“待审岗位”尚未发布（待初审）")
    assert errors[1].startswith("第5行 〔岗位名称〕 本区县没有已发布的岗位“外区岗位”")


def test_a_post_name_shared_by_two_employers_needs_the_employer(
    tmp_path: Path, district: District, clerk: User
) -> None:
    first = PositionFactory(batch__district=district, published=True, name="嵌入式工程师")
    second = PositionFactory(batch__district=district, published=True, name="嵌入式工程师")
    ambiguous = write_sheet(tmp_path / "a.xlsx", [person(1, "嵌入式工程师")])

    [error] = errors_of(ambiguous, district, clerk)
    assert error.startswith("第4行 〔岗位名称〕 本区县有2个已发布的岗位“嵌入式工程师”")
    assert first.employer.name in error and second.employer.name in error and "用人单位" in error

    wrong = write_sheet(tmp_path / "w.xlsx", [person(1, "嵌入式工程师", 用人单位="别的公司")], extra=("用人单位",))
    [error] = errors_of(wrong, district, clerk)
    assert error.startswith("第4行 〔用人单位〕 别的公司没有已发布的岗位“嵌入式工程师”")

    named = write_sheet(
        tmp_path / "n.xlsx", [person(1, "嵌入式工程师", 用人单位=f" {second.employer.name}")], extra=("用人单位",)
    )
    assert run(named, district, clerk).created == 1
    assert Hire.objects.get().position == second


def test_a_closed_post_takes_hires_and_names_are_read_as_a_person_reads_them(
    tmp_path: Path, district: District, clerk: User
) -> None:
    closed = PositionFactory(
        batch__district=district, status="closed", close_reason="已招满", name="工艺工程师（焊接）"
    )
    sheet = write_sheet(tmp_path / "c.xlsx", [person(1, "工艺工程师(焊接)")])
    assert run(sheet, district, clerk).created == 1
    assert Hire.objects.get().position == closed


def test_third_parties_with_the_same_name_need_the_credit_code(
    tmp_path: Path, district: District, clerk: User, post: Position
) -> None:
    ThirdPartyFactory(name="同名人力公司")
    ThirdPartyFactory(name="同名人力公司")
    sheet = write_sheet(tmp_path / "t.xlsx", [person(1, post.name, 荐才第三方="同名人力公司")], extra=("荐才第三方",))
    [error] = errors_of(sheet, district, clerk)
    assert error == "第4行 〔荐才第三方〕 有2个名为“同名人力公司”的荐才第三方，请改填其统一社会信用代码。"


def test_an_individual_third_party_is_found_by_id_number_and_never_shown_whole(
    tmp_path: Path, district: District, clerk: User, post: Position
) -> None:
    individual = ThirdPartyFactory(individual=True)
    unknown = make_id_number(321, birthday="19800101")  # no factory makes a number of this birthday
    rows = [person(1, post.name, 推荐机构=individual.id_number), person(2, post.name, 推荐机构=unknown)]
    sheet = write_sheet(tmp_path / "t.xlsx", rows, extra=("推荐机构",))
    for row in rows:
        row["荐才第三方"] = row.pop("推荐机构")
    [error] = errors_of(sheet, district, clerk)
    assert error.startswith("第5行 〔荐才第三方〕 未找到身份证号码为") and mask_id_number(unknown) in error
    assert unknown not in error


# ---- All or nothing, duplicates --------------------------------------------------------------------------------


def test_one_bad_row_writes_nothing(tmp_path: Path, district: District, clerk: User, post: Position) -> None:
    rows = [person(n, post.name) for n in range(1, 6)] + [person(6, post.name, 引进方式="兼职")]
    sheet = write_sheet(tmp_path / "bad.xlsx", rows)

    with pytest.raises(PortalImportError, match="未导入任何人员") as caught:
        run(sheet, district, clerk)

    assert [str(error) for error in caught.value.errors] == ["第9行 〔引进方式〕 引进方式只能是“全职”或“柔性”。"]
    assert not Hire.objects.exists()
    assert not LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Hire)).exists()


def test_the_same_person_twice_in_the_sheet_is_refused_naming_the_other_row(
    tmp_path: Path, district: District, clerk: User, post: Position
) -> None:
    number = make_id_number(9)
    rows = [
        person(1, post.name, 身份证号码=number),
        person(2, post.name),
        person(3, post.name, 身份证号码=number.lower()),
    ]
    errors = errors_of(write_sheet(tmp_path / "dup.xlsx", rows), district, clerk)

    assert errors == [
        f"第6行 〔身份证号码〕 与第4行的身份证号码（{mask_id_number(number)}）重复：同一人在2026年启航专项只能登记一次。"
    ]
    assert number not in "".join(errors)
    assert not Hire.objects.exists()


def test_the_same_person_in_another_programme_or_year_is_not_a_duplicate(
    tmp_path: Path, district: District, clerk: User, post: Position
) -> None:
    number = make_id_number(9)
    rows = [
        person(1, post.name, 身份证号码=number),
        person(2, post.name, 身份证号码=number, 专项="海聚"),
        person(3, post.name, 身份证号码=number, 入职时间="2027-01-05"),
    ]
    assert run(write_sheet(tmp_path / "ok.xlsx", rows, extra=("专项",)), district, clerk).created == 3


def test_a_person_recorded_by_another_district_is_refused_naming_it(
    tmp_path: Path, district: District, clerk: User, post: Position
) -> None:
    elsewhere = DistrictFactory(name="永川区")
    recorded = HireFactory(position__batch__district=elsewhere, programme="qihang", year=2026)
    sheet = write_sheet(
        tmp_path / "dup.xlsx", [person(1, post.name), person(2, post.name, 身份证号码=recorded.id_number)]
    )

    errors = errors_of(sheet, district, clerk)

    masked = mask_id_number(recorded.id_number)
    assert errors == [f"第5行 〔身份证号码〕 身份证号码{masked}已在永川区登记为2026年启航专项引进人才，不能重复登记。"]
    assert recorded.id_number not in "".join(errors)
    assert Hire.objects.count() == 1


def test_a_person_recorded_without_a_district_is_refused_naming_the_talent_centre(
    tmp_path: Path, district: District, clerk: User, post: Position
) -> None:
    recorded = HireFactory(without_district=True, programme="qihang", year=2026)
    sheet = write_sheet(tmp_path / "dup.xlsx", [person(1, post.name, 身份证号码=recorded.id_number)])

    preview = preview_hires(file=sheet, district=district, by=clerk)

    masked = mask_id_number(recorded.id_number)
    assert [str(error) for error in preview.errors] == [
        f"第4行 〔身份证号码〕 身份证号码{masked}已在重庆市人才交流服务中心登记为2026年启航专项引进人才，不能重复登记。"
    ]
    assert preview.already_recorded_count == 1 and preview.new_count == 0


def test_reimporting_the_same_sheet_is_refused_as_already_recorded(
    tmp_path: Path, district: District, clerk: User, post: Position
) -> None:
    sheet = write_sheet(tmp_path / "again.xlsx", [person(1, post.name), person(2, post.name)])
    assert run(sheet, district, clerk).created == 2

    preview = preview_hires(file=sheet, district=district, by=clerk)
    assert preview.new_count == 0 and preview.already_recorded_count == 2
    assert preview.messages == [
        "有2人已由本区县登记过（可能是重复上传了同一表格）：已登记的人员不会重复导入，请从表格中删除这些行后重新上传。"
    ]
    assert all(f"已在{district.name}登记为2026年启航专项" in str(error) for error in preview.errors)
    with pytest.raises(PortalImportError):
        run(sheet, district, clerk)
    assert Hire.objects.count() == 2


def test_no_message_ever_holds_a_whole_id_number(
    tmp_path: Path, district: District, clerk: User, post: Position
) -> None:
    recorded = HireFactory(position=post, year=2026)
    twice = make_id_number(11)
    valid = make_id_number(15)
    broken = valid[:-1] + ("1" if valid[-1] != "1" else "2")
    rows = [
        person(1, post.name, 身份证号码=recorded.id_number),
        person(2, post.name, 身份证号码=twice),
        person(3, post.name, 身份证号码=twice),
        person(
            4, make_id_number(17), 身份证号码=make_id_number(12), 学历=make_id_number(13), 入职时间=make_id_number(14)
        ),
        person(5, post.name, 身份证号码=broken, 荐才第三方=make_id_number(16)),
    ]
    sheet = write_sheet(tmp_path / "ids.xlsx", rows, extra=("荐才第三方",))
    preview = preview_hires(file=sheet, district=district, by=clerk)
    text = "".join(str(error) for error in preview.errors) + "".join(preview.messages)
    text += "".join(row.id_number_masked for row in preview.rows)

    assert len(preview.errors) >= 6
    for n in (11, 12, 13, 14, 15, 16, 17):
        assert make_id_number(n)[:-1] not in text
    assert recorded.id_number not in text


# ---- Who, what is recorded, how many queries -------------------------------------------------------------------


def test_only_the_districts_clerk_or_an_admin_may_import(tmp_path: Path, district: District, post: Position) -> None:
    sheet = write_sheet(tmp_path / "who.xlsx", [person(1, post.name)])
    for user in (
        UserFactory(district_reviewer=True, district=district),
        UserFactory(clerk=True),  # another district's clerk
        UserFactory(bureau=True),
    ):
        with pytest.raises(PermissionDenied, match="只有本区县的经办人"):
            run(sheet, district, user)
        with pytest.raises(PermissionDenied):
            preview_hires(file=sheet, district=district, by=user)
    assert not Hire.objects.exists()

    admin = UserFactory(admin=True)
    assert run(sheet, district, admin).created == 1
    assert Hire.objects.get().recorded_by == admin


def test_each_hire_gets_its_creation_audit_entry_with_the_actor(
    tmp_path: Path, district: District, clerk: User, post: Position
) -> None:
    sheet = write_sheet(tmp_path / "audit.xlsx", [person(1, post.name), person(2, post.name)])

    run(sheet, district, clerk)

    for hire in Hire.objects.all():
        entry = LogEntry.objects.get_for_object(hire).get()
        assert entry.action == LogEntry.Action.CREATE and entry.actor == clerk
        assert entry.changes_dict["name"] == ["None", hire.name]
        assert entry.changes_dict["status"][1] == HireStatus.RECORDED
        assert hire.id_number not in str(entry.changes) and hire.id_number not in entry.object_repr
        assert entry.additional_data["source"] == "import"
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Hire))
    assert sorted(entry.additional_data["sheet_row"] for entry in entries) == [4, 5]


def test_query_count_does_not_grow_with_rows(
    tmp_path: Path,
    district: District,
    clerk: User,
    post: Position,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    party = ThirdPartyFactory()
    ContentType.objects.get_for_model(Hire)  # cached for the process: warm it so both runs start alike
    HireFactory(position=post)  # an existing hire in the duplicate lookup

    def queries(first: int, n: int) -> tuple[list[str], int]:
        rows = [
            person(i, post.name, 荐才第三方=party.name if i % 2 else "", 姓名=f"第{i}人")
            for i in range(first, first + n)
        ]
        sheet = write_sheet(tmp_path / f"{n}.xlsx", rows, extra=("荐才第三方",))
        # Bulk inserts are split only by the backend's bound-parameter limit (999 on SQLite, one COPY on
        # PostgreSQL), never one per row: 200 rows stay far below 200 queries.
        with django_assert_max_num_queries(25) as captured:
            assert run(sheet, district, clerk).created == n
        sql = [query["sql"] for query in captured.captured_queries]
        others = [statement.split()[0] for statement in sql if not statement.startswith("INSERT")]
        return others, len(sql) - len(others)

    small, small_inserts = queries(100, 10)
    large, large_inserts = queries(200, 200)

    assert small == large  # the same reads, whatever the sheet's length
    assert small_inserts <= large_inserts <= 12
    assert Hire.objects.count() == 211
    assert LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Hire)).count() >= 210


# ---- The command ------------------------------------------------------------------------------------------------


def test_command_prints_row_errors_and_writes_nothing(
    tmp_path: Path, district: District, clerk: User, post: Position
) -> None:
    sheet = write_sheet(tmp_path / "cmd.xlsx", [person(1, post.name), person(2, post.name, 学历="小学")])
    err = io.StringIO()

    with pytest.raises(CommandError, match="未导入任何人员"):
        call_command("import_hires", str(sheet), district=district.code, user=clerk.username, stderr=err)

    assert "第5行 〔学历〕" in err.getvalue()
    assert not Hire.objects.exists()


def test_command_dry_run_writes_nothing_then_imports(
    tmp_path: Path, district: District, clerk: User, post: Position
) -> None:
    sheet = write_sheet(tmp_path / "cmd.xlsx", [person(1, post.name), person(2, post.name)])
    out = io.StringIO()

    call_command("import_hires", str(sheet), "--dry-run", district=district.code, user=clerk.username, stdout=out)
    assert "可登记到岗人员 2 人" in out.getvalue() and not Hire.objects.exists()

    out = io.StringIO()
    call_command("import_hires", str(sheet), district=district.code, user=clerk.username, stdout=out)
    assert "已登记到岗人员 2 人" in out.getvalue()
    assert Hire.objects.count() == 2


def test_command_refuses_unknown_district_and_user(
    tmp_path: Path, district: District, clerk: User, post: Position
) -> None:
    sheet = write_sheet(tmp_path / "cmd.xlsx", [person(1, post.name)])
    with pytest.raises(CommandError, match="区划代码"):
        call_command("import_hires", str(sheet), district="999999", user=clerk.username)
    with pytest.raises(CommandError, match="没有启用的用户"):
        call_command("import_hires", str(sheet), district=district.code, user="nobody")
    with pytest.raises(CommandError, match="只有本区县的经办人"):
        call_command("import_hires", str(sheet), district=district.code, user=UserFactory(clerk=True).username)
