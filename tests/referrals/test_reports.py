"""每旬上报: the district's 旬 report of confirmed hires, on time or late, once; the city's view of who has."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import DjangoAssertNumQueries

from portal.calendar import TenDayPeriod
from portal.errors import PermissionDenied, PortalError
from portal.models import District, User
from referrals.models import Hire, HireReport
from referrals.selectors import city_hire_reports
from referrals.services import hire_report_send
from tests.factories import DistrictFactory, HireFactory, UserFactory

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
PERIOD = TenDayPeriod.parse("2026-11-2")  # 11–20 Nov 2026


def _at(day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, tzinfo=UTC)


def _confirmed(district: District, day: int) -> Hire:
    return HireFactory(position__batch__district=district, confirmed=True, confirmed_at=_at(day))


def test_the_report_carries_every_hire_confirmed_since_the_last_one(district: District, reviewer: User) -> None:
    early, inside = _confirmed(district, 5), _confirmed(district, 15)
    later = _confirmed(district, 22)  # after the 旬: the next report's
    other = HireFactory(confirmed=True, confirmed_at=_at(15))  # another district's
    report = hire_report_send(district=district, period=PERIOD, by=reviewer, now=_at(20))
    assert set(report.hires.all()) == {early, inside}
    assert not report.is_late
    later.refresh_from_db()
    other.refresh_from_db()
    assert later.report is None and other.report is None


def test_a_report_after_the_ten_days_is_late_and_there_is_one_per_period(district: District, reviewer: User) -> None:
    _confirmed(district, 12)
    report = hire_report_send(district=district, period=PERIOD, by=reviewer, now=_at(21))
    assert report.is_late and report.hires.count() == 1
    with pytest.raises(PortalError, match="已报送"):
        hire_report_send(district=district, period=PERIOD, by=reviewer, now=_at(22))


def test_a_report_with_nothing_new_is_a_zero_report(district: District, reviewer: User) -> None:
    report = hire_report_send(district=district, period=PERIOD, by=reviewer, now=_at(20))
    assert report.hires.count() == 0
    state = next(row for row in city_hire_reports(period=PERIOD, now=_at(25)) if row.district == district)
    assert state.state == "zero"


def test_only_the_districts_reviewer_sends(district: District, clerk: User) -> None:
    with pytest.raises(PermissionDenied):
        hire_report_send(district=district, period=PERIOD, by=clerk, now=_at(20))
    with pytest.raises(PermissionDenied):
        hire_report_send(
            district=district, period=PERIOD, by=UserFactory(district_reviewer=True, district=DistrictFactory())
        )
    assert not HireReport.objects.exists()


def test_the_city_sees_sent_late_and_missing(
    district: District, reviewer: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    late_district, silent_district = DistrictFactory(), DistrictFactory()
    hire_report_send(district=district, period=PERIOD, by=reviewer, now=_at(19))
    hire_report_send(
        district=late_district,
        period=PERIOD,
        by=UserFactory(district_reviewer=True, district=late_district),
        now=_at(23),
    )
    with django_assert_num_queries(2):
        rows = {row.district: row.state for row in city_hire_reports(period=PERIOD, now=_at(25))}
    assert rows[district] == "zero" and rows[late_district] == "late"
    assert rows[silent_district] == "missing"
    with mock.patch("django.utils.timezone.now", return_value=_at(25)):
        client = Client()
        client.force_login(UserFactory(bureau=True))
        page = client.get(reverse("referrals:report_city"), {"period": str(PERIOD)}).content.decode()
    assert "逾期报送" in page and "未报送" in page


def test_the_district_report_page_sends(district: District, reviewer: User) -> None:
    hire = _confirmed(district, 12)
    client = Client()
    client.force_login(reviewer)
    with mock.patch("django.utils.timezone.now", return_value=_at(18)):
        page = client.get(reverse("referrals:report_district"), {"period": str(PERIOD)}).content.decode()
        assert hire.name in page and "报送2026年11月中旬入职结果" in page
        client.post(reverse("referrals:report_district") + f"?period={PERIOD}", {"period": str(PERIOD)})
    hire.refresh_from_db()
    assert hire.report is not None and hire.report.period == str(PERIOD)
