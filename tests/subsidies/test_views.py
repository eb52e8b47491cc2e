"""The claim pages in the browser's terms: the claimant's form, files, submit; the city's queues and decisions;
nobody sees another's claim by page or guessed URL."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from subsidies.constants import ClaimStatus
from subsidies.models import Claim
from tests.factories import ThirdPartyFactory, UserFactory, claimable_hire

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def hires(headhunter, employer):  # type: ignore[no-untyped-def]
    return [claimable_hire(headhunter.third_party, employer) for _ in range(2)]


def _create(client: Client, employer, hires, amounts=("30000", "20000")) -> Claim:  # type: ignore[no-untyped-def]
    data = {"employer_contact": "张经理", "employer_phone": "023-45678901"}
    data |= {"declares_introduced": "on", "declares_good_credit": "on", "declares_truthful": "on"}
    for hire, amount in zip(hires, amounts, strict=True):
        data |= {f"hire_{hire.pk}": "on", f"amount_{hire.pk}": amount}
    response = client.post(reverse("subsidies:claim_create") + f"?employer={employer.pk}", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Claim.objects.latest("pk")


def test_the_claimant_fills_uploads_and_submits(headhunter, employer, hires) -> None:  # type: ignore[no-untyped-def]
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


def test_a_file_is_judged_by_its_content(headhunter, employer, hires) -> None:  # type: ignore[no-untyped-def]
    client = _client(headhunter)
    claim = _create(client, employer, hires)
    response = client.post(
        reverse("subsidies:attachment_upload", args=[claim.pk]),
        {"kind": "annex2", "file": SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 this is an exe")},
        follow=True,
    )
    assert "只能上传PDF、JPG或PNG" in response.content.decode()
    assert not claim.attachments.exists()


def test_over_the_cap_is_refused_on_the_form(headhunter, employer, hires) -> None:  # type: ignore[no-untyped-def]
    client = _client(headhunter)
    data = {"employer_contact": "张经理", "employer_phone": "023-45678901", f"hire_{hires[0].pk}": "on"}
    data[f"amount_{hires[0].pk}"] = "30001"
    response = client.post(reverse("subsidies:claim_create") + f"?employer={employer.pk}", data)
    assert response.status_code == 200 and "超过“揭榜招贤”补助上限30,000元" in response.content.decode()
    assert not Claim.objects.exists()


def test_another_third_party_gets_404_everywhere(headhunter, employer, hires) -> None:  # type: ignore[no-untyped-def]
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


def test_the_city_reviews_from_its_queues(headhunter, employer, hires, centre, bureau) -> None:  # type: ignore[no-untyped-def]
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
    items = list(Claim.objects.get().items.order_by("pk"))
    bureau_client.post(
        reverse("subsidies:review_decide", args=[claim.pk]),
        {
            "action": "approve",
            "opinion": "核定。",
            f"approved_{items[0].pk}": "25000",
            f"approved_{items[1].pk}": "20000",
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


def test_a_district_clerk_cannot_open_the_review_pages(headhunter, employer, hires) -> None:  # type: ignore[no-untyped-def]
    claim = _create(_client(headhunter), employer, hires)
    clerk = _client(UserFactory(clerk=True))
    assert clerk.get(reverse("subsidies:review_queue")).status_code == 403
    assert clerk.get(reverse("subsidies:review_claim", args=[claim.pk])).status_code == 403
    assert _client(headhunter).get(reverse("subsidies:review_queue")).status_code == 403
