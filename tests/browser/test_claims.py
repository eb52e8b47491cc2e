"""A claim's whole journey as the people see it, one step per person: the headhunter registers and the talent centre
verifies it; the district and the employer confirm two hires it introduced; the headhunter claims both, downloads
and uploads the signed Annexes 2 and 3 and submits; the talent centre passes the first review; the bureau approves a
reduced amount and records the payment; the headhunter sees it paid and prints Annex 2 again with the review opinion
filled in; another third party cannot open the claim or its PDFs. The PDFs are turned into images and text
(poppler's pdftoppm and pdftotext) and checked. One browser context per person, a screenshot (and axe check) of each
page."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import pytest
from django.utils import timezone

from portal.models import District, Employer, ThirdParty
from positions.models import Position
from referrals.models import Hire, PublicityNotice
from subsidies.constants import ClaimStatus
from subsidies.models import Claim
from tests.browser.conftest import SCREENSHOTS, log_in, message, open_from_menu
from tests.factories import (
    DistrictFactory,
    EmployerFactory,
    PositionFactory,
    PublicityNoticeFactory,
    ThirdPartyFactory,
    UserFactory,
    claimable_hire,
    make_uscc,
)

if TYPE_CHECKING:
    from playwright.sync_api import FilePayload, Locator, Page
    from pytest_django.fixtures import Settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("caps")]

DISTRICT = "永川区"
EMPLOYER = "重庆永创新能源汽车零部件有限公司"
POSTS = ("动力电池系统工程师", "智能产线工艺工程师")
HIRES = ("张宇航", "陈思远")
AGENCY = "重庆智汇英才人力资源服务有限公司"
USCC = make_uscc(4242)
# The same code with a wrong check digit: the registrant's typo.
WRONG_USCC = USCC[:-1] + ("1" if USCC[-1] != "1" else "2")
USERNAME = "zhihui_hr"
NEW_PASSWORD = "Zhihui-Talent-2026!"
BANK_ACCOUNT = "3100 0212 0900 1234 567"
PAYMENT_REFERENCE = "CQCZ-2026-000871"
FIRST_OPINION = "经初审，两名人员均经区县公示无异议并由用人单位确认系该机构推荐引进，材料齐全，同意提交复核。"
SECOND_OPINION = "张宇航申请金额超出本次核定标准，按25000元核定；陈思远按申请金额核定。"


def form_field(page: Page, label: str) -> Locator:
    """The form group (label, input, help, errors) of the field labelled exactly ``label``."""
    return page.locator(".mb-3").filter(has=page.get_by_label(label, exact=True))


def fetch_pdf(page: Page, link_name: str) -> bytes:
    """The PDF behind the link: fetched with the page's own cookies (the PDF is served inline, no download)."""
    href = page.get_by_role("link", name=link_name).get_attribute("href")
    assert href
    response = page.request.get(urljoin(page.url, href))
    assert response.status == 200, f"{href}: {response.status}"
    assert response.headers["content-type"] == "application/pdf"
    assert "no-store" in response.headers.get("cache-control", "")
    body = response.body()
    assert body.startswith(b"%PDF-")
    return body


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} missing: make debs-test installs poppler-utils")
    return path


