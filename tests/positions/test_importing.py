from __future__ import annotations

import io
import os
import time
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from portal.calendar import TenDayPeriod
from portal.constants import Channel, Education
from portal.errors import PermissionDenied, PortalError
from portal.models import District, Employer, User
from positions import importing
from positions.constants import BatchStatus, PositionSource, PositionStatus
from positions.importing import ImportResult, PortalImportError, import_positions, preview_positions, read_sheet
from positions.models import Position, PositionBatch
from tests.factories import EmployerFactory, PositionBatchFactory, UserFactory

PERIOD = TenDayPeriod(2026, 11, 3)
HEADER_A = [
    "序号",
    "用人\n\n单位",
    "岗位名称",
    None,
    "需求人数",
    "学历要求",
    "专业要求",
    "职业能力要求",
    "是否招聘应届生",
    "薪资范围",
    "填报来源",
]
HEADER_B = [None, None, "揭榜\n\n招贤", "引才\n\n专项", None, None, None, None, None, None, None]
EXAMPLE = [
    1,
    "XXXX公司（例）",
    None,
    "前沿通信技术与政策研究工程师",
    4,
    "硕士",
    "电子信息、通信工程、计算机",
    "1.熟悉通信技术；\n2.具备政策研究能力；\n3.有相关项目经验。",
    "是",
    "\n15-25万元/年",
    "铜梁区",
]


def row(n: int, **overrides: Any) -> list[Any]:
    """A valid data row (a 揭榜招贤 post unless ``special`` is given); overrides by column key."""
    values: dict[str, Any] = {
        "number": n,
        "employer": f"重庆导入测试有限公司{n}",
        "bounty": f"智能制造工程师{n}",
        "special": None,
        "headcount": 2,
        "education": "本科",
        "majors": "机械工程",
        "competencies": "熟悉PLC",
        "graduates": "否",
        "salary": "10-20万元/年",
        "source": "铜梁区",
    }
    values.update(overrides)
    return list(values.values())


