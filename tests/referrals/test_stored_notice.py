"""The publicity notice's stored copy (referrals.documents): stored at publication, served from its file, made at
the first download when missing, gone when a hire on it is anonymised."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal import documents as stored_documents
from portal.models import AnonymisationRun, District, StoredDocument, User
from referrals import documents
from referrals.models import PublicityNotice
from referrals.retention import anonymise_hires
from referrals.services import notice_publish
from tests.factories import EmployerFactory, HireFactory, PositionFactory

pytestmark = pytest.mark.django_db

PUBLISHING_DAY = datetime.datetime(2026, 2, 12, 1, tzinfo=datetime.UTC)
DURING = datetime.datetime(2026, 2, 13, 10, tzinfo=datetime.UTC)
Capture = Callable[..., Any]


@pytest.fixture(autouse=True)
def _fast_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real layout is tested in test_documents.py; here what is stored and served is under test.
    monkeypatch.setattr("portal.pdf.html_to_pdf", lambda html: b"%PDF-1.7\n" + html.encode() + b"\n%%EOF\n")
    cache.clear()


def _publish(district: District, clerk: User) -> PublicityNotice:
    employer = EmployerFactory(district=district)
    position = PositionFactory(batch__district=district, employer=employer, published=True)
    hires = [HireFactory(position=position, audited=True, name=name) for name in ("张三", "李四")]
    return notice_publish(hires=hires, published_on=datetime.date(2026, 2, 12), title="", by=clerk, now=PUBLISHING_DAY)


@pytest.fixture
def published(district: District, clerk: User, django_capture_on_commit_callbacks: Capture) -> PublicityNotice:
    with django_capture_on_commit_callbacks(execute=True):
        return _publish(district, clerk)


def _download(notice: PublicityNotice) -> Any:
    with mock.patch("django.utils.timezone.now", return_value=DURING):
        return Client().get(reverse("referrals:notice_pdf", args=[notice.pk]))


def test_the_publication_stores_the_notice(published: PublicityNotice, clerk: User) -> None:
    document = StoredDocument.objects.get()
    assert (document.kind, document.event, document.event_id, document.made_by) == ("notice", "publish", 0, clerk)
    assert not document.on_demand
    pdf = stored_documents.read(document)
    assert pdf is not None and "张三".encode() in pdf
    page = f"{settings.PORTAL_BASE_URL.rstrip('/')}/publicity/{published.pk}/"
    assert page.encode() in pdf, "the page on the portal's public address"


def test_the_download_is_the_stored_copy_without_rendering(published: PublicityNotice) -> None:
    stored = StoredDocument.objects.get()
    with mock.patch("referrals.documents.render_pdf", side_effect=AssertionError("rendered")) as render:
        response = _download(published)
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == stored.sha256 == response["X-Document-SHA256"]
    assert response["ETag"] == f'"{stored.sha256}"'
    render.assert_not_called()


def test_a_notice_published_before_the_store_is_stored_at_its_first_download(district: District, clerk: User) -> None:
    notice = _publish(district, clerk)  # the task never ran
    first = _download(notice)
    stored = StoredDocument.objects.get()
    assert stored.on_demand and stored.made_by == clerk and first["X-Document-SHA256"] == stored.sha256
    with mock.patch("referrals.documents.render_pdf", side_effect=AssertionError("rendered")):
        assert _download(notice).content == first.content


def test_the_store_changes_who_may_download(published: PublicityNotice) -> None:
    with mock.patch("django.utils.timezone.now", return_value=published.closes_at):
        assert Client().get(reverse("referrals:notice_pdf", args=[published.pk])).status_code == 404


def test_anonymising_a_hire_deletes_the_notices_copies(published: PublicityNotice) -> None:
    stored = StoredDocument.objects.get()
    hire = published.hires.order_by("pk").first()
    assert hire is not None
    run = AnonymisationRun(started_at=timezone.now(), hire_years=5, claim_years=5, hires_up_to_year=2026)
    anonymise_hires([hire.pk], run=run, now=timezone.now())
    assert not StoredDocument.objects.exists()
    stored_documents.forget(PublicityNotice, [])  # nothing named: nothing happens
    assert stored.sha256
    again = _download(published)
    assert again.status_code == 200 and "张三".encode() not in again.content
    assert StoredDocument.objects.get().on_demand, "stored again as it now reads"


def test_the_sweep_stores_a_notice_whose_kick_was_lost(district: District, clerk: User) -> None:
    notice = _publish(district, clerk)
    later = timezone.now() + datetime.timedelta(minutes=5)
    assert documents.notice_papers_sweep(now=timezone.now()) == 0
    assert documents.notice_papers_sweep(now=later) == 1
    assert StoredDocument.objects.get().object_id == notice.pk
    assert documents.notice_papers_sweep(now=later) == 0
