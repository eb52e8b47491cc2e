"""Stored documents (docs/subsidies.md, "Stored documents"): the claim's papers stored at the submission and each
decision, a download served from the stored copy (a file read, the records of who saw what kept), the public check
of a paper against the copies, and the copies gone when the claim is anonymised."""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from cryptography.fernet import Fernet
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from portal import documents as stored_documents
from portal.models import PersonalDataAccess, StoredDocument, ThirdParty, User
from portal.retention import anonymise_expired
from portal.security.crypto import decrypt_bytes
from referrals.models import Hire
from subsidies import documents
from subsidies.constants import ClaimAction
from subsidies.models import Claim
from subsidies.services import claim_pay, claim_review, claim_submit
from tests.factories import ClaimFactory, ThirdPartyFactory, UserFactory, make_id_number

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


@pytest.fixture(autouse=True)
def _fast_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The layout engine is not under test here (tests/subsidies/test_documents.py prints real PDFs): a PDF-looking
    rendering of the HTML, deterministic like WeasyPrint's own output."""
    monkeypatch.setattr("portal.pdf.html_to_pdf", lambda html: b"%PDF-1.7\n" + html.encode() + b"\n%%EOF\n")
    cache.clear()


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _copies(claim: Claim) -> list[tuple[str, str]]:
    return [(document.kind, document.event) for document in stored_documents.documents_of(claim)]


def _file_bytes(document: StoredDocument) -> bytes:
    with document.file.open("rb") as file:
        return file.read()


@pytest.fixture
def individual(caps: None) -> User:
    """An individual claimant: Annex 2 prints their ID number and account whole."""
    party = ThirdPartyFactory(verified=True, individual=True, id_number=make_id_number(611))
    return UserFactory(third_party_user=True, third_party=party)


@pytest.fixture
def submitted(individual: User, django_capture_on_commit_callbacks: Capture) -> Claim:
    with django_capture_on_commit_callbacks(execute=True):
        return ClaimFactory(by=individual, amounts=("30000", "20000"), submitted=True)


@pytest.fixture
def never_stored(individual: User) -> Claim:
    """Submitted without the task ever running (older than the store, or a broker that was down)."""
    return ClaimFactory(by=individual, amounts=("30000",), submitted=True)


@pytest.fixture
def no_render() -> Iterator[mock.Mock]:
    with mock.patch("subsidies.documents.render_pdf", side_effect=AssertionError("rendered")) as render:
        yield render


# ---- Stored at the events ------------------------------------------------------------------------------------


def test_the_submission_stores_both_papers_encrypted_with_their_digest(submitted: Claim) -> None:
    assert _copies(submitted) == [("annex2", ClaimAction.SUBMIT), ("annex3", ClaimAction.SUBMIT)]
    event = submitted.events.get(action=ClaimAction.SUBMIT)
    for document in stored_documents.documents_of(submitted):
        assert document.event_id == event.pk and document.made_by == submitted.created_by
        assert not document.on_demand
        token = _file_bytes(document)
        # At rest the file is a token: no PDF, no account, no ID number readable on the disk.
        assert not token.startswith(b"%PDF") and submitted.bank_account.encode() not in token
        pdf = decrypt_bytes(token)
        assert hashlib.sha256(pdf).hexdigest() == document.sha256 and document.size == len(pdf)
        assert document.file.name.startswith("documents/") and document.file.name.endswith(".pdf.enc")
    annex2 = stored_documents.read(stored_documents.documents_of(submitted)[0])
    assert annex2 is not None and submitted.third_party.id_number.encode() in annex2


def test_each_decision_stores_the_papers_as_decided(
    submitted: Claim, django_capture_on_commit_callbacks: Capture
) -> None:
    centre, bureau = UserFactory(centre=True), UserFactory(bureau=True)
    with django_capture_on_commit_callbacks(execute=True):
        claim_review(claim=submitted, action=ClaimAction.FIRST_PASS, opinion="同意。", by=centre)
    items = {item.pk: "25000" if n == 0 else "20000" for n, item in enumerate(submitted.items.order_by("pk"))}
    with django_capture_on_commit_callbacks(execute=True):
        claim_review(claim=submitted, action=ClaimAction.APPROVE, opinion="核定。", by=bureau, approved=items)
    with django_capture_on_commit_callbacks(execute=True):
        claim_pay(claim=submitted, paid_on=timezone.localdate(), reference="ZF-9", by=bureau)
    events = [event for _, event in _copies(submitted)]
    assert events == [e for e in ("submit", "first_pass", "approve", "pay") for _ in (1, 2)]
    pay = submitted.events.get(action=ClaimAction.PAY)
    assert stored_documents.stored(submitted, kind="annex2", event="approve", event_id=pay.pk) is None, (
        "each copy belongs to its own event"
    )
    approved = StoredDocument.objects.get(kind="annex2", event="approve")
    assert approved.made_by == bureau
    pdf = stored_documents.read(approved)
    assert pdf is not None and "肆万伍仟元整".encode() in pdf, "the opinion box of the approval is filled"