def write_sheet(path: Path, rows: list[list[Any]], *, title: bool = True) -> Path:
    """The notice's layout: a title row, two header rows with 岗位名称 merged over its two channels."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    top = 1
    if title:
        sheet.append(["卓越工程师岗位表"])
        sheet.merge_cells("A1:K1")
        top = 2
    sheet.append(HEADER_A)
    sheet.append(HEADER_B)
    sheet.merge_cells(f"C{top}:D{top}")
    for column in "ABEFGHIJK":
        sheet.merge_cells(f"{column}{top}:{column}{top + 1}")
    for values in rows:
        sheet.append(values)
    workbook.save(path)
    return path


@pytest.fixture
def clerk(tongliang: District) -> User:
    return UserFactory(clerk=True, district=tongliang)


def run(path: Path | bytes, district: District, by: User, **kwargs: Any) -> ImportResult:
    return import_positions(file=path, district=district, period=PERIOD, by=by, **kwargs)


@pytest.mark.django_db
def test_the_notice_example_row_imports_as_a_special_recruitment_post(
    tmp_path: Path, tongliang: District, clerk: User
) -> None:
    sheet = write_sheet(tmp_path / "annex1.xlsx", [EXAMPLE])

    result = run(sheet, tongliang, clerk)

    assert (result.created, result.existing, result.employers_created) == (1, 0, 1)
    post = Position.objects.get()
    assert post.channel == Channel.SPECIAL_RECRUITMENT
    assert post.name == "前沿通信技术与政策研究工程师"
    assert post.employer.name == "XXXX公司（例）"
    assert post.employer.district == tongliang
    assert post.employer.credit_code is None
    assert post.headcount == 4
    assert post.education == Education.MASTER
    assert post.recruits_graduates is True
    assert post.competencies.count("\n") == 2
    assert (post.salary_min, post.salary_max) == (Decimal(150000), Decimal(250000))
    assert post.salary_text == "15-25万元/年"
    assert (post.district, post.batch.period) == (tongliang, str(PERIOD))
    assert (post.status, post.source, post.created_by) == (PositionStatus.DRAFT, PositionSource.IMPORT, clerk)
    entry = LogEntry.objects.get_for_object(post.batch).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == clerk
    assert entry.changes == {"imported_positions": ["0", "1"]}


@pytest.mark.django_db
def test_messy_cells_are_understood(tmp_path: Path, tongliang: District, clerk: User) -> None:
    existing = EmployerFactory(name="重庆已有科技有限公司", district=tongliang)
    rows = [
        row(
            1,
            employer="重庆已有科技有限公司 ",
            headcount="４",
            graduates="√",
            education="硕士研究生 ",
            salary="1.5万/月",
        ),
        row(2, headcount=3.0, graduates=None, education="本科及以上", source="铜梁 ", majors="自动化  "),
        row(3, bounty=None, special="算法工程师  ", headcount="５人", graduates="Y", education="专科", source="铜梁区"),
    ]
    sheet = write_sheet(tmp_path / "messy.xlsx", rows, title=False)

    result = run(sheet, tongliang, clerk)

    assert (result.created, result.employers_created) == (3, 2)
    first = Position.objects.get(employer=existing)
    assert (first.headcount, first.recruits_graduates, first.education) == (4, True, Education.MASTER)
    assert (first.salary_min, first.salary_max) == (Decimal(180000), Decimal(180000))
    second = Position.objects.get(name="智能制造工程师2")
    assert (second.headcount, second.recruits_graduates, second.education) == (3, False, Education.BACHELOR)
    assert second.majors == "自动化"
    third = Position.objects.get(name="算法工程师")
    assert (third.channel, third.headcount, third.education) == (Channel.SPECIAL_RECRUITMENT, 5, Education.COLLEGE)


@pytest.mark.django_db
def test_one_bad_row_writes_nothing_and_names_row_and_column(tmp_path: Path, tongliang: District, clerk: User) -> None:
    rows = [row(1), row(2, headcount="若干"), row(3, headcount=4.5, education="研究生")]
    sheet = write_sheet(tmp_path / "bad.xlsx", rows)

    with pytest.raises(PortalImportError) as caught:
        run(sheet, tongliang, clerk)

    found = {(error.row, error.column) for error in caught.value.errors}
    assert found == {(5, "需求人数"), (6, "需求人数"), (6, "学历要求")}
    assert "若干" in str(caught.value.errors[0])
    assert str(caught.value.errors[0]).startswith("第5行 〔需求人数〕")
    education = next(error for error in caught.value.errors if error.column == "学历要求")
    assert "大专、本科、硕士、博士、不限" in education.message
    assert not Position.objects.exists()
    assert not Employer.objects.filter(name__startswith="重庆导入测试").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "column", "fragment"),
    [
        ({"bounty": None}, "岗位名称", "岗位名称为空"),
        ({"special": "另一个岗位"}, "岗位名称", "都填了"),
        ({"employer": " "}, "用人单位", "请填写用人单位"),
        ({"majors": None}, "专业要求", "请填写专业要求"),
        ({"headcount": 0}, "需求人数", "至少为1人"),
        ({"graduates": "可能"}, "是否招聘应届生", "可能"),
        ({"source": "璧山区"}, "填报来源", "填报来源“璧山区”与导入的区县“铜梁区”不一致"),
        ({"source": None}, "填报来源", "请填写填报来源"),
    ],
)
def test_row_rules(
    tmp_path: Path, tongliang: District, clerk: User, overrides: dict[str, object], column: str, fragment: str
) -> None:
    sheet = write_sheet(tmp_path / "rule.xlsx", [row(1, **overrides)])

    with pytest.raises(PortalImportError) as caught:
        run(sheet, tongliang, clerk)

    [error] = caught.value.errors
    assert (error.row, error.column) == (4, column)
    assert fragment in error.message


@pytest.mark.django_db
def test_reimporting_the_same_sheet_adds_nothing(tmp_path: Path, tongliang: District, clerk: User) -> None:
    sheet = write_sheet(tmp_path / "again.xlsx", [EXAMPLE, row(2), row(3)])
    run(sheet, tongliang, clerk)

    result = run(sheet, tongliang, clerk)

    assert (result.created, result.existing, result.employers_created) == (0, 3, 0)
    assert Position.objects.count() == 3
    preview = preview_positions(file=sheet, district=tongliang, period=PERIOD, by=clerk)
    assert (preview.new_count, preview.existing_count, preview.error_count) == (0, 3, 0)


@pytest.mark.django_db
def test_a_duplicate_within_the_sheet_is_refused_naming_both_rows(
    tmp_path: Path, tongliang: District, clerk: User
) -> None:
    sheet = write_sheet(
        tmp_path / "dup.xlsx", [row(1), row(2), row(3, employer="重庆导入测试有限公司1", bounty="智能制造工程师1")]
    )

    with pytest.raises(PortalImportError) as caught:
        run(sheet, tongliang, clerk)

    [error] = caught.value.errors
    assert (error.row, error.column) == (6, "揭榜招贤")
    assert "与第4行重复" in error.message
    assert not Position.objects.exists()


@pytest.mark.django_db
def test_preview_writes_nothing_and_lists_new_employers(tmp_path: Path, tongliang: District, clerk: User) -> None:
    EmployerFactory(name="重庆导入测试有限公司1", district=tongliang)
    employers = Employer.objects.count()
    sheet = write_sheet(tmp_path / "preview.xlsx", [row(1), row(2), row(3, headcount="若干")])

    preview = preview_positions(file=sheet, district=tongliang, period=PERIOD, by=clerk)

    assert (preview.new_count, preview.existing_count, preview.error_count) == (2, 0, 1)
    assert preview.new_employers == ["重庆导入测试有限公司2", "重庆导入测试有限公司3"]
    assert "将新建用人单位：重庆导入测试有限公司2" in preview.messages
    assert [row.row for row in preview.rows] == [4, 5, 6]
    assert preview.rows[0].data is not None and preview.rows[0].data.headcount == 2
    assert not Position.objects.exists()
    assert Employer.objects.count() == employers
    assert not PositionBatch.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [
        "序号,用人单位\n1,某公司\n".encode(),
        os.urandom(4096),
        b"",
    ],
    ids=["text", "random", "empty"],
)
def test_a_file_that_is_not_xlsx_is_refused(tmp_path: Path, tongliang: District, clerk: User, content: bytes) -> None:
    fake = tmp_path / "annex1.xlsx"
    fake.write_bytes(content)

    with pytest.raises(PortalError, match=r"文件不是有效的Excel（\.xlsx）文件"):
        run(fake, tongliang, clerk)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
        archive.writestr("[Content_Types].xml", "<Types/>")

    with pytest.raises(PortalError, match=r"文件不是有效的Excel（\.xlsx）文件"):
        read_sheet(buffer.getvalue())


def test_a_zip_bomb_is_refused_quickly() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 1024 * 1024))
    bomb = buffer.getvalue()
    assert len(bomb) < 200_000

    started = time.monotonic()
    with pytest.raises(PortalError, match="压缩比异常") as caught:
        read_sheet(io.BytesIO(bomb))
    assert time.monotonic() - started < 1
    assert caught.value.code == "zip_ratio"


def test_too_many_entries_and_too_large_files_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for index in range(1001):
            archive.writestr(f"xl/media/{index}.bin", b"")
    with pytest.raises(PortalError, match="内部结构异常"):
        read_sheet(buffer.getvalue())
    with pytest.raises(PortalError, match="文件过大"):
        read_sheet(b"PK" + b"\0" * (20 * 1024 * 1024))


def test_a_sheet_without_the_annex_header_is_refused(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["姓名", "身份证号"])
    workbook.save(tmp_path / "other.xlsx")

    with pytest.raises(PortalError, match="未找到表头"):
        read_sheet(tmp_path / "other.xlsx")


@pytest.mark.django_db
def test_a_sent_batch_is_refused(tmp_path: Path, tongliang: District, clerk: User) -> None:
    PositionBatchFactory(district=tongliang, period=str(PERIOD), status=BatchStatus.SENT, sent_at=timezone.now())
    sheet = write_sheet(tmp_path / "late.xlsx", [row(1)])

    with pytest.raises(PortalError) as caught:
        run(sheet, tongliang, clerk)

    assert caught.value.code == "batch_sent"
    assert not Position.objects.exists()
    with pytest.raises(PortalError, match="已报送"):
        preview_positions(file=sheet, district=tongliang, period=PERIOD, by=clerk)


@pytest.mark.django_db
def test_only_the_districts_clerk_or_an_admin_may_import(tmp_path: Path, tongliang: District) -> None:
    sheet = write_sheet(tmp_path / "perm.xlsx", [row(1)])
    other_clerk = UserFactory(clerk=True, district=District.objects.get(code="500120"))
    reviewer = UserFactory(district_reviewer=True, district=tongliang)

    for user in (other_clerk, reviewer):
        with pytest.raises(PermissionDenied):
            run(sheet, tongliang, user)
        with pytest.raises(PermissionDenied):
            preview_positions(file=sheet, district=tongliang, period=PERIOD, by=user)
    assert not Position.objects.exists()

    assert run(sheet, tongliang, UserFactory(admin=True)).created == 1


@pytest.mark.django_db
def test_query_count_does_not_grow_with_rows(tmp_path: Path, tongliang: District, clerk: User) -> None:
    PositionBatchFactory(district=tongliang, period=str(PERIOD))

    def queries(n: int, name: str) -> tuple[list[str], int]:
        # Half the rows for employers that already exist, half for new ones.
        for index in range(0, n, 2):
            EmployerFactory(name=f"{name}{index}", district=tongliang)
        sheet = write_sheet(tmp_path / f"{name}.xlsx", [row(i, employer=f"{name}{i}") for i in range(n)])
        with CaptureQueriesContext(connection) as context:
            assert run(sheet, tongliang, clerk).created == n
        sql = [query["sql"] for query in context.captured_queries]
        others = [statement.split()[0] for statement in sql if not statement.startswith("INSERT")]
        return others, len(sql) - len(others)

    small, small_inserts = queries(10, "重庆小表公司")
    large, large_inserts = queries(200, "重庆大表公司")

    assert small == large
    # Bulk inserts are only split by the backend's parameter limit, never one per row.
    assert small_inserts <= large_inserts <= 12
    assert Position.objects.count() == 210


@pytest.mark.django_db
def test_command_prints_row_errors_and_writes_nothing(tmp_path: Path, tongliang: District, clerk: User) -> None:
    sheet = write_sheet(tmp_path / "cmd.xlsx", [row(1), row(2, headcount="若干")])
    err = io.StringIO()

    with pytest.raises(CommandError, match="未导入任何岗位"):
        call_command(
            "import_positions", str(sheet), district="500151", period=str(PERIOD), user=clerk.username, stderr=err
        )

    assert "第5行 〔需求人数〕" in err.getvalue()
    assert not Position.objects.exists()


@pytest.mark.django_db
def test_command_dry_run_writes_nothing_then_imports(tmp_path: Path, tongliang: District, clerk: User) -> None:
    sheet = write_sheet(tmp_path / "cmd.xlsx", [EXAMPLE, row(2)])
    UserFactory(admin=True)
    employers = Employer.objects.count()
    out = io.StringIO()

    call_command("import_positions", str(sheet), "--dry-run", district="500151", period=str(PERIOD), stdout=out)

    assert "新增岗位 2 个，已存在 0 个，新建用人单位 2 家" in out.getvalue()
    assert not Position.objects.exists()
    assert Employer.objects.count() == employers

    out = io.StringIO()
    call_command("import_positions", str(sheet), district="500151", period=str(PERIOD), stdout=out)
    assert "新增岗位 2 个" in out.getvalue()
    assert Position.objects.count() == 2


@pytest.mark.django_db
def test_command_refuses_unknown_district_and_bad_period(tmp_path: Path, tongliang: District, clerk: User) -> None:
    sheet = write_sheet(tmp_path / "cmd.xlsx", [row(1)])
    with pytest.raises(CommandError, match="区划代码"):
        call_command("import_positions", str(sheet), district="999999", period=str(PERIOD), user=clerk.username)
    with pytest.raises(CommandError, match="旬"):
        call_command("import_positions", str(sheet), district="500151", period="2026-13", user=clerk.username)


@pytest.mark.django_db
def test_another_districts_employer_is_refused_on_its_row(tmp_path: Path, tongliang: District, clerk: User) -> None:
    """Employer names are unique city-wide: a sheet naming another district's employer must not file posts for it."""
    other = EmployerFactory(name="重庆外区测试有限公司", district=District.objects.get(code="500112"))
    sheet = write_sheet(tmp_path / "other.xlsx", [row(1), row(2, employer=other.name)])

    with pytest.raises(PortalImportError) as caught:
        run(sheet, tongliang, clerk)

    [error] = caught.value.errors
    assert (error.row, error.column) == (5, "用人单位")
    assert other.district is not None
    assert f"“{other.name}”是{other.district.name}的用人单位" in error.message
    assert not Position.objects.exists()


