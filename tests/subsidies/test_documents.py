"""The claim's documents: Annex 2 and Annex 3 as PDFs (what they print and never print), who may fetch them, the
public check of their verification code, and 人民币大写."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from pytest_django.fixtures import DjangoAssertNumQueries, Settings

from portal.errors import PermissionDenied
from portal.models import Employer, PersonalDataAccess, User
from portal.security.privacy import personal_data_printed
from subsidies import documents
from subsidies.documents import rmb_upper
from subsidies.models import Claim
from subsidies.selectors import claim_visible
from subsidies.services import claim_review
from tests.factories import ClaimFactory, ThirdPartyFactory, UserFactory

pytestmark = pytest.mark.django_db

VERIFY_BASE = "https://rc.cq.example.cn"


# ---- helpers -----------------------------------------------------------------------------------------------------


def _pages(pdf: bytes) -> list[str]:
    """The text of each page as poppler extracts it, whitespace removed: a wrapped line must not split a phrase."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.fail("pdftotext missing: make debs-test installs poppler-utils")
    command = [pdftotext, "-raw", "-enc", "UTF-8", "-", "-"]
    result = subprocess.run(command, input=pdf, capture_output=True, check=True, timeout=60)  # noqa: S603
    return ["".join(page.split()) for page in result.stdout.decode().split("\f") if page.strip()]


def _text(pdf: bytes) -> str:
    return "".join(_pages(pdf))


def _pypdf_text(pdf: bytes) -> str:
    """The text as a second reader (pypdf) extracts it, whitespace removed: what a copy-and-paste would give."""
    reader = PdfReader(io.BytesIO(pdf))
    return "".join("".join((page.extract_text() or "").split()) for page in reader.pages)


def _page_size(pdf: bytes) -> str:
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        pytest.fail("pdfinfo missing: make debs-test installs poppler-utils")
    info = subprocess.run([pdfinfo, "-"], input=pdf, capture_output=True, check=True, timeout=60).stdout.decode()  # noqa: S603
    return next(line for line in info.splitlines() if line.startswith("Page size:"))


def _images(pdf: bytes) -> list[tuple[int, str]]:
    """(page, object number) of each image shown, as poppler lists them."""
    pdfimages = shutil.which("pdfimages")
    if pdfimages is None:
        pytest.fail("pdfimages missing: make debs-test installs poppler-utils")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        listing = subprocess.run([pdfimages, "-list", file.name], capture_output=True, check=True, timeout=60)  # noqa: S603
    rows = [line.split() for line in listing.stdout.decode().splitlines()[2:]]
    return [(int(row[0]), row[10]) for row in rows]


def _day(moment: datetime.datetime | None) -> str:
    day = timezone.localdate(moment)
    return f"{day.year}年{day.month}月{day.day}日"


def _draft(headhunter: User, employer, *amounts: str, **traits: object) -> Claim:  # type: ignore[no-untyped-def]
    """A claim of one hire per amount, 引进人员0, 引进人员1, …, in the state ``traits`` name."""
    names = [f"引进人员{n}" for n in range(len(amounts))]
    return ClaimFactory(by=headhunter, employer=employer, amounts=amounts, hire_names=names, **traits)


def _fresh(claim: Claim) -> Claim:
    """The claim as the views load it for its claimant (employer, reviewers joined)."""
    return claim_visible(user=claim.created_by).get(pk=claim.pk)


def _verify_url(claim: Claim) -> str:
    return f"{VERIFY_BASE}/verify/{claim.verification_code}/"


def _annex2(claim: Claim) -> str:
    return _text(documents.annex2_pdf(claim=_fresh(claim)))


def _annex3(claim: Claim) -> str:
    return _text(documents.annex3_pdf(claim=_fresh(claim)))


@pytest.fixture
def claim(headhunter: User, employer: Employer) -> Claim:
    return _draft(headhunter, employer, "30000", "20000")


@pytest.fixture
def submitted(headhunter, employer) -> Claim:  # type: ignore[no-untyped-def]
    return _draft(headhunter, employer, "30000", "20000", submitted=True)