def test_a_return_and_the_resubmission_store_their_own_copies(
    submitted: Claim, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        claim_review(claim=submitted, action=ClaimAction.FIRST_RETURN, opinion="请补充。", by=UserFactory(centre=True))
    with django_capture_on_commit_callbacks(execute=True):
        claim_submit(claim=submitted, by=submitted.created_by)
    assert [event for kind, event in _copies(submitted) if kind == "annex2"] == ["submit", "first_return", "submit"]


def test_a_draft_and_its_edits_store_nothing(individual: User, django_capture_on_commit_callbacks: Capture) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        claim = ClaimFactory(by=individual, amounts=("30000",))
    assert _copies(claim) == []
    response = _client(individual).get(reverse("subsidies:annex2_pdf", args=[claim.pk]))
    assert response.status_code == 200 and "X-Document-SHA256" not in response
    assert _copies(claim) == [], "a draft is rendered at each download, never stored"


def test_a_failed_render_never_fails_the_decision(
    submitted: Claim, django_capture_on_commit_callbacks: Capture, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        mock.patch("subsidies.documents.render_pdf", side_effect=OSError("no fonts")),
        caplog.at_level(logging.ERROR),
        django_capture_on_commit_callbacks(execute=True),
    ):
        claim_review(claim=submitted, action=ClaimAction.FIRST_PASS, opinion="同意。", by=UserFactory(centre=True))
    submitted.refresh_from_db()
    assert submitted.status == "first_passed"
    assert [event for _, event in _copies(submitted)] == ["submit", "submit"]
    assert "存档失败" in caplog.text
    # The first download stores it.
    response = _client(submitted.created_by).get(reverse("subsidies:annex2_pdf", args=[submitted.pk]))
    assert response.status_code == 200
    assert StoredDocument.objects.get(event="first_pass", kind="annex2").on_demand


def test_a_task_overtaken_by_a_later_event_stores_nothing(individual: User) -> None:
    claim = ClaimFactory(by=individual, amounts=("30000",), first_passed=True)
    submit = claim.events.get(action=ClaimAction.SUBMIT)
    assert documents.claim_papers_store(claim_id=claim.pk, event_id=submit.pk) == 0
    last = claim.events.get(action=ClaimAction.FIRST_PASS)
    assert documents.claim_papers_store(claim_id=claim.pk, event_id=last.pk) == 2
    assert documents.claim_papers_store(claim_id=claim.pk, event_id=last.pk) == 0, "a second delivery writes nothing"


# ---- Downloads --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "kind"), [("annex2_pdf", "annex2"), ("annex3_pdf", "annex3")])
def test_a_download_is_the_stored_copy_without_rendering(
    submitted: Claim, no_render: mock.Mock, name: str, kind: str
) -> None:
    stored = StoredDocument.objects.get(kind=kind)
    for reader in (submitted.created_by, UserFactory(centre=True), UserFactory(bureau=True)):
        response = _client(reader).get(reverse(f"subsidies:{name}", args=[submitted.pk]))
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == stored.sha256
        assert response["ETag"] == f'"{stored.sha256}"' and response["X-Document-SHA256"] == stored.sha256
        assert "no-store" in response["Cache-Control"]
    no_render.assert_not_called()


def test_each_stored_download_is_still_recorded(submitted: Claim, no_render: mock.Mock) -> None:
    hires = [item.hire for item in submitted.items.select_related("hire").order_by("pk")]
    reviewer = UserFactory(centre=True)
    client = _client(reviewer)
    for _ in range(2):
        assert client.get(reverse("subsidies:annex3_pdf", args=[submitted.pk])).status_code == 200
        assert client.get(reverse("subsidies:annex2_pdf", args=[submitted.pk])).status_code == 200
    records = PersonalDataAccess.objects.filter(user=reviewer)
    hire_type, party_type = ContentType.objects.get_for_model(Hire), ContentType.objects.get_for_model(ThirdParty)
    assert records.filter(field="id_number", content_type=hire_type).count() == 4
    assert {r.object_id for r in records.filter(content_type=hire_type)} == {h.pk for h in hires}
    claimant = records.filter(field="id_number", content_type=party_type, object_id=submitted.third_party_id)
    assert claimant.count() == 2, "the claimant's number"
    assert records.filter(field="bank_account").count() == 2
    no_render.assert_not_called()


def test_a_missing_copy_is_rendered_and_stored_at_the_first_download(never_stored: Claim) -> None:
    client = _client(never_stored.created_by)
    first = client.get(reverse("subsidies:annex3_pdf", args=[never_stored.pk]))
    stored = StoredDocument.objects.get()
    assert (stored.kind, stored.event, stored.on_demand) == ("annex3", "submit", True)
    assert stored.made_by == never_stored.created_by, "who took the event, not who downloaded"
    assert first["X-Document-SHA256"] == stored.sha256
    with mock.patch("subsidies.documents.render_pdf", side_effect=AssertionError("rendered")):
        second = client.get(reverse("subsidies:annex3_pdf", args=[never_stored.pk]))
    assert second.content == first.content


def test_a_damaged_copy_is_never_served_and_is_made_again(submitted: Claim, caplog: pytest.LogCaptureFixture) -> None:
    stored = StoredDocument.objects.get(kind="annex2")
    with stored.file.open("wb") as file:
        file.write(b"not a token")
    with caplog.at_level(logging.ERROR):
        response = _client(submitted.created_by).get(reverse("subsidies:annex2_pdf", args=[submitted.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "无法读取" in caplog.text
    again = StoredDocument.objects.get(kind="annex2")
    assert again.pk != stored.pk and again.on_demand and again.sha256 == response["X-Document-SHA256"]


def test_the_store_changes_nobody_s_access(submitted: Claim, clerk: User) -> None:
    for name in ("annex2_pdf", "annex3_pdf"):
        url = reverse(f"subsidies:{name}", args=[submitted.pk])
        other_party = UserFactory(third_party_user=True, third_party=ThirdPartyFactory(verified=True))
        employer_user = UserFactory(employer_user=True, employer=submitted.employer)
        for user in (other_party, clerk, UserFactory(district_reviewer=True), employer_user, UserFactory(admin=True)):
            assert _client(user).get(url).status_code == 404, user.role
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and "X-Document-SHA256" not in anonymous
    assert not PersonalDataAccess.objects.exists()


# ---- The public check -------------------------------------------------------------------------------------------


def _verify(claim: Claim) -> str:
    return reverse("subsidies:verify", args=[claim.verification_code])


def _check(claim: Claim, **data: Any) -> Any:
    return Client().post(reverse("subsidies:verify_paper", args=[claim.verification_code]), data)


def _stored_pdf(kind: str = "annex2") -> bytes:
    pdf = stored_documents.read(StoredDocument.objects.get(kind=kind))
    assert pdf is not None
    return pdf


def test_the_check_lists_the_stored_copies_without_personal_data(submitted: Claim) -> None:
    page = Client().get(_verify(submitted)).content.decode()
    for document in StoredDocument.objects.all():
        assert document.sha256[:16] in page and document.sha256 not in page
    assert "附件2 卓越工程师引进补助申报表" in page and "附件3 用人单位引进人才确认表" in page and "提交申报" in page
    party = submitted.third_party
    for secret in (party.id_number, submitted.bank_account, *(i.hire.id_number for i in submitted.items.all())):
        assert secret not in page
    # The form that types the code shows the same.
    typed = Client().get(reverse("subsidies:verify_form"), {"code": submitted.verification_code}).content.decode()
    assert StoredDocument.objects.first().sha256[:16] in typed  # type: ignore[union-attr]


def test_a_stored_paper_matches(submitted: Claim) -> None:
    stored = StoredDocument.objects.get(kind="annex3")
    response = _check(submitted, pdf=SimpleUploadedFile("scan.pdf", _stored_pdf("annex3"), "application/pdf"))
    assert response.status_code == 200
    text = response.content.decode()
    made = timezone.localtime(stored.made_at)
    assert f"与平台存档一致：附件3 用人单位引进人才确认表（提交申报）于{made.year}年{made.month}月{made.day}日" in text
    assert submitted.third_party.id_number not in text and submitted.bank_account not in text


def test_a_pasted_digest_matches_in_any_spelling(submitted: Claim) -> None:
    digest = StoredDocument.objects.get(kind="annex2").sha256
    spaced = " ".join(digest[i : i + 8] for i in range(0, 64, 8)).upper()
    assert "与平台存档一致" in _check(submitted, sha256=spaced).content.decode()


def test_an_altered_paper_does_not_match(submitted: Claim) -> None:
    original = _stored_pdf()
    altered = original.replace(b"30,000.00", b"80,000.00")
    assert altered != original
    response = _check(submitted, pdf=SimpleUploadedFile("a.pdf", altered, "application/pdf"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "与平台存档不一致" in text and hashlib.sha256(altered).hexdigest() in text


def test_another_claims_paper_does_not_match_this_claim(submitted: Claim, individual: User) -> None:
    other = ClaimFactory(by=individual, amounts=("1000",), submitted=True)
    _client(individual).get(reverse("subsidies:annex2_pdf", args=[other.pk]))
    theirs = StoredDocument.objects.get(object_id=other.pk, kind="annex2").sha256
    assert "与平台存档不一致" in _check(submitted, sha256=theirs).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "请选择要核验的PDF文件，或填写其SHA-256校验值。"),
        ({"sha256": "abc123"}, "SHA-256校验值应为64位十六进制字符"),
        ({"sha256": "g" * 64}, "SHA-256校验值应为64位十六进制字符"),
        ({"pdf": SimpleUploadedFile("x.pdf", b"\x89PNG\r\n\x1a\n" + bytes(100), "application/pdf")}, "只能核验PDF文件"),
        ({"pdf": SimpleUploadedFile("x.pdf", b"", "application/pdf")}, "文件是空的"),
    ],
)
def test_what_cannot_be_checked_is_said_in_chinese(submitted: Claim, data: dict[str, Any], message: str) -> None:
    response = _check(submitted, **data)
    assert response.status_code == 400 and message in response.content.decode()


def test_a_file_over_the_limit_is_refused(submitted: Claim, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "MAX_CHECKED_BYTES", 1024)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + bytes(2048), "application/pdf")
    response = _check(submitted, pdf=big)
    assert response.status_code == 400 and "文件超过" in response.content.decode()


def test_an_unknown_code_cannot_be_checked(submitted: Claim) -> None:
    response = Client().post(reverse("subsidies:verify_paper", args=["000000000000"]), {"sha256": "0" * 64})
    assert response.status_code == 404


def test_checks_count_against_the_addresss_limit(submitted: Claim, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("subsidies.views.documents.VERIFICATIONS_PER_MINUTE", 2)
    cache.clear()
    statuses = [_check(submitted, sha256="0" * 64).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert Client().get(_verify(submitted)).status_code == 429, "one limit for codes and papers"


def test_the_check_needs_a_post(submitted: Claim) -> None:
    assert Client().get(reverse("subsidies:verify_paper", args=[submitted.verification_code])).status_code == 405


# ---- Retention and keys -----------------------------------------------------------------------------------------


def test_anonymising_the_claim_deletes_its_copies_and_it_never_gets_one_again(
    individual: User, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        paid = ClaimFactory(by=individual, amounts=("30000",), paid=True)
    hire = paid.items.get().hire
    copies = list(StoredDocument.objects.filter(object_id=paid.pk))
    assert len(copies) == 2 and all(c.file.storage.exists(c.file.name) for c in copies)

    later = timezone.now() + datetime.timedelta(days=7 * 366)
    with django_capture_on_commit_callbacks(execute=True):
        anonymise_expired(now=later)
    paid.refresh_from_db()
    assert paid.anonymised_at is not None
    assert not StoredDocument.objects.filter(object_id=paid.pk).exists()
    assert not any(c.file.storage.exists(c.file.name) for c in copies), "the files went after the commit"
    assert Hire.objects.get(pk=hire.pk).anonymised_at is not None

    response = _client(UserFactory(bureau=True)).get(reverse("subsidies:annex3_pdf", args=[paid.pk]))
    assert response.status_code == 200 and "X-Document-SHA256" not in response
    assert not StoredDocument.objects.exists(), "an anonymised claim is rendered, never stored again"


def test_rotating_the_keys_reencrypts_every_copy(submitted: Claim, settings: Settings) -> None:
    before = {d.pk: stored_documents.read(d) for d in StoredDocument.objects.all()}
    old_names = {d.pk: d.file.name for d in StoredDocument.objects.all()}
    new_key = Fernet.generate_key().decode()
    settings.PORTAL_FIELD_KEYS = f"{new_key},{settings.PORTAL_FIELD_KEYS}"
    assert stored_documents.reencrypt_stored_documents() == 2
    settings.PORTAL_FIELD_KEYS = new_key  # the old key dropped
    for document in StoredDocument.objects.all():
        assert document.file.name != old_names[document.pk]
        assert not document.file.storage.exists(old_names[document.pk])
        assert stored_documents.read(document) == before[document.pk]


def test_the_sweep_stores_what_a_lost_kick_left_and_only_the_latest_event(never_stored: Claim) -> None:
    later = timezone.now() + datetime.timedelta(minutes=5)
    assert documents.claim_papers_sweep(now=timezone.now()) == 0, "its own task still has its turn"
    assert documents.claim_papers_sweep(now=later) == 2
    assert _copies(never_stored) == [("annex2", "submit"), ("annex3", "submit")]
    assert documents.claim_papers_sweep(now=later) == 0, "nothing left to do"
    assert documents.claim_papers_sweep(now=later + datetime.timedelta(days=3)) == 0, "too old: left to the download"


def test_the_beat_runs_the_sweeps(settings: Settings) -> None:
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"subsidies.tasks.sweep_claim_papers", "referrals.tasks.sweep_notice_papers"} <= tasks