@pytest.mark.django_db
def test_rows_written_chunk_by_chunk_are_all_or_nothing_and_every_error_is_reported(
    tmp_path: Path, tongliang: District, clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On PostgreSQL a chunk is written while the next is checked: chunks of two rows, errors in the third and fourth.
    monkeypatch.setattr(importing, "PIPELINE_ROWS", 2)
    rows = [row(n) for n in range(1, 10)]
    rows[5] = row(6, headcount="若干")
    rows[7] = row(8, employer="重庆导入测试有限公司1", bounty="智能制造工程师1")
    rows[8] = row(9, education="研究生")
    sheet = write_sheet(tmp_path / "chunks.xlsx", rows)

    with pytest.raises(PortalImportError) as caught:
        run(sheet, tongliang, clerk)

    assert [(error.row, error.column) for error in caught.value.errors] == [
        (9, "需求人数"),
        (11, "揭榜招贤"),
        (12, "学历要求"),
    ]
    assert not Position.objects.exists()
    # The new employers, inserted before the rows' posts, are rolled back with them.
    assert not Employer.objects.filter(name__startswith="重庆导入测试").exists()

    fixed = write_sheet(tmp_path / "fixed.xlsx", [row(n) for n in range(1, 10)])
    result = run(fixed, tongliang, clerk)

    assert (result.created, result.existing, result.employers_created) == (9, 0, 9)
    assert sorted(Position.objects.values_list("name", flat=True)) == sorted(f"智能制造工程师{n}" for n in range(1, 10))
    assert set(Position.objects.values_list("employer__district", flat=True)) == {tongliang.pk}
    entry = LogEntry.objects.filter(object_pk=str(result.batch.pk) if result.batch else "").latest("timestamp")
    assert entry.additional_data["employers_created"] == sorted(f"重庆导入测试有限公司{n}" for n in range(1, 10))


@pytest.mark.django_db
def test_posts_another_import_wrote_meanwhile_are_a_conflict(
    tmp_path: Path, tongliang: District, clerk: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "PIPELINE_ROWS", 2)
    sheet = write_sheet(tmp_path / "twice.xlsx", [row(n) for n in range(1, 6)])
    run(sheet, tongliang, clerk)
    # As if another import had committed the same posts after this one looked at the batch: the insert meets them.
    monkeypatch.setattr(importing, "_existing_keys", lambda batch: set())

    with pytest.raises(PortalError) as caught:
        run(sheet, tongliang, clerk)

    assert caught.value.code == "import_conflict"
    assert Position.objects.count() == 5


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the foreign keys' timing is PostgreSQL's")
def test_the_posts_foreign_keys_are_deferred_again_after_an_import(
    tmp_path: Path, tongliang: District, clerk: User
) -> None:
    run(write_sheet(tmp_path / "one.xlsx", [row(1)]), tongliang, clerk)
    post = Position.objects.get()

    with transaction.atomic():
        # Checked at commit, as Django declares them, not at once: no error here; rolled back unchecked.
        Position.objects.filter(pk=post.pk).update(employer_id=post.employer_id + 1_000_000)
        transaction.set_rollback(True)

    assert Position.objects.get().employer_id == post.employer_id
