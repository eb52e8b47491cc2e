"""Excel in the browser: the clerk uploads the notice's own Annex 1 sheet, reads the preview, confirms it;
then the API documentation renders offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.test_positions import demo_data, log_in  # noqa: F401  (fixture)
from tests.positions.test_importing import row, write_sheet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_uploads_previews_and_imports_a_sheet(page, screenshot, demo_data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from playwright.sync_api import expect

    from positions.models import Position

    bad = write_sheet(tmp_path / "bad.xlsx", [row(1), row(2, headcount="若干")])
    good = write_sheet(tmp_path / "good.xlsx", [row(1), row(2)])
    log_in(page, "clerk_tongliang")
    page.get_by_role("navigation", name="工作菜单").get_by_role("link", name="岗位填报").click()
    page.get_by_role("link", name="导入Excel").click()
    expect(page.get_by_role("heading", name=re.compile("导入《卓越工程师岗位表》"))).to_be_visible()

    page.get_by_label(re.compile("Excel文件")).set_input_files(str(bad))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_text(re.compile(r"第5行 〔需求人数〕"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("确认导入"))).to_have_count(0)
    screenshot("positions-import-1-errors")

    page.get_by_label(re.compile("Excel文件")).set_input_files(str(good))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_text("将新增").first).to_be_visible()
    screenshot("positions-import-2-preview")
    page.get_by_role("button", name=re.compile("确认导入 2 个岗位")).click()
    expect(page.get_by_text(re.compile("导入完成：新增岗位2个"))).to_be_visible()
    screenshot("positions-import-3-done")
    assert Position.objects.filter(district__code="500151").count() == 2


def test_the_api_documentation_renders_offline(page, screenshot, demo_data) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from playwright.sync_api import expect

    page.goto("/api/docs/")
    expect(page.get_by_text("卓越工程师岗位").first.or_(page.get_by_text("/api/v1/positions/").first)).to_be_visible(
        timeout=15000
    )
    screenshot("api-docs")