@pytest.fixture
def approved(headhunter, employer, centre_named, bureau_named) -> Claim:  # type: ignore[no-untyped-def]
    """Passed by 初审员马, approved by 复核员严 at 25,000.00 and 20,000.00."""
    claim = _draft(
        headhunter,
        employer,
        "30000",
        "20000",
        approved=True,
        centre=centre_named,
        bureau=bureau_named,
        approved_amounts=("25000", "20000"),
    )
    return _fresh(claim)


@pytest.fixture
def centre_named(db: None) -> User:
    return UserFactory(centre=True, display_name="初审员马")


@pytest.fixture
def bureau_named(db: None) -> User:
    return UserFactory(bureau=True, display_name="复核员严")


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@pytest.fixture(autouse=True)
def _public_address(settings: Settings) -> None:
    settings.PORTAL_BASE_URL = VERIFY_BASE


# ---- 人民币大写 -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.5", "伍角"),
        ("0.05", "伍分"),
        ("10.05", "壹拾元零伍分"),
        ("45000", "肆万伍仟元整"),
        ("30000", "叁万元整"),
        ("1004000.10", "壹佰万肆仟元壹角"),
        ("0", "零元整"),
        ("4000.00", "肆仟元整"),
        ("1010", "壹仟零壹拾元整"),
        ("100000", "壹拾万元整"),
        ("10050", "壹万零伍拾元整"),
        ("1000100", "壹佰万零壹佰元整"),
        ("100001000", "壹亿零壹仟元整"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("29999.99", "贰万玖仟玖佰玖拾玖元玖角玖分"),
        ("120000000000.00", "壹仟贰佰亿元整"),
        ("100010000", "壹亿零壹万元整"),
    ],
)
def test_rmb_upper_writes_yuan_jiao_fen_zeros_and_zheng(amount: str, expected: str) -> None:
    assert rmb_upper(Decimal(amount)) == expected


@pytest.mark.parametrize("amount", ["-1", "0.001", "NaN", "Infinity", "1000000000000"])
def test_rmb_upper_refuses_what_is_not_an_amount(amount: str) -> None:
    with pytest.raises(ValueError):
        rmb_upper(Decimal(amount))


_VALUES = {d: n for n, d in enumerate("零壹贰叁肆伍陆柒捌玖")}
_SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def _read_section(text: str) -> int:
    total = digit = 0
    for char in text:
        if char in _VALUES:
            digit = _VALUES[char]
        else:
            total += digit * _SMALL[char]
            digit = 0
    return total + digit


def _read_integer(text: str) -> int:
    if "亿" in text:
        high, low = text.split("亿", 1)
        return _read_integer(high) * 100_000_000 + _read_integer(low)
    if "万" in text:
        high, low = text.split("万", 1)
        return _read_section(high) * 10_000 + _read_section(low)
    return _read_section(text)


def _read_upper(text: str) -> Decimal:
    """An independent reader of 大写 amounts to check the writer against: 壹佰万肆仟元壹角 → 1004000.10."""
    assert re.fullmatch(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整]+", text), text
    yuan, _, fraction = text.rpartition("元") if "元" in text else ("", "", text)
    jiao = re.search(r"(.)角", fraction)
    fen = re.search(r"(.)分", fraction)
    cents = (_VALUES[jiao.group(1)] * 10 if jiao else 0) + (_VALUES[fen.group(1)] if fen else 0)
    return Decimal(_read_integer(yuan)) + Decimal(cents) / 100


@given(st.integers(min_value=0, max_value=10**14 - 1).map(lambda cents: Decimal(cents) / 100))
def test_rmb_upper_reads_back_to_the_same_amount(amount: Decimal) -> None:
    text = rmb_upper(amount)
    assert _read_upper(text) == amount
    assert text.endswith("整") == (amount == amount.to_integral_value())
    assert amount == 0 or ("零零" not in text and not text.startswith("零"))


# ---- Annex 2 ---------------------------------------------------------------------------------------------------


