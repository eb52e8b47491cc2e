"""The talent base list in the browser: the admin imports a new batch (a refused sheet first, then a good one), reads
it on the public list, creates the base's sign-in account from the admin's base list, and the base signs in with its
credit code and finds on its workspace that it is a base."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import Workbook

from portal.management.commands.seed_demo import DEMO_PASSWORD
from tests.bases.test_importing import code
from tests.browser.conftest import enter_password, log_in, log_out, replace_initial_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sheet(path: Path, rows: list[tuple[object, ...]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["2025年第一批卓越工程师人才基地名单"])
    sheet.append(["年度", "批次", "序号", "单位名称", "统一社会信用代码", "所在区县"])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def test_the_admin_imports_a_batch_and_the_base_signs_in_by_its_credit_code(  # type: ignore[no-untyped-def]
    page, screenshot, demo_data, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    credit_code = code("browser")
    bad = _sheet(tmp_path / "bad.xlsx", [(2025, "第一批", 1, "重庆浏览器测试有限公司", credit_code, "火星区")])
    good = _sheet(
        tmp_path / "good.xlsx",
        [
            (2025, "第一批", 1, "重庆浏览器测试有限公司", credit_code, "铜梁"),
            (2025, "第一批", 2, "重庆第二基地有限公司", "", ""),
        ],
    )
    log_in(page, "admin", DEMO_PASSWORD)
    page.get_by_role("link", name=re.compile("导入人才基地名单")).click()
    expect(page.get_by_role("heading", name=re.compile("导入卓越工程师人才基地名单"))).to_be_visible()
    screenshot("bases-import-0-page")

    page.get_by_label(re.compile("Excel文件")).set_input_files(str(bad))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_text(re.compile(r"第3行 〔所在区县〕 区县“火星区”不是重庆市的区县名称"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("确认导入"))).to_have_count(0)
    screenshot("bases-import-1-errors")

    page.get_by_label(re.compile("Excel文件")).set_input_files(str(good))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_text("将新建批次：2025年第一批卓越工程师人才基地。")).to_be_visible()
    screenshot("bases-import-2-preview")
    page.get_by_role("button", name=re.compile("确认导入 2 家")).click()
    expect(page.get_by_text(re.compile("导入完成：新增基地2家"))).to_be_visible()
    expect(page.get_by_role("heading", name="2025年第一批卓越工程师人才基地")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("重庆浏览器测试有限公司 铜梁区"))).to_be_visible()
    screenshot("bases-import-3-list")

    # The admin's base list: select the new base, create its account, read the initial password once.
    page.goto("/admin/bases/talentbase/?q=浏览器")
    page.get_by_role("checkbox", name=re.compile("选择此对象|Select this object")).first.check()
    page.locator("select[name=action]").select_option("create_sign_in_account")
    page.get_by_role("button", name=re.compile("执行|Go")).click()
    notice = page.get_by_text(re.compile("初始密码 "))
    expect(notice).to_be_visible()
    match = re.search(r"初始密码 (\S+)（", notice.inner_text())
    assert match is not None
    page.goto("/workspace/")
    log_out(page)

    enter_password(page, f" {credit_code.lower()} ", match.group(1))
    replace_initial_password(page, match.group(1))
    expect(page.get_by_text("本单位是卓越工程师人才基地")).to_be_visible()
    expect(page.get_by_text(re.compile("入选2025年第一批卓越工程师人才基地"))).to_be_visible()
    screenshot("bases-import-4-base-workspace")
