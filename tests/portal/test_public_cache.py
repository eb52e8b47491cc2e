"""portal.web.public_cache: what the public reads most is shared for a few seconds between anonymous readers, never with
a signed-in one, never past a notice's close, and every reader still gets a CSRF token of its own."""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from referrals.models import PublicityNotice
from referrals.selectors import notice_public_next_change
from referrals.services import HireData, hire_move, hire_record, notice_publish
from tests.factories import DistrictFactory, PositionFactory, UserFactory, make_id_number

pytestmark = pytest.mark.django_db
#: Thursday 12 February 2026, 09:00 in Chongqing: the notices below are published that day.
PUBLISHING_DAY = datetime.datetime(2026, 2, 12, 1, tzinfo=datetime.UTC)
#: The next morning, when a second notice is published (dated that day) while the first still runs.
DURING = datetime.datetime(2026, 2, 13, 2, tzinfo=datetime.UTC)
_PEOPLE = itertools.count(1)
TOKEN = re.compile(r'<meta name="csrf-token" content="([A-Za-z0-9]+)">')


@pytest.fixture(autouse=True)
def _cache_on(settings: Settings) -> Iterator[None]:
    settings.PUBLIC_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def _notice(
    name: str, *, published_on: datetime.date | None = None, now: datetime.datetime = PUBLISHING_DAY
) -> PublicityNotice:
    district = DistrictFactory()
    clerk = UserFactory(clerk=True, district=district)
    position = PositionFactory(batch__district=district, published=True)
    data = HireData(
        position=position,
        name=name,
        id_number=make_id_number(next(_PEOPLE)),
        mode="full_time",
        contract_term="3年",
        work_experience="2016年起从事工程研发",
    )
    hire = hire_record(data=data, by=clerk)
    hire_move(hire=hire, action="audit", by=UserFactory(district_reviewer=True, district=district))
    published_on = published_on or PUBLISHING_DAY.date()
    return notice_publish(hires=[hire], published_on=published_on, title=f"{name}的公示", by=clerk, now=now)


def _token(page: str) -> str:
    match = TOKEN.search(page)
    assert match is not None, page
    return match.group(1)


def _at(moment: datetime.datetime) -> AbstractContextManager[object]:
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_anonymous_readers_share_a_copy_for_a_few_seconds_signed_in_ones_never() -> None:
    _notice("张三")
    url = reverse("referrals:publicity_list")
    with _at(DURING):
        assert "张三的公示" in Client().get(url).content.decode()
        _notice("李四", published_on=PUBLISHING_DAY.date() + datetime.timedelta(days=1), now=DURING)
        # Another anonymous reader gets the copy: the new notice shows once it expires.
        assert "李四的公示" not in Client().get(url).content.decode()
        signed_in = Client()
        signed_in.force_login(UserFactory(clerk=True))
        assert "李四的公示" in signed_in.get(url).content.decode()
        cache.clear()
        assert "李四的公示" in Client().get(url).content.decode()


def test_each_reader_of_a_shared_copy_gets_its_own_working_csrf_token() -> None:
    notice = _notice("张三")
    url = reverse("referrals:publicity_detail", args=[notice.pk])
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    with _at(DURING):
        first_page = first.get(url).content.decode()
        with mock.patch("referrals.views.public.render") as render:
            second_reply = second.get(url)
        render.assert_not_called()  # served from the copy
    second_page = second_reply.content.decode()
    assert "张三" in second_page
    tokens = [_token(page) for page in (first_page, second_page)]
    assert tokens[0] != tokens[1] and "@@" not in second_page
    # The second reader's own token (and the cookie that came with it) passes the CSRF check of the objection form.
    assert second_reply.cookies.get("csrftoken")
    objection = {
        "csrfmiddlewaretoken": tokens[1],
        "hire": notice.hires.get().pk,
        "name": "王五",
        "phone": "13800000000",
        "statement": "该人员学历信息与实际不符，请核查。",
    }
    with _at(DURING):
        assert second.post(url, objection).status_code == 302
        assert first.post(url, objection).status_code == 403  # another reader's token is refused, as always


def test_a_copy_never_outlives_the_publicity_it_shows() -> None:
    notice = _notice("张三")
    # Five seconds before the close, a copy is kept five seconds, not the setting's sixty.
    with _at(notice.closes_at - datetime.timedelta(seconds=5)), mock.patch("portal.web.public_cache.cache") as fake:
        fake.get.return_value = None
        Client().get(reverse("referrals:publicity_list"))
    assert fake.set.call_args.args[2] == 5
    with _at(notice.closes_at):
        assert "张三的公示" not in Client().get(reverse("referrals:publicity_list")).content.decode()


def test_the_list_changes_at_the_first_close_or_the_next_midnight() -> None:
    with _at(DURING):
        next_midnight = datetime.datetime(2026, 2, 14, tzinfo=timezone.get_current_timezone())
        assert notice_public_next_change() == next_midnight  # no notice: one dated tomorrow may open then
        notice = _notice("张三", now=PUBLISHING_DAY)
        assert notice_public_next_change() == next_midnight  # closes later, at the end of its 5th working day
        notice.closes_at = DURING + datetime.timedelta(hours=1)
        notice.save(update_fields=["closes_at"])
        assert notice_public_next_change() == notice.closes_at


def test_the_public_api_list_is_shared_between_anonymous_readers_only() -> None:
    _notice("张三")
    url = "/api/v1/publicity/"
    with _at(DURING):
        assert Client().get(url).json()["count"] == 1
        _notice("李四", published_on=PUBLISHING_DAY.date() + datetime.timedelta(days=1), now=DURING)
        assert Client().get(url).json()["count"] == 1
        staff = Client()
        staff.force_login(UserFactory(bureau=True))
        with mock.patch("portal.web.middleware.second_factor_passed", return_value=True):
            assert staff.get(url).json()["count"] == 2


def test_off_when_the_setting_is_zero(settings: Settings) -> None:
    settings.PUBLIC_CACHE_SECONDS = 0
    _notice("张三")
    url = reverse("referrals:publicity_list")
    with _at(DURING):
        Client().get(url)
        _notice("李四", published_on=PUBLISHING_DAY.date() + datetime.timedelta(days=1), now=DURING)
        assert "李四的公示" in Client().get(url).content.decode()