def pdf_pages(pdf: bytes, name: str, tmp_path: Path) -> tuple[str, list[Path]]:
    """The PDF's text (pdftotext, layout kept) and its pages as PNG images at 80 dpi, copied to var/screenshots."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    command = [poppler("pdftotext"), "-layout", "-enc", "UTF-8", str(source), "-"]
    text = subprocess.run(command, capture_output=True, check=True, text=True, timeout=60).stdout  # noqa: S603
    command = [poppler("pdftoppm"), "-png", "-r", "80", str(source), str(tmp_path / name)]
    subprocess.run(command, check=True, timeout=60)  # noqa: S603
    images = []
    for image in sorted(tmp_path.glob(f"{name}-*.png")):
        kept = SCREENSHOTS / image.name
        shutil.copyfile(image, kept)
        images.append(kept)
    assert images, f"pdftoppm made no page image of {name}"
    return text, images


def yuan(figure: str) -> re.Pattern[str]:
    """An amount as every page, PDF and message prints it, e.g. ``yuan("45,000.00")`` (the ``yuan`` filter)."""
    return re.compile(re.escape(figure))


def squeezed(text: str) -> str:
    """The text without any white space: pdftotext spaces out table cells and wraps long lines."""
    return re.sub(r"\s+", "", text)


# ---- who is in the story, and what they share ---------------------------------------------------------------------


@dataclass
class Story:
    """The people's pages (one browser context each, opened as they come in) and what the steps leave behind."""

    open_person: Callable[[], Page]
    look: Callable[[Page, str], Path]
    confirmations: list[str]
    tmp_path: Path
    today: datetime.date
    district: District
    employer: Employer
    posts: list[Position]
    pages: dict[str, Page] = field(default_factory=dict)
    party: ThirdParty | None = None
    notice: PublicityNotice | None = None
    hires: list[Hire] = field(default_factory=list)
    claim: Claim | None = None

    def person(self, who: str) -> Page:
        """``who``'s page: the same one all along, opened the first time."""
        if who not in self.pages:
            self.pages[who] = self.open_person()
        return self.pages[who]


@pytest.fixture
def story(
    open_person: Callable[[], Page],
    screenshot_of: Callable[[Page, str], Path],
    confirmations: list[str],
    settings: Settings,
    tmp_path: Path,
) -> Story:
    """The caps (fixture ``caps``), an employer with two published bounty-list posts in 永川区, the city's two
    reviewers (周初审 at the talent centre, 吴复核 at the bureau)."""
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        pytest.fail(
            "poppler-utils (pdftoppm, pdftotext) is not installed: run `make test`, which installs it with apt."
        )
    settings.MEDIA_ROOT = str(tmp_path / "media")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    district = DistrictFactory(code="500118", name=DISTRICT)
    employer = EmployerFactory(name=EMPLOYER, district=district, contact_name="刘经理", contact_phone="023-49861234")
    posts = [
        PositionFactory(published=True, batch__district=district, employer=employer, name=name, channel="bounty_list")
        for name in POSTS
    ]
    UserFactory(centre=True, username="centre_zhou", display_name="周初审")
    UserFactory(bureau=True, username="bureau_wu", display_name="吴复核")
    return Story(open_person, screenshot_of, confirmations, tmp_path, timezone.localdate(), district, employer, posts)


def test_a_headhunter_claims_two_hires_and_is_paid_a_reduced_amount(story: Story) -> None:
    the_headhunter_registers_after_correcting_a_typo(story)
    the_centre_verifies_the_registration(story)
    the_district_and_the_employer_confirm_two_hires(story)
    the_headhunter_claims_both_uploads_the_signed_annexes_and_submits(story)
    the_centre_passes_the_first_review(story)
    the_bureau_approves_a_reduced_amount_and_records_the_payment(story)
    the_headhunter_sees_it_paid_and_prints_annex2_with_the_decision(story)
    another_third_party_cannot_open_the_claim(story)


# ---- the steps, one per person --------------------------------------------------------------------------------------


