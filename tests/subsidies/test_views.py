"""The claim pages in the browser's terms: the claimant's form, files, submit; the city's queues and decisions;
nobody sees another's claim by page or guessed URL."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from portal.models import Employer, User
from referrals.models import Hire
from subsidies.constants import ClaimStatus
from subsidies.models import Claim
from tests.factories import SIGNED_SCAN, ThirdPartyFactory, UserFactory, claimable_hire

pytestmark = pytest.mark.django_db
PDF = SIGNED_SCAN


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def hires(headhunter: User, employer: Employer) -> list[Hire]:
    return [claimable_hire(headhunter.third_party, employer) for _ in range(2)]


def _create(
    client: Client, employer: Employer, hires: Sequence[Hire], amounts: Sequence[str] = ("30000", "20000")
) -> Claim:
    data = {"employer_contact": "张经理", "employer_phone": "023-45678901"}
    data |= {"declares_introduced": "on", "declares_good_credit": "on", "declares_truthful": "on"}
    for hire, amount in zip(hires, amounts, strict=True):
        data |= {f"hire_{hire.pk}": "on", f"amount_{hire.pk}": amount}
    response = client.post(reverse("subsidies:claim_create") + f"?employer={employer.pk}", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Claim.objects.latest("pk")


def test_the_claimant_fills_uploads_and_submits(headhunter: User, employer: Employer, hires: list[Hire]) -> None:
    client = _client(headhunter)
    page = client.get(reverse("subsidies:claim_list")).content.decode()
    assert employer.name in page and "可申报 2 人" in page
    claim = _create(client, employer, hires)
    assert claim.requested_total == Decimal("50000") and claim.status == ClaimStatus.DRAFT
    submit = reverse("subsidies:claim_submit", args=[claim.pk])
    client.post(submit)
    assert Claim.objects.get().status == ClaimStatus.DRAFT  # no signed annexes yet
    upload = reverse("subsidies:attachment_upload", args=[claim.pk])
    client.post(upload, {"kind": "annex2", "file": SimpleUploadedFile("申报表.pdf", PDF)})
    client.post(upload, {"kind": "annex3", "file": SimpleUploadedFile("确认表.png", _png())})
    client.post(submit)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    detail = client.get(reverse("subsidies:claim_detail", args=[claim.pk])).content.decode()
    assert "市人才交流服务中心（初审）" in detail and "当前环节" in detail and "预计" in detail


def test_a_file_is_judged_by_its_content(headhunter: User, employer: Employer, hires: list[Hire]) -> None:
    client = _client(headhunter)
    claim = _create(client, employer, hires)
    response = client.post(
        reverse("subsidies:attachment_upload", args=[claim.pk]),
        {"kind": "annex2", "file": SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 this is an exe")},
        follow=True,
    )
    assert "只能上传PDF、JPG或PNG" in response.content.decode()
    assert not claim.attachments.exists()


def test_over_the_cap_is_refused_on_the_form(headhunter: User, employer: Employer, hires: list[Hire]) -> None:
    client = _client(headhunter)
    data = {"employer_contact": "张经理", "employer_phone": "023-45678901", f"hire_{hires[0].pk}": "on"}
    data[f"amount_{hires[0].pk}"] = "30001"
    response = client.post(reverse("subsidies:claim_create") + f"?employer={employer.pk}", data)
    page = response.content.decode()
    assert response.status_code == 200 and "超过“揭榜招贤”补助上限30,000元/人" in page
    # The refusal and the note under the table both say where the cap comes from.
    assert "依据渝人社发〔2022〕50号；生效日期由系统管理员录入" in page.split("超过“揭榜招贤”补助上限")[1]
    assert "揭榜招贤：上限30,000元/人（依据渝人社发〔2022〕50号；生效日期由系统管理员录入）" in page
    assert not Claim.objects.exists()


def test_another_third_party_gets_404_everywhere(headhunter: User, employer: Employer, hires: list[Hire]) -> None:
    claim = _create(_client(headhunter), employer, hires)
    _client(headhunter).post(
        reverse("subsidies:attachment_upload", args=[claim.pk]),
        {"kind": "annex2", "file": SimpleUploadedFile("a.pdf", PDF)},
    )
    attachment = claim.attachments.get()
    stranger = _client(UserFactory(third_party_user=True, third_party=ThirdPartyFactory(verified=True)))
    for name, args in (
        ("claim_detail", [claim.pk]),
        ("claim_edit", [claim.pk]),
        ("attachment_download", [claim.pk, attachment.pk]),
    ):
        assert stranger.get(reverse(f"subsidies:{name}", args=args)).status_code == 404, name
    for name in ("claim_submit", "claim_withdraw", "attachment_upload"):
        assert stranger.post(reverse(f"subsidies:{name}", args=[claim.pk])).status_code == 404, name
    clerk = _client(UserFactory(clerk=True))
    assert clerk.get(reverse("subsidies:attachment_download", args=[claim.pk, attachment.pk])).status_code == 404
    assert stranger.get(reverse("subsidies:claim_list")).content.decode().count(claim.reference) == 0


def test_the_city_reviews_from_its_queues(
    headhunter: User, employer: Employer, hires: list[Hire], centre: User, bureau: User
) -> None:
    client = _client(headhunter)
    claim = _create(client, employer, hires)
    for kind in ("annex2", "annex3"):
        client.post(
            reverse("subsidies:attachment_upload", args=[claim.pk]),
            {"kind": kind, "file": SimpleUploadedFile("a.pdf", PDF)},
        )
    client.post(reverse("subsidies:claim_submit", args=[claim.pk]))
    centre_client, bureau_client = _client(centre), _client(bureau)
    assert claim.reference in centre_client.get(reverse("subsidies:review_queue")).content.decode()
    screen = centre_client.get(reverse("subsidies:review_claim", args=[claim.pk])).content.decode()
    assert hires[0].name in screen and "单位已确认" in screen and hires[0].id_number not in screen
    centre_client.post(
        reverse("subsidies:review_decide", args=[claim.pk]), {"action": "first_pass", "opinion": "材料齐全。"}
    )
    # Each line found by its hire: the order the lines were written in need not be the fixture's.
    items = {item.hire_id: item for item in Claim.objects.get().items.all()}
    bureau_client.post(
        reverse("subsidies:review_decide", args=[claim.pk]),
        {
            "action": "approve",
            "opinion": "核定。",
            f"approved_{items[hires[0].pk].pk}": "25000",
            f"approved_{items[hires[1].pk].pk}": "20000",
        },
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claim.approved_total == Decimal("45000")
    assert claim.reference in bureau_client.get(reverse("subsidies:review_queue") + "?step=payment").content.decode()
    bureau_client.post(
        reverse("subsidies:review_pay", args=[claim.pk]),
        {"paid_on": timezone.localdate(claim.second_reviewed_at).isoformat(), "payment_reference": "ZF-2026-0001"},
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    history = client.get(reverse("subsidies:claim_detail", args=[claim.pk])).content.decode()
    assert "材料齐全。" in history and "核定。" in history and "ZF-2026-0001" in history


def test_a_district_clerk_cannot_open_the_review_pages(headhunter: User, employer: Employer, hires: list[Hire]) -> None:
    claim = _create(_client(headhunter), employer, hires)
    clerk = _client(UserFactory(clerk=True))
    assert clerk.get(reverse("subsidies:review_queue")).status_code == 403
    assert clerk.get(reverse("subsidies:review_claim", args=[claim.pk])).status_code == 403
    assert _client(headhunter).get(reverse("subsidies:review_queue")).status_code == 403


# ---- Decided money and what the claimant is still asked to do --------------------------------------------------


def _submitted(
    client: Client, employer: Employer, hires: Sequence[Hire], amounts: Sequence[str] = ("30000", "20000")
) -> Claim:
    claim = _create(client, employer, hires, amounts)
    for kind in ("annex2", "annex3"):
        client.post(
            reverse("subsidies:attachment_upload", args=[claim.pk]),
            {"kind": kind, "file": SimpleUploadedFile("a.pdf", PDF)},
        )
    client.post(reverse("subsidies:claim_submit", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    return claim


def _approve(claim: Claim, centre: User, bureau: User, *amounts: str) -> Claim:
    _client(centre).post(
        reverse("subsidies:review_decide", args=[claim.pk]), {"action": "first_pass", "opinion": "材料齐全。"}
    )
    approved = {f"approved_{item.pk}": amount for item, amount in zip(claim.items.order_by("pk"), amounts, strict=True)}
    _client(bureau).post(
        reverse("subsidies:review_decide", args=[claim.pk]), {"action": "approve", "opinion": "核定。"} | approved
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    return claim


def _row(page: str, reference: str) -> str:
    start = page.index(reference)
    return page[start : page.index("</tr>", start)]


def test_the_payment_queue_and_form_show_the_approved_amount_beside_the_requested(
    headhunter: User, employer: Employer, caps: None, centre: User, bureau: User
) -> None:
    hire = claimable_hire(headhunter.third_party, employer)
    claim = _submitted(_client(headhunter), employer, [hire], ("30000",))
    claim = _approve(claim, centre, bureau, "25000")
    reviewer = _client(bureau)
    queue = reviewer.get(reverse("subsidies:review_queue") + "?step=payment").content.decode()
    assert "核定金额（元）" in queue
    row = _row(queue, claim.reference)
    assert row.index("25,000.00") < row.index("30,000.00"), "核定 first, 申请 beside it"
    screen = reviewer.get(reverse("subsidies:review_claim", args=[claim.pk])).content.decode()
    lead = screen[screen.index('class="portal-page-lead"') :]
    assert lead[: lead.index("</p>")].count("核定 25,000.00 元（申请 30,000.00 元）") == 1
    assert '发放金额：<strong class="portal-col-number">25,000.00</strong> 元' in screen
    assert "确定登记发放25,000.00元吗？" in screen
    # Before the decision there is no approved figure to show: the first review's queue shows what was asked.
    other = _submitted(_client(headhunter), employer, [claimable_hire(headhunter.third_party, employer)], ("4000",))
    first = _client(centre).get(reverse("subsidies:review_queue")).content.decode()
    assert "核定金额（元）" not in first and "4,000.00" in _row(first, other.reference)


def test_the_claimant_sees_the_approved_amount_and_only_what_it_can_still_do(
    headhunter: User, employer: Employer, caps: None, centre: User, bureau: User
) -> None:
    client = _client(headhunter)
    hire = claimable_hire(headhunter.third_party, employer)
    claim = _create(client, employer, [hire], ("30000",))
    detail = reverse("subsidies:claim_detail", args=[claim.pk])
    sign_and_upload = "签字盖章后扫描上传"
    page = client.get(detail).content.decode()
    assert "下一步：" in page and sign_and_upload in page and "提交申报</button>" in page
    claim = _submitted(client, employer, [claimable_hire(headhunter.third_party, employer)], ("30000",))
    detail = reverse("subsidies:claim_detail", args=[claim.pk])
    page = client.get(detail).content.decode()
    assert sign_and_upload not in page and "等待市人才交流服务中心初审" in page and "上传</button>" not in page
    claim = _approve(claim, centre, bureau, "25000")
    page = client.get(detail).content.decode()
    assert sign_and_upload not in page and "已核定激励金额25,000.00元，等待拨付，您无需操作。" in page
    assert "核定金额 25,000.00 元（申请 30,000.00 元）" in page
    _client(bureau).post(
        reverse("subsidies:review_pay", args=[claim.pk]),
        {"paid_on": timezone.localdate().isoformat(), "payment_reference": "ZF-2026-0002"},
    )
    page = client.get(detail).content.decode()
    today = timezone.localdate()
    assert f"补助25,000.00元已于{today:%Y年%-m月%-d日}发放，申报办理完毕，您无需操作。" in page
    assert sign_and_upload not in page and "提交申报</button>" not in page and "撤回申报</button>" not in page
    # A reviewer reading the claimant's page is not told what the claimant should do.
    assert "办理情况：" not in _client(centre).get(detail).content.decode()


def _open_edit(client: Client, claim: Claim) -> dict[str, str]:
    """The claim's edit page opened, and its form's fields as the browser sends them back (boxes ticked or left)."""
    page = client.get(reverse("subsidies:claim_edit", args=[claim.pk]))
    assert page.status_code == 200
    fields: dict[str, str] = {}
    for field in page.context["form"]:
        value = field.value()
        if value is True:
            fields[field.name] = "on"
        elif value not in (None, False):
            fields[field.name] = str(value)
    assert f'name="opened_at" value="{fields["opened_at"]}"' in page.content.decode()
    return fields


def test_an_edit_page_opened_before_another_save_is_refused_and_reopened_it_saves(
    headhunter: User, employer: Employer, hires: list[Hire]
) -> None:
    client = _client(headhunter)
    claim = _create(client, employer, hires)
    url = reverse("subsidies:claim_edit", args=[claim.pk])
    tab_a, tab_b = _open_edit(client, claim), _open_edit(client, claim)

    assert client.post(url, tab_a | {f"amount_{hires[0].pk}": "25000"}).status_code == 302
    stale = client.post(url, tab_b | {f"amount_{hires[1].pk}": "100"})
    assert stale.status_code == 200
    page = stale.content.decode()
    assert f"申报{claim.reference}已于" in page and "请重新打开本页后再修改" in page
    assert 'value="100"' in page  # what was typed stays on the page
    claim.refresh_from_db()
    assert claim.requested_total == Decimal("45000")  # the other tab's save stands

    reopened = _open_edit(client, claim)
    assert client.post(url, reopened | {f"amount_{hires[1].pk}": "100"}).status_code == 302
    claim.refresh_from_db()
    assert claim.requested_total == Decimal("25100")
