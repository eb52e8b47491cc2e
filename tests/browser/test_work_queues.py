"""The new users' walk: the district reviewer reads each post before deciding, the send button says what it will do,
and the clerk's workspace cards lead to the posts they count — even a post the send carried into the next 旬.
The admin finds the imports from the workspace, downloads the blank Annex 1 sheet and reads a preview whose error
rows still name their post."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.management.commands.seed_demo import DEMO_EMPLOYER, DEMO_PASSWORD
from tests.browser.conftest import log_in, log_out
from tests.positions.test_importing import row, write_sheet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SKILLS = "1.熟悉5G通信协议；\n2.具有政策研究经验；\n3.英语读写熟练。"
MAJORS = "电子信息、通信工程、计算机科学与技术、软件工程、网络空间安全及相关专业"


def _submitted_posts() -> tuple[str, str]:
    from portal.calendar import TenDayPeriod
    from portal.models import Employer, User
    from positions.services import PositionData, position_create, position_move

    clerk = User.objects.get(username="clerk_tongliang")
    assert clerk.district is not None
    employer = Employer.objects.get(name=DEMO_EMPLOYER["name"])
    names = ("前沿通信技术与政策研究工程师", "工业软件架构工程师")
    for name in names:
        position = position_create(
            data=PositionData(
                employer=employer,
                channel="special_recruitment",
                name=name,
                headcount=4,
                education="master",
                majors=MAJORS,
                competencies=SKILLS,
                recruits_graduates=True,
                salary_text="15-25万元/年",
            ),
            district=clerk.district,
            period=TenDayPeriod.current(),
            by=clerk,
        )
        position_move(position=position, action="submit", by=clerk)
    return names


def test_the_reviewer_reads_each_post_before_deciding_and_the_clerk_finds_the_returned_one(  # type: ignore[no-untyped-def]
    page,
    screenshot,
    demo_data,
) -> None:
    from playwright.sync_api import expect

    from portal.calendar import TenDayPeriod

    page.on("dialog", lambda dialog: dialog.accept())
    approve, give_back = _submitted_posts()
    period = TenDayPeriod.current()

    log_in(page, "reviewer_tongliang", DEMO_PASSWORD)
    pending = page.locator(".portal-queue").filter(has=page.get_by_role("heading", name="待初审的岗位"))
    expect(pending.locator(".portal-queue-count")).to_have_text("2")
    pending.get_by_role("link", name="前往处理").click()
    expect(page.get_by_role("heading", name=re.compile("待初审的岗位（2个）"))).to_be_visible()
    screenshot("work-queues-1-reviewer-queue")

    page.goto("/positions/district/")
    # Two posts still wait: no zero report is offered, and the page says why the send waits.
    expect(page.get_by_text("尚有2个岗位待初审")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("零报告"))).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"报送.*须先完成初审"))).to_be_disabled()
    screenshot("work-queues-2-send-waits-for-review")

    page.get_by_role("row").filter(has_text=approve).get_by_role("link", name=approve).click()
    expect(page.get_by_role("heading", name=approve)).to_be_visible()
    expect(page.get_by_text("职业能力要求")).to_be_visible()
    expect(page.get_by_text("2.具有政策研究经验；")).to_be_visible()
    expect(page.get_by_text(MAJORS)).to_be_visible()
    screenshot("work-queues-3-reviewer-reads-the-post")
    page.get_by_role("button", name="初审通过").click()
    expect(page.get_by_text(f"已初审通过：{approve}")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/positions/district/$"))

    page.get_by_role("row").filter(has_text=give_back).get_by_role("link", name="查看").click()
    page.get_by_label("退回修改的原因（必填）").fill("职业能力要求请写明所需的工具软件")
    page.get_by_role("button", name="退回修改").click()
    expect(page.get_by_text(f"已退回修改：{give_back}")).to_be_visible()

    send = page.get_by_role("button", name=f"报送{period.label}岗位（1个）")
    expect(send).to_be_enabled()
    expect(
        page.get_by_text(f"另有1个岗位尚未提交初审（草稿或被退回），报送后将转入{period.next().label}")
    ).to_be_visible()
    screenshot("work-queues-4-send-says-what-it-does")
    send.click()
    expect(page.get_by_text(f"已报送{period.label}的岗位，共1个")).to_be_visible()
    page.goto("/workspace/")
    expect(page.get_by_role("heading", name="待旬报的入职结果")).to_be_visible()
    log_out(page)

    log_in(page, "clerk_tongliang", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="待旬报的入职结果")).to_have_count(0)
    returned = page.locator(".portal-queue").filter(has=page.get_by_role("heading", name="被退回的岗位"))
    expect(returned.locator(".portal-queue-count")).to_have_text("1")
    screenshot("work-queues-5-clerk-workspace")
    returned.get_by_role("link", name="前往处理").click()
    row_ = page.get_by_role("row").filter(has_text=give_back)
    expect(row_.get_by_text("退回原因：职业能力要求请写明所需的工具软件")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(period.next().label))).to_be_visible()
    screenshot("work-queues-6-clerk-finds-the-carried-post")
    row_.get_by_role("button", name="提交初审").click()
    expect(page.get_by_text(f"已提交初审：{give_back}")).to_be_visible()
    expect(page.get_by_text("没有被退回的岗位")).to_be_visible()


def test_the_admin_finds_the_imports_and_the_preview_names_each_bad_post(  # type: ignore[no-untyped-def]
    page,
    screenshot,
    demo_data,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    log_in(page, "admin", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="常用功能")).to_be_visible()
    screenshot("work-queues-7-admin-workspace")
    page.get_by_role("link", name="导入岗位表（附件1）").click()
    expect(page.get_by_role("heading", name=re.compile("导入《卓越工程师岗位表》"))).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载空白表格（附件1格式）").click()
    assert download.value.suggested_filename == "卓越工程师岗位表（模板）.xlsx"

    sheet = write_sheet(
        tmp_path / "bad.xlsx",
        [row(1), row(2, bounty=None, special="量子通信研究员", headcount="若干"), row(3, education="小学")],
    )
    page.get_by_label("导入区县").select_option(label="铜梁区")
    page.get_by_label(re.compile("Excel文件")).set_input_files(str(sheet))
    page.get_by_role("button", name="上传并预览").click()
    bad = page.get_by_role("row").filter(has_text="〔需求人数〕")
    expect(bad).to_contain_text("量子通信研究员")
    expect(bad).to_contain_text("重庆导入测试有限公司2")
    expect(page.get_by_role("row").filter(has_text="〔学历要求〕")).to_contain_text("智能制造工程师3")
    screenshot("work-queues-8-preview-names-bad-rows")