def test_annex2_before_the_decision_has_the_claimant_the_declarations_and_the_blank_opinion(claim: Claim) -> None:
    pdf = documents.annex2_pdf(claim=_fresh(claim))
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    party = claim.third_party
    assert "附件2" in text and "卓越工程师引进补助申报表" in text
    for expected in (
        claim.reference,
        claim.verification_code,
        claim.employer.name,
        "张经理",
        "023-45678901",
        party.name,
        party.credit_code,  # an organisation's credit code is public registry data: whole
        party.phone,
        party.bank_name,
        party.bank_account,  # the payment instruction: whole
        "引进人员0",
        "引进人员1",
        "30,000.00",
        "20,000.00",
        "合计（2人）50,000.00",
    ):
        assert expected is not None
        assert expected in text, expected
    assert (
        f"✓1.{party.name}（荐才机构或个人名称）为{claim.employer.name}（用人单位名称）引进卓越工程师，已实现人才到岗"
        in text
    )
    assert "✓2.荐才机构/个人无不良信用记录" in text
    assert "✓3.本荐才机构/个人保证所申报材料真实有效" in text
    assert "荐才机构/个人（盖章/签字）：" in text
    assert "经审核：该荐才个人/机构提交的申报材料真实准确，按照有关规定，激励金额元。初审：复核：年月日" in text
    assert "大写" not in text and "不予支持" not in text
    assert f"扫码或访问{VERIFY_BASE}/verify/{claim.verification_code}/核验真伪" in text
    assert "第1页共1页" in text
    for item in claim.items.select_related("hire"):
        assert item.hire.id_number not in text and item.hire.id_number[-8:] not in text


def test_an_undeclared_draft_prints_empty_boxes(headhunter: User, employer: Employer) -> None:
    claim = _draft(headhunter, employer, "1000")
    Claim.objects.filter(pk=claim.pk).update(declares_good_credit=False)
    text = _annex2(claim)
    assert "✓1." in text and "✓2." not in text and "2.荐才机构/个人无不良信用记录" in text


def test_annex2_after_approval_fills_the_amount_in_figures_and_capitals_and_the_reviewers(  # type: ignore[no-untyped-def]
    approved, headhunter
) -> None:
    claim = approved
    text = _annex2(claim)
    assert (
        "经审核：该荐才个人/机构提交的申报材料真实准确，按照有关规定，激励金额45,000.00元（大写：人民币肆万伍仟元整）"
        in text
    )
    assert f"初审：初审员马（{_day(claim.first_reviewed_at)}）" in text
    assert f"复核：复核员严（{_day(claim.second_reviewed_at)}）" in text
    assert "合计（2人）50,000.0045,000.00" in text
    assert "25,000.00" in text


def test_annex2_after_approval_prints_the_account_of_the_submission_not_a_later_one(  # type: ignore[no-untyped-def]
    approved, headhunter
) -> None:
    assert headhunter.third_party is not None
    account = headhunter.third_party.bank_account
    claim = approved
    type(headhunter.third_party).objects.filter(pk=headhunter.third_party.pk).update(
        bank_account="6222020000000000999", bank_name="中国工商银行重庆分行"
    )
    text = _annex2(claim)
    assert account in text and "6222020000000000999" not in text and "中国工商银行重庆分行" not in text


def test_a_draft_prints_the_third_partys_current_account(claim: Claim, headhunter: User) -> None:
    assert headhunter.third_party is not None
    type(headhunter.third_party).objects.filter(pk=headhunter.third_party.pk).update(bank_account="6222020000000000999")
    assert "6222020000000000999" in _annex2(claim)


def test_a_rejected_claim_says_not_supported_with_the_opinion(submitted, headhunter, centre_named) -> None:  # type: ignore[no-untyped-def]
    claim = submitted
    claim_review(claim=claim, action="first_reject", opinion="引进人员未实际到岗。", by=centre_named)
    text = _annex2(claim)
    assert "经审核：不予支持。审核意见：引进人员未实际到岗。" in text
    assert "初审：初审员马" in text and "激励金额" not in text