def the_headhunter_registers_after_correcting_a_typo(story: Story) -> None:
    """The headhunter finds the sign-up from the login page and registers, a mistyped credit code first; signed in,
    it waits for the talent centre and cannot claim yet."""
    from playwright.sync_api import expect

    headhunter = story.person("headhunter")
    headhunter.goto("/accounts/login/")
    headhunter.get_by_role("link", name="第三方机构/个人注册").click()
    expect(headhunter.get_by_role("heading", name="第三方荐才机构/个人注册")).to_be_visible()
    headhunter.get_by_label("人力资源服务机构").check()
    headhunter.get_by_label("名称/姓名").fill(AGENCY)
    headhunter.get_by_label("统一社会信用代码/身份证号码").fill(WRONG_USCC)
    headhunter.get_by_label("联系人").fill("孙晓琳")
    headhunter.get_by_label("联系电话").fill("13983012345")
    headhunter.get_by_label("开户银行").fill("中国建设银行重庆永川支行")
    headhunter.get_by_label("银行账号").fill(BANK_ACCOUNT)
    headhunter.get_by_label("用户名", exact=True).fill(USERNAME)
    headhunter.get_by_label("电子邮箱").fill("hr@zhihui.example.cn")
    headhunter.get_by_label("密码", exact=True).fill(NEW_PASSWORD)
    headhunter.get_by_label("确认密码").fill(NEW_PASSWORD)
    headhunter.get_by_role("button", name="提交注册").click()
    expect(headhunter.get_by_role("alert").filter(has_text="注册信息有误")).to_be_visible()
    expect(
        form_field(headhunter, "统一社会信用代码/身份证号码").get_by_text(
            "统一社会信用代码校验位不正确，请核对最后一位。"
        )
    ).to_be_visible()
    expect(headhunter.get_by_label("名称/姓名")).to_have_value(AGENCY)
    assert not ThirdParty.objects.exists()
    story.look(headhunter, "claims-01-register-error")

    headhunter.get_by_label("统一社会信用代码/身份证号码").fill(USCC)
    # A password field is never refilled by the server.
    headhunter.get_by_label("密码", exact=True).fill(NEW_PASSWORD)
    headhunter.get_by_label("确认密码").fill(NEW_PASSWORD)
    headhunter.get_by_role("button", name="提交注册").click()
    expect(headhunter.get_by_role("heading", name="注册已提交")).to_be_visible()
    expect(headhunter.get_by_text("待核验", exact=True)).to_be_visible()
    expect(headhunter.get_by_text(USERNAME, exact=True)).to_be_visible()
    party = story.party = ThirdParty.objects.get()
    assert (party.name, party.credit_code, party.kind) == (AGENCY, USCC, "agency")
    assert party.bank_account == BANK_ACCOUNT.replace(" ", "") and party.verified_at is None
    story.look(headhunter, "claims-02-register-done")

    headhunter.get_by_role("link", name="去登录").click()
    log_in(headhunter, USERNAME, NEW_PASSWORD)
    expect(headhunter.get_by_role("heading", name="注册信息待核验")).to_be_visible()
    expect(headhunter.get_by_text("正在等待市人才中心核验")).to_be_visible()
    story.look(headhunter, "claims-03-headhunter-workspace-unverified")
    open_from_menu(headhunter, "补助申报")
    expect(headhunter).to_have_url(re.compile(r"/claims/$"))
    expect(headhunter.get_by_role("alert").filter(has_text="您的账号正在等待市人才交流服务中心核验")).to_be_visible()
    expect(headhunter.get_by_role("link", name="新建申报")).to_have_count(0)
    story.look(headhunter, "claims-04-headhunter-claims-unverified")


def the_centre_verifies_the_registration(story: Story) -> None:
    """The talent centre officer finds the registration waiting, the bank account masked, and verifies it."""
    from playwright.sync_api import expect

    assert story.party is not None
    party = story.party
    centre = story.person("centre")
    log_in(centre, "centre_zhou")
    open_from_menu(centre, "第三方核验")
    expect(centre.get_by_role("heading", name="第三方核验")).to_be_visible()
    row = centre.get_by_role("row").filter(has_text=AGENCY)
    expect(row.get_by_text("待核验")).to_be_visible()
    expect(row).to_contain_text(USCC)
    expect(row).to_contain_text(USERNAME)
    assert party.bank_account not in centre.content(), "the bank account is masked until asked for"
    story.look(centre, "claims-05-centre-third-parties")
    row.get_by_role("button", name="核验通过").click()
    expect(message(centre, f"已核验：{AGENCY}。该第三方现在可以申报引才补助。")).to_be_visible()
    assert story.confirmations[-1] == f"确认已核对“{AGENCY}”的身份和收款账户，予以核验？"
    expect(centre.get_by_role("row").filter(has_text=AGENCY).get_by_text("已核验")).to_be_visible()
    party.refresh_from_db()
    assert party.verified_at is not None and party.verified_by is not None
    assert party.verified_by.username == "centre_zhou"
    story.look(centre, "claims-06-centre-verified")


