"""The claim's scans (subsidies.attachments): a PDF carrying anything but the document is refused, and every
file is served back as a download only."""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse

from portal.errors import PortalError
from portal.models import User
from portal.security.crypto import decrypt_bytes, encrypt_bytes
from subsidies import attachments
from subsidies.attachments import PDF_ACTIVE_CONTENT, pdf_active_content, sniff
from subsidies.models import Claim, ClaimAttachment
from tests.factories import SIGNED_SCAN, attach_signed_annexes, claimable_hire, pdf_document

JS = "<< /S /JavaScript /JS (app.alert\\(1\\)) >>"

HOSTILE = {
    "OpenAction JavaScript": pdf_document(catalog="/OpenAction 4 0 R", objects=[JS]),
    "OpenAction JavaScript, direct": pdf_document(catalog=f"/OpenAction {JS}"),
    "JavaScript name tree": pdf_document(
        catalog="/Names << /JavaScript 4 0 R >>", objects=["<< /Names [(a) 5 0 R] >>", JS]
    ),
    "page /AA JavaScript": pdf_document(page="/AA << /O 4 0 R >>", objects=[JS]),
    "annotation /AA JavaScript": pdf_document(
        page="/Annots [4 0 R]",
        objects=[f"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /AA << /E {JS} >> >>"],
    ),
    # Names may be written with #xx escapes: /J#61vaScript is /JavaScript, /J#53 is /JS.
    "escaped names": pdf_document(catalog="/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"),
    "Launch": pdf_document(catalog="/OpenAction << /S /Launch /F (calc.exe) >>"),
    "EmbeddedFiles": pdf_document(
        catalog="/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>",
        objects=["<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>", "<< /Type /EmbeddedFile /Length 0 >>"],
    ),
    "file attachment annotation": pdf_document(
        page="/Annots [4 0 R]",
        objects=["<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10] /FS (a.exe) >>"],
    ),
    "XFA form": pdf_document(catalog="/AcroForm << /Fields [] /XFA 4 0 R >>", objects=["<< /Length 0 >>"]),
    # Not reachable from the catalogue, but listed in the cross-reference table: a repairing viewer may find it.
    "orphan JavaScript object": pdf_document(objects=[JS]),
}


def _object_stream_pdf() -> bytes:
    """The JavaScript action inside a compressed object stream (PDF 1.5), referred to from /OpenAction: no byte of
    the file spells /JavaScript."""
    inner = JS.encode()
    header = b"4 0 "
    stream = zlib.compress(header + inner)
    bodies: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    offsets.append(len(out))
    out += (
        f"5 0 obj\n<< /Type /ObjStm /N 1 /First {len(header)} /Filter /FlateDecode /Length {len(stream)} >>\nstream\n"
    ).encode()
    out += stream + b"\nendstream\nendobj\n"
    # A cross-reference stream: object 4 is entry 0 of object stream 5.
    rows = [b"\x00\x00\x00\xff\xff"] + [b"\x01" + offset.to_bytes(3, "big") + b"\x00" for offset in offsets[:3]]
    rows += [b"\x02\x00\x00\x05\x00", b"\x01" + offsets[3].to_bytes(3, "big") + b"\x00"]
    xref_offset = len(out)
    rows.append(b"\x01" + xref_offset.to_bytes(3, "big") + b"\x00")
    data = b"".join(rows)
    out += (f"6 0 obj\n<< /Type /XRef /Size 7 /W [1 3 1] /Root 1 0 R /Length {len(data)} >>\nstream\n").encode()
    out += data + b"\nendstream\nendobj\n"
    out += f"startxref\n{xref_offset}\n%%EOF\n".encode()
    assert b"JavaScript" not in out
    return bytes(out)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_pdf_with_active_content_is_refused(name: str) -> None:
    with pytest.raises(PortalError) as caught:
        sniff(HOSTILE[name])
    assert (caught.value.message, caught.value.code) == (PDF_ACTIVE_CONTENT, "pdf_active_content")


def test_javascript_in_a_compressed_object_stream_is_found() -> None:
    assert pdf_active_content(_object_stream_pdf()) == "JavaScript"


def test_a_plain_scan_and_the_portals_own_pdfs_pass() -> None:
    assert sniff(SIGNED_SCAN) == "application/pdf"
    # A link is not an action that runs anything.
    linked = pdf_document(
        page="/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI (https://example.org/) >> >>]"
    )
    assert pdf_active_content(linked) is None


def test_a_pdf_printed_by_the_portal_passes() -> None:
    """What a claimant may upload when no scanner is at hand: a PDF printed by WeasyPrint, as the portal prints
    its annexes."""
    from portal.pdf import html_to_pdf

    pdf = html_to_pdf("<html><body><h1>卓越工程师引进补助申报表</h1><p>签字：</p></body></html>")
    assert sniff(pdf) == "application/pdf"