def test_a_claim_rejected_at_re_review_names_both_reviewers(  # type: ignore[no-untyped-def]
    submitted, headhunter, centre_named, bureau_named
) -> None:
    claim = submitted
    claim = claim_review(claim=claim, action="first_pass", opinion="材料齐全，同意。", by=centre_named)
    claim_review(claim=claim, action="second_reject", opinion="重复申报。", by=bureau_named)
    claim = _fresh(claim)
    text = _annex2(claim)
    assert "经审核：不予支持。审核意见：重复申报。" in text
    assert (
        f"初审：初审员马（{_day(claim.first_reviewed_at)}）复核：复核员严（{_day(claim.second_reviewed_at)}）" in text
    )


def test_an_individual_claimants_id_number_is_printed_whole(caps: None, employer: Employer) -> None:
    person = UserFactory(third_party_user=True, third_party=ThirdPartyFactory(verified=True, individual=True))
    claim = _draft(person, employer, "1000")
    document = documents.annex2_document(claim=_fresh(claim))
    assert person.third_party is not None
    number = person.third_party.id_number
    assert number is not None
    assert number in _text(document.pdf) and number in _pypdf_text(document.pdf)
    assert document.whole_numbers == (person.third_party,) and document.field == "id_number"


def test_an_organisations_annex2_prints_its_credit_code_and_no_id_number(claim: Claim) -> None:
    document = documents.annex2_document(claim=_fresh(claim))
    assert claim.third_party.credit_code
    assert claim.third_party.credit_code in _text(document.pdf)
    assert document.whole_numbers == ()


# ---- Annex 3 ---------------------------------------------------------------------------------------------------


def test_annex3_lists_the_hires_with_whole_id_numbers_on_landscape_a4(claim: Claim) -> None:
    pdf = documents.annex3_pdf(claim=_fresh(claim))
    assert pdf.startswith(b"%PDF-")
    assert re.search(r"841\.89 x 595\.2\d* pts", _page_size(pdf)), "A4 landscape (points)"
    text = _text(pdf)
    assert "附件3" in text and "用人单位引进人才确认表" in text
    assert f"用人单位：{claim.employer.name}" in text
    assert f"服务机构/社会组织/个人：{claim.third_party.name}" in text
    assert (
        "必填项选填项序号姓名身份证号码岗位名称引进方式劳动合同期限毕业院校专业学历职称职级技能等级入职时间工作经历（海聚）其他符合的相关条件"
        in text
    )
    for item in claim.items.select_related("hire__position"):
        hire = item.hire
        assert hire.name in text and hire.post_name in text
        assert hire.id_number in text and hire.id_number in _pypdf_text(pdf)
        assert hire.id_number_masked not in text
    assert "全职" in text and "3年" in text and "重庆大学" in text
    assert "申明：本单位保证填报信息真实有效，否则愿意承担由此引起的法律责任和后果。" in text
    assert "填报人及联系方式：张经理023-45678901" in text
    assert "用人单位（盖章）：" in text and "填报日期：年月日" in text
    assert claim.third_party.bank_account not in text


def test_every_page_of_a_long_claim_carries_the_reference_code_and_check_address(
    headhunter: User, employer: Employer
) -> None:
    claim = _draft(headhunter, employer, *["3000"] * 24)
    footer = f"申报编号：{claim.reference}核验码：{claim.verification_code}扫码或访问{_verify_url(claim)}核验真伪"
    for render in (documents.annex2_pdf, documents.annex3_pdf):
        pdf = render(claim=_fresh(claim))
        pages = _pages(pdf)
        assert len(pages) >= 2, render.__name__
        for number, page in enumerate(pages, start=1):
            assert footer in page, (render.__name__, number)
            assert f"第{number}页共{len(pages)}页" in page
        images = _images(pdf)
        assert [page for page, _ in images] == list(range(1, len(pages) + 1)), "the QR code on every page"
        assert len({image for _, image in images}) == 1, "one QR code image in the file, shown on every page"
    pages = _pages(documents.annex3_pdf(claim=_fresh(claim)))
    assert all("序号姓名身份证号码" in page for page in pages), "the two-row header repeats on every page"
    assert "用人单位（盖章）" in pages[-1]