def the_district_and_the_employer_confirm_two_hires(story: Story) -> None:
    """Two hires at the employer introduced by the agency, publicised without objection and confirmed by the
    employer's HR: they come through the hire workflows (tests/browser/test_hires.py), so they are written straight
    into the tables here."""
    assert story.party is not None
    clerk = UserFactory(clerk=True, district=story.district, display_name="永川经办")
    hr = UserFactory(employer_user=True, employer=story.employer, display_name="永创人事")
    story.notice = PublicityNoticeFactory(
        closed=True,
        district=story.district,
        reference=f"GS-{story.district.code}-{story.today.year}-001",
        published_by=clerk,
    )
    story.hires = [
        claimable_hire(
            story.party,
            story.employer,
            position=post,
            name=name,
            notice=story.notice,
            employer_confirmed_by=hr,
            employer_confirmed_at=timezone.now(),
        )
        for post, name in zip(story.posts, HIRES, strict=True)
    ]
    assert {hire.position_id for hire in story.hires} == {post.pk for post in story.posts}


def the_headhunter_claims_both_uploads_the_signed_annexes_and_submits(story: Story) -> None:
    """The headhunter claims both hires, downloads Annexes 2 and 3 (checked as text and pictures), uploads them
    signed and submits: from then on it can change nothing."""
    from playwright.sync_api import expect

    headhunter, confirmations = story.person("headhunter"), story.confirmations
    headhunter.reload()
    card = headhunter.locator(".card").filter(has=headhunter.get_by_role("heading", name=EMPLOYER))
    expect(card.get_by_text("可申报 2 人")).to_be_visible()
    expect(headhunter.get_by_text("您的账号正在等待")).to_have_count(0)
    story.look(headhunter, "claims-07-headhunter-claimable")
    card.get_by_role("link", name="新建申报").click()
    expect(headhunter.get_by_role("heading", name="卓越工程师引进补助申报表")).to_be_visible()
    expect(headhunter.locator(".portal-page-lead")).to_contain_text(EMPLOYER)
    expect(headhunter.get_by_label("用人单位联系人")).to_have_value("刘经理")
    for name, amount in zip(HIRES, ("30000", "20000"), strict=True):
        row = headhunter.get_by_role("row").filter(has_text=name)
        expect(row).to_contain_text(yuan("30,000.00"))  # the cap of the bounty list
        expect(row).to_contain_text("单位已确认")
        headhunter.get_by_role("checkbox", name=name).check()
        headhunter.get_by_label(f"{name}的申请金额").fill(amount)
    headhunter.get_by_label("本机构（个人）已向该用人单位推荐引进卓越工程师").check()
    headhunter.get_by_label("本机构（个人）无不良信用记录").check()
    headhunter.get_by_label("所提交的申报材料真实、准确、完整").check()
    story.look(headhunter, "claims-08-headhunter-claim-form")
    headhunter.get_by_role("button", name="保存", exact=True).click()
    expect(headhunter).to_have_url(re.compile(r"/claims/\d+/$"))
    claim = story.claim = Claim.objects.get()
    assert re.fullmatch(rf"BZ-{story.today.year}-\d{{6}}", claim.reference)
    assert claim.status == ClaimStatus.DRAFT and claim.requested_total == Decimal("50000")
    expect(message(headhunter, f"已保存申报草稿{claim.reference}。")).to_be_visible()
    expect(headhunter.get_by_role("heading", level=1)).to_contain_text(f"申报 {claim.reference}")
    expect(headhunter.get_by_role("heading", level=1)).to_contain_text("草稿")
    lines = headhunter.get_by_role("region", name="申报人员")
    expect(lines.get_by_role("row").filter(has_text=HIRES[0])).to_contain_text(yuan("30,000.00"))
    expect(lines.get_by_role("row").filter(has_text=HIRES[1])).to_contain_text(yuan("20,000.00"))
    story.look(headhunter, "claims-09-headhunter-claim-draft")

    annex2 = fetch_pdf(headhunter, "下载申报表（附件2）")
    annex3 = fetch_pdf(headhunter, "下载确认表（附件3）")
    text2, images2 = pdf_pages(annex2, "claims-10-annex2-draft", story.tmp_path)
    text3, images3 = pdf_pages(annex3, "claims-11-annex3-draft", story.tmp_path)
    for text in (text2, text3):
        flat = squeezed(text)
        assert claim.reference in flat
        assert f"核验码：{claim.verification_code}" in flat
        assert EMPLOYER in flat
    assert "卓越工程师引进补助申报表" in squeezed(text2)
    assert AGENCY in squeezed(text2) and USCC in squeezed(text2)
    assert BANK_ACCOUNT.replace(" ", "") in squeezed(text2), "Annex 2 is the payment instruction: account whole"
    assert "用人单位引进人才确认表" in squeezed(text3)
    for hire in story.hires:
        assert hire.name in squeezed(text3)
        # The official paper the claimant signs carries each person's whole ID number (its download is logged).
        assert hire.id_number in squeezed(text3) and hire.id_number_masked not in squeezed(text3)
    assert len(images2) >= 1 and len(images3) >= 1

    headhunter.get_by_label("材料类别").select_option("annex2")
    scan2: FilePayload = {"name": "附件2-签字盖章.pdf", "mimeType": "application/pdf", "buffer": annex2}
    headhunter.get_by_label("扫描件").set_input_files(files=[scan2])
    headhunter.get_by_role("button", name="上传").click()
    expect(message(headhunter, "已上传附件2 引进补助申报表（签字盖章扫描件）：附件2-签字盖章.pdf。")).to_be_visible()
    headhunter.get_by_label("材料类别").select_option("annex3")
    scan3: FilePayload = {"name": "附件3-单位盖章.pdf", "mimeType": "application/pdf", "buffer": annex3}
    headhunter.get_by_label("扫描件").set_input_files(files=[scan3])
    headhunter.get_by_role("button", name="上传").click()
    expect(
        message(headhunter, "已上传附件3 用人单位引进人才确认表（盖章扫描件）：附件3-单位盖章.pdf。")
    ).to_be_visible()
    files = headhunter.get_by_role("region", name="申报材料")
    expect(files.get_by_role("link", name=re.compile("附件2-签字盖章.pdf"))).to_be_visible()
    expect(files.get_by_role("link", name=re.compile("附件3-单位盖章.pdf"))).to_be_visible()
    story.look(headhunter, "claims-12-headhunter-attachments")
    headhunter.get_by_role("button", name="提交申报").click()
    expect(message(headhunter, f"已提交申报{claim.reference}，等待市人才交流服务中心初审。")).to_be_visible()
    assert confirmations[-1] == f"确定提交申报{claim.reference}吗？提交后等待审核，审核期间不能修改。"
    expect(headhunter.get_by_role("heading", level=1)).to_contain_text("待初审")
    current = headhunter.get_by_role("region", name="办理进度").get_by_role("listitem").filter(has_text="当前环节")
    expect(current).to_have_count(1)
    expect(current).to_contain_text("市人才交流服务中心（初审）")
    expect(headhunter.get_by_role("button", name="上传")).to_have_count(0)
    expect(headhunter.get_by_role("link", name="修改", exact=True)).to_have_count(0)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    story.look(headhunter, "claims-13-headhunter-submitted")