def test_a_pdf_pypdf_cannot_read_is_refused_as_damaged() -> None:
    with pytest.raises(PortalError) as caught:
        sniff(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    assert caught.value.code == "file_damaged"


# ---------------------------------------------------------------------------------------------------------------
# Through the pages


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def claim(headhunter: User, employer: Any) -> Claim:
    hire = claimable_hire(headhunter.third_party, employer)
    client = _client(headhunter)
    data = {"employer_contact": "张经理", "employer_phone": "023-45678901"}
    data |= {"declares_introduced": "on", "declares_good_credit": "on", "declares_truthful": "on"}
    data |= {f"hire_{hire.pk}": "on", f"amount_{hire.pk}": "30000"}
    response = client.post(reverse("subsidies:claim_create") + f"?employer={employer.pk}", data)
    assert response.status_code == 302
    return Claim.objects.latest("pk")


def test_the_upload_page_refuses_a_scripted_annex2_and_keeps_nothing(headhunter: User, claim: Claim) -> None:
    response = _client(headhunter).post(
        reverse("subsidies:attachment_upload", args=[claim.pk]),
        {"kind": "annex2", "file": SimpleUploadedFile("附件2.pdf", HOSTILE["OpenAction JavaScript"])},
        follow=True,
    )
    assert f"附件2.pdf：{PDF_ACTIVE_CONTENT}" in response.content.decode()
    assert not claim.attachments.exists()


@pytest.mark.parametrize(("name", "content"), [("附件2 签字盖章.pdf", SIGNED_SCAN), ('确认表"<x>.png', None)])
def test_every_attachment_is_served_as_a_sandboxed_download(
    headhunter: User, claim: Claim, name: str, content: bytes | None
) -> None:
    import io

    from PIL import Image

    if content is None:
        buffer = io.BytesIO()
        Image.new("RGB", (20, 20), "white").save(buffer, format="PNG")
        content = buffer.getvalue()
    attachment = attachments.attachment_add(claim=claim, kind="other", upload=content, filename=name, by=headhunter)
    for user in (headhunter,):
        response = _client(user).get(reverse("subsidies:attachment_download", args=[claim.pk, attachment.pk]))
        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment; ") and "inline" not in disposition
        extension = name.rpartition(".")[2]
        assert f'filename="{claim.reference}-{attachment.pk}.{extension}"' in disposition
        from urllib.parse import quote

        assert disposition.endswith(f"filename*=UTF-8''{quote(name, safe='')}")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
        assert response["Cache-Control"] == "private, no-store"
        assert isinstance(response, StreamingHttpResponse)
        assert b"".join(response.streaming_content) == content


def test_the_signed_annexes_of_a_submitted_claim_download_too(headhunter: User, centre: User, claim: Claim) -> None:
    """The reviewers at the city get the same download, never an inline view."""
    attach_signed_annexes(claim, headhunter)
    assert _client(headhunter).post(reverse("subsidies:claim_submit", args=[claim.pk])).status_code == 302
    for attachment in claim.attachments.all():
        response = _client(centre).get(reverse("subsidies:attachment_download", args=[claim.pk, attachment.pk]))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment; ")
        assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


# --- encrypted at rest --------------------------------------------------------------------------------------------


def _on_disk(attachment: ClaimAttachment) -> bytes:
    attachment.refresh_from_db()
    with attachment.file.storage.open(attachment.file.name, "rb") as file:
        return file.read()


def _downloaded(user: User, attachment: ClaimAttachment) -> bytes:
    response = _client(user).get(reverse("subsidies:attachment_download", args=[attachment.claim_id, attachment.pk]))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_scan_uploaded_through_the_page_is_encrypted_on_disk_and_served_as_uploaded(
    headhunter: User, centre: User, claim: Claim
) -> None:
    response = _client(headhunter).post(
        reverse("subsidies:attachment_upload", args=[claim.pk]),
        {"kind": "annex2", "file": SimpleUploadedFile("附件2.pdf", SIGNED_SCAN)},
    )
    assert response.status_code == 302
    attachment = claim.attachments.get()
    stored = _on_disk(attachment)
    assert b"%PDF" not in stored and SIGNED_SCAN not in stored
    assert decrypt_bytes(stored) == SIGNED_SCAN
    assert attachment.size == len(SIGNED_SCAN)
    assert attachment.sha256 == hashlib.sha256(SIGNED_SCAN).hexdigest()
    assert _downloaded(headhunter, attachment) == SIGNED_SCAN
    # The reviewers' download (from the review page) is the same decrypted scan.
    attach_signed_annexes(claim, headhunter)
    assert _client(headhunter).post(reverse("subsidies:claim_submit", args=[claim.pk])).status_code == 302
    for each in claim.attachments.all():
        assert _downloaded(centre, each) == SIGNED_SCAN


def test_a_scan_uploaded_through_the_api_is_encrypted_on_disk_and_served_as_uploaded(
    headhunter: User, claim: Claim
) -> None:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(headhunter)
    image = _png()
    upload = SimpleUploadedFile("确认表.png", image, content_type="image/png")
    response = client.post(f"/api/v1/claims/{claim.pk}/attachments/", {"kind": "annex3", "file": upload})
    assert response.status_code == 201, response.content
    attachment = ClaimAttachment.objects.get(pk=response.json()["id"])
    stored = _on_disk(attachment)
    assert b"PNG" not in stored and image not in stored
    assert _downloaded(headhunter, attachment) == image


def test_the_type_check_still_reads_the_plaintext(headhunter: User, claim: Claim) -> None:
    with pytest.raises(PortalError, match="PDF、JPG或PNG"):
        attachments.attachment_add(
            claim=claim, kind="other", upload=encrypt_bytes(SIGNED_SCAN), filename="a.pdf", by=headhunter
        )
    with pytest.raises(PortalError) as refused:
        attachments.attachment_add(claim=claim, kind="other", upload=HOSTILE["Launch"], filename="a.pdf", by=headhunter)
    assert refused.value.code == "pdf_active_content"


def test_the_migration_encrypts_plaintext_scans_in_place_once(
    headhunter: User, claim: Claim, django_capture_on_commit_callbacks: Any
) -> None:
    """A scan stored before encryption: the migration step writes it encrypted, deletes the plaintext file, and a
    second run changes nothing."""
    import importlib

    from django.apps import apps

    step = importlib.import_module("subsidies.migrations.0005_scans_encrypted_at_rest")
    old = ClaimAttachment.objects.create(
        claim=claim,
        kind="annex2",
        stored_name="plain.pdf",
        file=SimpleUploadedFile("plain.pdf", SIGNED_SCAN),
        original_name="附件2.pdf",
        content_type="application/pdf",
        size=len(SIGNED_SCAN),
        sha256=hashlib.sha256(SIGNED_SCAN).hexdigest(),
        uploaded_by=headhunter,
    )
    plaintext_name = old.file.name
    storage = old.file.storage
    already = attachments.attachment_add(claim=claim, kind="other", upload=_png(), filename="b.png", by=headhunter)
    already_name, already_bytes = already.file.name, _on_disk(already)

    with django_capture_on_commit_callbacks(execute=True):
        step.encrypt_existing(apps, None)
    stored = _on_disk(old)
    assert old.file.name != plaintext_name and not storage.exists(plaintext_name)
    assert b"%PDF" not in stored and decrypt_bytes(stored) == SIGNED_SCAN
    assert _downloaded(headhunter, old) == SIGNED_SCAN
    assert (already.file.name, _on_disk(already)) == (already_name, already_bytes)  # left as it was

    name = old.file.name
    with django_capture_on_commit_callbacks(execute=True):
        step.encrypt_existing(apps, None)
    assert _on_disk(old) == stored and old.file.name == name

    # Backwards: the plaintext back for the code before it.
    with django_capture_on_commit_callbacks(execute=True):
        step.decrypt_existing(apps, None)
    assert _on_disk(old) == SIGNED_SCAN and not storage.exists(name)


def test_rotation_re_encrypts_the_scans_with_the_newest_key(
    headhunter: User, claim: Claim, django_capture_on_commit_callbacks: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from cryptography.fernet import Fernet
    from django.core.management import call_command
    from django.test import override_settings

    from portal.settings.development_keys import DEVELOPMENT_FIELD_KEY

    attachment = attachments.attachment_add(
        claim=claim, kind="annex2", upload=SIGNED_SCAN, filename="附件2.pdf", by=headhunter
    )
    before = attachment.file.name
    new_key = Fernet.generate_key().decode()
    with override_settings(PORTAL_FIELD_KEYS=[new_key, DEVELOPMENT_FIELD_KEY]):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("rotate_field_keys")
        assert "subsidies.ClaimAttachment的文件 1个" in capsys.readouterr().out
    stored = _on_disk(attachment)
    assert not attachment.file.storage.exists(before)
    assert Fernet(new_key.encode()).decrypt(stored) == SIGNED_SCAN
    with override_settings(PORTAL_FIELD_KEYS=[new_key]):  # the old key can go
        assert _downloaded(headhunter, attachment) == SIGNED_SCAN


@pytest.mark.parametrize("damage", ["missing", "damaged"])
def test_a_scan_whose_file_cannot_be_read_gets_a_clear_page_not_a_500(
    headhunter: User, claim: Claim, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    attachment = attachments.attachment_add(
        claim=claim, kind="other", upload=SIGNED_SCAN, filename="附件2.pdf", by=headhunter
    )
    storage, name = attachment.file.storage, attachment.file.name
    if damage == "missing":
        storage.delete(name)
    else:
        with storage.open(name, "wb") as file:
            file.write(b"gAAAAA-not-a-token")
    response = _client(headhunter).get(reverse("subsidies:attachment_download", args=[claim.pk, attachment.pk]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "材料“附件2.pdf”的文件无法读取（已缺失或损坏）" in page and "从备份中恢复" in page
    assert any("无法读取" in record.getMessage() for record in caplog.records if record.levelname == "ERROR")