def test_rendering_costs_the_same_queries_for_2_and_for_20_people(
    headhunter: User, employer: Employer, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    small, large = _draft(headhunter, employer, "1000", "1000"), _draft(headhunter, employer, *["1000"] * 20)
    small, large = _fresh(small), _fresh(large)
    for render in (documents.annex2_context, documents.annex3_context):
        with django_assert_max_num_queries(2):
            render(small)
        with django_assert_max_num_queries(2):
            render(large)


def test_the_check_address_is_the_portals_configured_address(claim: Claim, settings: Settings) -> None:
    settings.PORTAL_BASE_URL = "https://talent.cq.example.gov.cn/"
    text = _text(documents.annex3_pdf(claim=_fresh(claim)))
    assert f"https://talent.cq.example.gov.cn/verify/{claim.verification_code}/" in text


def test_the_qr_code_reads_as_the_check_address(claim: Claim, tmp_path: Path) -> None:
    zbarimg, pdftoppm = shutil.which("zbarimg"), shutil.which("pdftoppm")
    if zbarimg is None or pdftoppm is None:
        pytest.skip("zbarimg (zbar-tools) is not installed: the QR code is not decoded here")
    pdf = documents.annex2_pdf(claim=_fresh(claim))
    (tmp_path / "annex2.pdf").write_bytes(pdf)
    command: list[str | Path] = [
        pdftoppm,
        "-png",
        "-r",
        "200",
        "-f",
        "1",
        "-l",
        "1",
        tmp_path / "annex2.pdf",
        tmp_path / "page",
    ]
    subprocess.run(command, check=True, timeout=60)  # noqa: S603
    image = next(tmp_path.glob("page*.png"))
    decoded = subprocess.run([zbarimg, "-q", "--raw", image], capture_output=True, check=True).stdout.decode()  # noqa: S603
    assert decoded.strip() == _verify_url(claim)


# ---- Who may fetch the PDFs ------------------------------------------------------------------------------------


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name", ["annex2_pdf", "annex3_pdf"])
def test_the_claimant_gets_the_pdf_inline_with_a_chinese_name_and_no_cache(
    claim: Claim, headhunter: User, name: str
) -> None:
    response = _client(headhunter).get(reverse(f"subsidies:{name}", args=[claim.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'inline; filename="{claim.reference}-annex')
    assert "filename*=UTF-8''%E" in disposition
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    # The portal's configured address, never the host the request came through.
    text = _text(response.content)
    assert f"{VERIFY_BASE}/verify/{claim.verification_code}/" in text and "testserver" not in text
    assert not PersonalDataAccess.objects.filter(field="bank_account").exists(), "its own account: nothing to record"


def test_the_chinese_file_names(claim: Claim, headhunter: User) -> None:
    client = _client(headhunter)
    annex2 = client.get(reverse("subsidies:annex2_pdf", args=[claim.pk]))["Content-Disposition"]
    annex3 = client.get(reverse("subsidies:annex3_pdf", args=[claim.pk]))["Content-Disposition"]
    assert annex2.endswith(f"filename*=UTF-8''{quote(f'卓越工程师引进补助申报表-{claim.reference}.pdf')}")
    assert annex3.endswith(f"filename*=UTF-8''{quote(f'用人单位引进人才确认表-{claim.reference}.pdf')}")


@pytest.mark.parametrize("name", ["annex2_pdf", "annex3_pdf"])
def test_the_city_reviewers_get_the_pdf(submitted, headhunter, name) -> None:  # type: ignore[no-untyped-def]
    claim = submitted
    for reviewer in (UserFactory(centre=True), UserFactory(bureau=True)):
        response = _client(reviewer).get(reverse(f"subsidies:{name}", args=[claim.pk]))
        assert response.status_code == 200 and response.content.startswith(b"%PDF-")


def test_a_reviewer_seeing_the_whole_account_is_recorded(submitted, headhunter) -> None:  # type: ignore[no-untyped-def]
    claim = submitted
    reviewer = UserFactory(centre=True)
    _client(reviewer).get(reverse("subsidies:annex2_pdf", args=[claim.pk]))
    access = PersonalDataAccess.objects.get()
    assert access.user == reviewer and access.field == "bank_account" and claim.reference in access.purpose


@pytest.mark.parametrize("name", ["annex2_pdf", "annex3_pdf"])
def test_nobody_else_learns_the_claim_exists(claim: Claim, clerk: User, name: str) -> None:
    url = reverse(f"subsidies:{name}", args=[claim.pk])
    other_party = UserFactory(third_party_user=True, third_party=ThirdPartyFactory(verified=True))
    employer_user = UserFactory(employer_user=True, employer=claim.employer)
    for user in (other_party, clerk, UserFactory(district_reviewer=True), employer_user, UserFactory(admin=True)):
        assert _client(user).get(url).status_code == 404, user.role
    missing = reverse(f"subsidies:{name}", args=[claim.pk + 1000])
    assert _client(UserFactory(bureau=True)).get(missing).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    assert not PersonalDataAccess.objects.exists(), "nothing was printed, nothing is recorded"


# ---- Whole ID numbers: who gets them, and the record of each download ----------------------------------------


def test_annex3_gives_the_claimant_and_the_city_the_whole_numbers_and_records_each_person(
    submitted: Claim, headhunter: User
) -> None:
    claim = submitted
    hires = [item.hire for item in claim.items.select_related("hire").order_by("pk")]
    url = reverse("subsidies:annex3_pdf", args=[claim.pk])
    readers = (headhunter, UserFactory(centre=True), UserFactory(bureau=True))
    for reader in readers:
        before = timezone.now()
        response = _client(reader).get(url, REMOTE_ADDR="10.1.2.3")
        assert response.status_code == 200
        text = _pypdf_text(response.content)
        for hire in hires:
            assert hire.id_number in text, reader.role
        rows = PersonalDataAccess.objects.filter(user=reader).order_by("object_id")
        assert [row.object_id for row in rows] == sorted(hire.pk for hire in hires)
        for row in rows:
            assert row.subject in hires and row.field == "id_number"
            assert row.purpose == f"下载附件3 PDF {claim.reference}"
            assert row.remote_addr == "10.1.2.3" and row.accessed_at >= before
    # Every download, not the first only.
    _client(headhunter).get(url)
    assert PersonalDataAccess.objects.filter(user=headhunter).count() == 2 * len(hires)
    assert PersonalDataAccess.objects.count() == (len(readers) + 1) * len(hires)


def test_annex2_of_an_individual_records_the_claimants_number_for_every_reader(caps: None, employer: Employer) -> None:
    person = UserFactory(third_party_user=True, third_party=ThirdPartyFactory(verified=True, individual=True))
    party = person.third_party
    assert party is not None and party.id_number
    claim = _draft(person, employer, "1000", submitted=True)
    url = reverse("subsidies:annex2_pdf", args=[claim.pk])
    assert party.id_number in _pypdf_text(_client(person).get(url).content)
    own = PersonalDataAccess.objects.get()
    assert (own.user, own.subject, own.field) == (person, party, "id_number")
    assert own.purpose == f"下载附件2 PDF {claim.reference}"
    reviewer = UserFactory(centre=True)
    assert party.id_number in _pypdf_text(_client(reviewer).get(url).content)
    seen = set(PersonalDataAccess.objects.filter(user=reviewer).values_list("field", flat=True))
    assert seen == {"id_number", "bank_account"}


def test_an_organisations_annex2_records_no_id_number(claim: Claim, headhunter: User) -> None:
    _client(headhunter).get(reverse("subsidies:annex2_pdf", args=[claim.pk]))
    assert not PersonalDataAccess.objects.exists()


def test_an_anonymised_hire_has_no_number_to_print_and_no_record(submitted: Claim, headhunter: User) -> None:
    claim = submitted
    first, second = (item.hire for item in claim.items.select_related("hire").order_by("pk"))
    type(first).objects.filter(pk=first.pk).update(id_number="", id_number_digest=None, anonymised_at=timezone.now())
    response = _client(headhunter).get(reverse("subsidies:annex3_pdf", args=[claim.pk]))
    assert response.status_code == 200
    assert list(PersonalDataAccess.objects.values_list("object_id", flat=True)) == [second.pk]


def test_no_pdf_is_served_unless_every_record_is_written(
    caps: None, employer: Employer, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = UserFactory(third_party_user=True, third_party=ThirdPartyFactory(verified=True, individual=True))
    claim = _draft(person, employer, "1000", submitted=True)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise DatabaseError("disk full")

    monkeypatch.setattr(type(PersonalDataAccess.objects), "bulk_create", refuse)
    client = _client(UserFactory(centre=True))
    client.raise_request_exception = True
    with pytest.raises(DatabaseError):
        client.get(reverse("subsidies:annex2_pdf", args=[claim.pk]))
    assert not PersonalDataAccess.objects.exists(), "the bank account's record is rolled back with the rest"


@pytest.mark.parametrize("name", ["annex2_pdf", "annex3_pdf"])
def test_the_papers_never_pass_through_the_cache(
    submitted: Claim, headhunter: User, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    class NoCache:
        def get(self, *args: Any, **kwargs: Any) -> Any:
            raise AssertionError("a claim paper was looked up in the cache")

        set = get

    monkeypatch.setattr("portal.pdf.cache", NoCache())
    for reader in (headhunter, UserFactory(centre=True)):
        assert _client(reader).get(reverse(f"subsidies:{name}", args=[submitted.pk])).status_code == 200


def test_the_access_log_lists_the_downloads(submitted: Claim, headhunter: User) -> None:
    _client(headhunter).get(reverse("subsidies:annex3_pdf", args=[submitted.pk]))
    page = _client(UserFactory(admin=True)).get(reverse("admin:portal_personaldataaccess_changelist"))
    assert page.status_code == 200
    assert f"下载附件3 PDF {submitted.reference}" in page.content.decode()


def test_printing_refused_records_nothing(submitted: Claim, clerk: User) -> None:
    with pytest.raises(PermissionDenied):
        personal_data_printed(
            objs=[item.hire for item in submitted.items.all()], field="id_number", by=clerk, allowed=False, purpose="x"
        )
    assert not PersonalDataAccess.objects.exists()


# ---- The public check ------------------------------------------------------------------------------------------


def test_the_check_confirms_a_genuine_paper_without_personal_data(claim: Claim) -> None:
    response = Client().get(reverse("subsidies:verify", args=[claim.verification_code]))
    assert response.status_code == 200
    page = response.content.decode()
    for expected in (
        "真实有效",
        claim.reference,
        "草稿",
        claim.third_party.name,
        claim.employer.name,
        "2人",
        "50,000.00元",
    ):
        assert expected in page, expected
    assert "核定激励金额" not in page
    party = claim.third_party
    for secret in (party.bank_account, party.phone, "023-45678901", "张经理"):
        assert secret not in page
    for item in claim.items.select_related("hire"):
        assert item.hire.name not in page and item.hire.id_number not in page and item.hire.id_number[-4:] not in page
    assert response["X-Robots-Tag"].startswith("noindex")


def test_the_check_shows_the_decision_once_approved(approved, headhunter) -> None:  # type: ignore[no-untyped-def]
    claim = approved
    page = Client().get(reverse("subsidies:verify", args=[claim.verification_code.lower()])).content.decode()
    assert "已核定待发放" in page and "45,000.00元" in page and "50,000.00元" in page
    assert _day(claim.second_reviewed_at) in page
    assert "初审员马" not in page and "复核员严" not in page


def test_the_check_masks_an_individual_claimants_name(caps: None, employer: Employer) -> None:
    party = ThirdPartyFactory(verified=True, individual=True, name="王小明")
    claim = _draft(UserFactory(third_party_user=True, third_party=party), employer, "1000")
    page = Client().get(reverse("subsidies:verify", args=[claim.verification_code])).content.decode()
    assert "王**（个人）" in page and "王小明" not in page and party.id_number not in page


@pytest.mark.parametrize("code", ["ABCDEF123456", "not-a-code", "0" * 40])
def test_an_unknown_code_is_not_found(claim: Claim, code: str) -> None:
    response = Client().get(reverse("subsidies:verify", args=[code]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "未找到该核验码对应的申报，文件可能不是本平台出具的" in page
    assert claim.reference not in page


def test_lookups_are_limited_per_address(claim: Claim) -> None:
    url = reverse("subsidies:verify", args=[claim.verification_code])
    unknown = reverse("subsidies:verify", args=["ABCDEF123456"])
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [client.get(unknown if n % 2 else url).status_code for n in range(30)]
    assert set(statuses) == {200, 404}
    limited = client.get(url)
    assert limited.status_code == 429 and "查询过于频繁" in limited.content.decode()
    assert claim.reference not in limited.content.decode()
    assert Client(REMOTE_ADDR="203.0.113.8").get(url).status_code == 200, "another address is not limited"


# ---- The check by typing the code (/verify/) -------------------------------------------------------------------


def _typed(code: str, **extra: Any) -> tuple[int, str]:
    response = Client(**extra).get(reverse("subsidies:verify_form"), {"code": code})
    return response.status_code, response.content.decode()


def _as_typed_off_paper(code: str) -> list[str]:
    """The code as people type it: lower case, grouped by spaces or dashes, full-width, O and I for 0 and 1."""
    grouped = " ".join(code[i : i + 4] for i in range(0, 12, 4))
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code.lower())
    return [
        code.lower(),
        f"  {grouped}  ",
        "-".join(code[i : i + 4] for i in range(0, 12, 4)).lower(),
        full_width,
        code.replace("0", "O").replace("1", "I"),
    ]


def test_the_form_page_asks_for_the_code_and_every_page_links_to_it(claim: Claim) -> None:
    response = Client().get(reverse("subsidies:verify_form"))
    page = response.content.decode()
    assert response.status_code == 200 and reverse("subsidies:verify_form") == "/verify/"
    assert "文件核验" in page and 'name="code"' in page and "12位核验码" in page
    assert claim.reference not in page and response["X-Robots-Tag"].startswith("noindex")
    home = Client().get(reverse("portal:home")).content.decode()
    assert 'href="/verify/"' in home and "文件核验" in home


def test_a_code_typed_as_a_person_would_finds_the_claim(claim: Claim) -> None:
    code = "0A1B2C3D4E5F"
    Claim.objects.filter(pk=claim.pk).update(verification_code=code)
    for typed in _as_typed_off_paper(code):
        status, page = _typed(typed)
        assert status == 200 and "真实有效" in page and claim.reference in page, typed


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "请输入文件上印制的12位核验码。"),
        ("   ", "请输入文件上印制的12位核验码。"),
        ("3F9A2C71B0", "核验码应为12位，您输入了10位，请核对。"),
        ("3F9A2C71B0D4E", "核验码应为12位，您输入了13位，请核对。"),
        ("3F9A2C71B0DZ", "核验码只含数字0–9和字母A–F，您输入的“Z”不在其中，请核对。"),
        ("3F9A 2C71 B0DG", "核验码只含数字0–9和字母A–F，您输入的“G”不在其中，请核对。"),
        ("bz-2026-999999", "您输入的是申报编号（BZ-年份-序号），请输入文件页脚“核验码：”后的12位核验码。"),
    ],
)
def test_a_code_that_cannot_be_one_says_why_beside_the_field(claim: Claim, typed: str, message: str) -> None:
    status, page = _typed(typed)
    assert status == 200 and message in page and 'class="form-control portal-id-number is-invalid"' in page
    assert claim.reference not in page and "真实有效" not in page


def test_a_well_formed_code_of_no_claim_is_not_found(claim: Claim) -> None:
    status, page = _typed("abcd ef12 3456")
    assert status == 200
    assert "未找到该核验码对应的申报，请核对后重试。" in page and "文件可能不是本平台出具的" in page
    assert claim.reference not in page and 'value="abcd ef12 3456"' in page


def test_the_form_shares_the_address_limit_with_the_printed_address(claim: Claim) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(30):
        if n % 2:
            assert client.get(reverse("subsidies:verify_form"), {"code": f"ABCDEF{n:06d}"}).status_code == 200
        else:
            assert client.get(reverse("subsidies:verify", args=[claim.verification_code])).status_code == 200
    limited = client.get(reverse("subsidies:verify_form"), {"code": claim.verification_code})
    assert limited.status_code == 429 and "查询过于频繁" in limited.content.decode()
    assert claim.reference not in limited.content.decode()
    # Opening the empty form is not a lookup.
    assert client.get(reverse("subsidies:verify_form")).status_code == 200