def the_centre_passes_the_first_review(story: Story) -> None:
    """The talent centre officer finds the claim in its queue, sees each hire's publicity and the employer's
    confirmation (identity numbers masked) and the signed annexes, and passes it with an opinion."""
    from playwright.sync_api import expect

    assert story.claim is not None and story.notice is not None
    centre, claim = story.person("centre"), story.claim
    open_from_menu(centre, "补助审核")
    expect(centre.get_by_role("heading", name="引才补助审核")).to_be_visible()
    expect(centre.get_by_role("link", name=re.compile("待初审"))).to_have_attribute("aria-current", "page")
    row = centre.get_by_role("row").filter(has_text=claim.reference)
    expect(row).to_contain_text(AGENCY)
    expect(row).to_contain_text(EMPLOYER)
    expect(row).to_contain_text(yuan("50,000.00"))
    story.look(centre, "claims-14-centre-queue")
    row.get_by_role("link", name="办理").click()
    expect(centre.get_by_role("heading", level=1)).to_contain_text(claim.reference)
    people = centre.get_by_role("region", name="申报人员与确认情况")
    for hire in story.hires:
        row = people.get_by_role("row").filter(has_text=hire.name)
        expect(row.get_by_text("单位已确认")).to_be_visible()
        expect(row).to_contain_text("永创人事")
        expect(row).to_contain_text(f"公示{story.notice.reference}")
        expect(row).to_contain_text("无异议")
        expect(row).to_contain_text(hire.id_number_masked)
    assert all(hire.id_number not in centre.content() for hire in story.hires)
    files = centre.get_by_role("region", name="申报材料")
    expect(files.get_by_role("link", name=re.compile("附件2-签字盖章.pdf"))).to_be_visible()
    centre.get_by_role("region", name="初审意见").get_by_role("textbox", name="意见").fill(FIRST_OPINION)
    story.look(centre, "claims-15-centre-review")
    centre.get_by_role("button", name="初审通过").click()
    expect(message(centre, f"已初审通过：{claim.reference}。")).to_be_visible()
    assert story.confirmations[-1] == "确定初审通过吗？"
    expect(centre.get_by_role("row").filter(has_text=claim.reference)).to_have_count(0)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FIRST_PASSED and claim.first_reviewer is not None
    assert claim.first_reviewer.username == "centre_zhou"
    story.look(centre, "claims-16-centre-passed")


