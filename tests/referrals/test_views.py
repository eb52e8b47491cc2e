"""The public publicity pages: what a visitor sees, what never shows, and objections with a receipt."""

from __future__ import annotations

import datetime
from contextlib import AbstractContextManager
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from referrals.models import Objection, PublicityNotice
from referrals.services import HireData, hire_move, hire_record, notice_publish
from tests.factories import DistrictFactory, PositionFactory, UserFactory, make_id_number

pytestmark = pytest.mark.django_db
#: The morning of Thursday 12 February 2026 in Chongqing: the notices below are published that day.
PUBLISHING_DAY = datetime.datetime(2026, 2, 12, 1, tzinfo=datetime.UTC)


@pytest.fixture
def notice() -> PublicityNotice:
    cache.clear()
    district = DistrictFactory()
    clerk = UserFactory(clerk=True, district=district)
    reviewer = UserFactory(district_reviewer=True, district=district)
    position = PositionFactory(batch__district=district, published=True)
    hire = hire_record(
        data=HireData(
            position=position,
            name="张三",
            id_number=make_id_number(7),
            mode="full_time",
            contract_term="3年",
            school="重庆大学",
            education="master",
            work_experience="2018年起从事工程研发",
        ),
        by=clerk,
    )
    hire_move(hire=hire, action="audit", by=reviewer)
    return notice_publish(hires=[hire], published_on=datetime.date(2026, 2, 12), title="", by=clerk, now=PUBLISHING_DAY)


def _during() -> AbstractContextManager[object]:
    return mock.patch("django.utils.timezone.now", return_value=datetime.datetime(2026, 2, 13, 10, tzinfo=datetime.UTC))


def test_the_public_notice_shows_the_person_but_never_the_id_number(notice: PublicityNotice) -> None:
    hire = notice.hires.get()
    with _during():
        listing = Client().get(reverse("referrals:publicity_list")).content.decode()
        page = Client().get(reverse("referrals:publicity_detail", args=[notice.pk])).content.decode()
    assert notice.title in listing
    assert "2026年2月25日" in page and "张三" in page and "重庆大学" in page and "硕士" in page
    assert hire.id_number not in page and hire.id_number[-4:] not in page


def test_a_notice_leaves_public_view_when_its_publicity_ends(notice: PublicityNotice) -> None:
    with mock.patch("django.utils.timezone.now", return_value=notice.closes_at):
        assert notice.title not in Client().get(reverse("referrals:publicity_list")).content.decode()
        assert Client().get(reverse("referrals:publicity_detail", args=[notice.pk])).status_code == 404


def test_an_objection_gets_a_receipt_and_is_rate_limited(notice: PublicityNotice) -> None:
    hire = notice.hires.get()
    url = reverse("referrals:publicity_detail", args=[notice.pk])
    payload = {
        "hire": hire.pk,
        "name": "王五",
        "phone": "13800000000",
        "statement": "该人员学历信息与实际不符，请核查。",
    }
    with _during():
        response = Client().post(url, payload, follow=True)
        assert "回执编号" in response.content.decode()
        assert Objection.objects.filter(hire=hire).count() == 1
        short = Client().post(url, payload | {"statement": "不行"}).content.decode()
        assert "至少10个字" in short
        for _ in range(10):
            Client().post(url, payload)
        assert Objection.objects.filter(hire=hire).count() < 6
    assert timezone.is_aware(notice.closes_at)