def the_bureau_approves_a_reduced_amount_and_records_the_payment(story: Story) -> None:
    """The bureau reviewer reads the first opinion, approves 25,000 instead of 30,000 for one hire, then records the
    payment of the 45,000 approved."""
    from playwright.sync_api import expect

    assert story.claim is not None
    claim, confirmations = story.claim, story.confirmations
    bureau = story.person("bureau")
    log_in(bureau, "bureau_wu")
    open_from_menu(bureau, "补助审核")
    bureau.get_by_role("link", name=re.compile("待复核")).click()
    row = bureau.get_by_role("row").filter(has_text=claim.reference)
    expect(row).to_contain_text(yuan("50,000.00"))
    story.look(bureau, "claims-17-bureau-queue")
    row.get_by_role("link", name="办理").click()
    expect(bureau.get_by_role("heading", level=1)).to_contain_text("待复核")
    expect(bureau.get_by_role("region", name="办理记录与意见")).to_contain_text(FIRST_OPINION)
    first_amount = bureau.get_by_label(f"{HIRES[0]}的核定金额")
    expect(first_amount).to_have_value("30000.00")
    expect(bureau.get_by_label(f"{HIRES[1]}的核定金额")).to_have_value("20000.00")
    first_amount.fill("25000")
    bureau.get_by_role("region", name="复核意见").get_by_role("textbox", name="意见").fill(SECOND_OPINION)
    story.look(bureau, "claims-18-bureau-review")
    bureau.get_by_role("button", name="复核核定").click()
    expect(message(bureau, f"已复核核定：{claim.reference}。")).to_be_visible()
    assert confirmations[-1] == "确定复核核定吗？"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claim.approved_total == Decimal("45000")
    assert claim.second_reviewer is not None and claim.second_reviewer.username == "bureau_wu"

    bureau.get_by_role("link", name=re.compile("待发放")).click()
    row = bureau.get_by_role("row").filter(has_text=claim.reference)
    expect(row).to_be_visible()
    story.look(bureau, "claims-19-bureau-to-pay")
    row.get_by_role("link", name="办理").click()
    pay = bureau.get_by_role("region", name=re.compile("登记发放"))
    expect(pay).to_contain_text(re.compile("核定 " + yuan("45,000.00").pattern + " 元"))
    expect(bureau.get_by_label("发放日期")).to_have_value(story.today.isoformat())
    bureau.get_by_label("支付凭证号").fill(PAYMENT_REFERENCE)
    story.look(bureau, "claims-20-bureau-payment-form")
    bureau.get_by_role("button", name="登记发放").click()
    expect(message(bureau, f"已登记发放：{claim.reference}。")).to_be_visible()
    assert confirmations[-1] == "确定登记发放45,000.00元吗？"
    claim.refresh_from_db()
    assert (claim.status, claim.paid_on, claim.payment_reference) == (ClaimStatus.PAID, story.today, PAYMENT_REFERENCE)


def the_headhunter_sees_it_paid_and_prints_annex2_with_the_decision(story: Story) -> None:
    """The headhunter's list and claim page say paid, with the amounts approved, every opinion and the payment; Annex
    2 printed again carries the decision and both reviewers."""
    from playwright.sync_api import expect

    assert story.claim is not None
    headhunter, claim, today = story.person("headhunter"), story.claim, story.today
    open_from_menu(headhunter, "补助申报")
    row = headhunter.get_by_role("row").filter(has_text=claim.reference)
    expect(row.get_by_text("已发放")).to_be_visible()
    expect(row).to_contain_text(yuan("45,000.00"))
    story.look(headhunter, "claims-21-headhunter-claims-paid")
    row.get_by_role("link", name=claim.reference).click()
    expect(headhunter.get_by_role("heading", level=1)).to_contain_text("已发放")
    expect(headhunter.locator(".portal-page-lead")).to_contain_text(
        re.compile("核定金额 " + yuan("45,000.00").pattern + " 元")
    )
    lines = headhunter.get_by_role("region", name="申报人员")
    expect(lines.get_by_role("row").filter(has_text=HIRES[0])).to_contain_text(yuan("25,000.00"))
    expect(lines.get_by_role("row").filter(has_text=HIRES[1])).to_contain_text(yuan("20,000.00"))
    history = headhunter.get_by_role("region", name="办理记录与意见")
    for shown in ("提交申报", "初审通过", FIRST_OPINION, "复核核定", SECOND_OPINION, "登记发放", "周初审", "吴复核"):
        expect(history).to_contain_text(shown)
    payment = headhunter.get_by_role("region", name="发放")
    paid = (
        f"{re.escape(f'{today:%Y年%-m月%-d日}')} 发放 {yuan('45,000.00').pattern} 元，支付凭证号 {PAYMENT_REFERENCE}。"
    )
    expect(payment).to_contain_text(re.compile(paid))
    story.look(headhunter, "claims-22-headhunter-claim-paid")
    text2, _ = pdf_pages(fetch_pdf(headhunter, "下载申报表（附件2）"), "claims-23-annex2-paid", story.tmp_path)
    flat = squeezed(text2)
    assert claim.reference in flat and f"核验码：{claim.verification_code}" in flat
    assert "激励金额45,000.00元（大写：人民币肆万伍仟元整）" in flat, text2
    assert f"复核意见：{squeezed(SECOND_OPINION)}" in flat
    assert "初审：周初审" in flat and "复核：吴复核" in flat
    assert "25,000.00" in flat and "合计（2人）50,000.00 45,000.00".replace(" ", "") in flat


def another_third_party_cannot_open_the_claim(story: Story) -> None:
    """Another verified third party cannot open the claim, nor its PDFs: 404, as if it did not exist."""
    from playwright.sync_api import expect

    assert story.claim is not None
    claim = story.claim
    UserFactory(third_party_user=True, third_party=ThirdPartyFactory(verified=True), username="other_agency")
    other = story.person("other third party")
    log_in(other, "other_agency")
    response = other.goto(f"/claims/{claim.pk}/")
    assert response is not None and response.status == 404
    expect(other.get_by_text(claim.reference)).to_have_count(0)
    story.look(other, "claims-24-other-party-404")
    for path in (f"/claims/{claim.pk}/annex2.pdf", f"/claims/{claim.pk}/annex3.pdf"):
        assert other.request.get(urljoin(other.url, path)).status == 404, path
    open_from_menu(other, "补助申报")
    expect(other.get_by_role("region", name="我的申报").get_by_text("还没有申报。")).to_be_visible()
    expect(other.get_by_text(claim.reference)).to_have_count(0)
