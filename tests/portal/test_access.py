"""Sign-in, lockout, sessions, menus and district scoping of the shared core."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http.response import HttpResponseRedirectBase

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.constants import Role
from portal.models import User
from portal.two_factor.services import second_factor_required
from tests.factories import DistrictFactory, EmployerFactory, UserFactory
from tests.otp import give_code

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _try_login(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> TestResponse:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_wrong_passwords_lock_the_account_after_the_configured_tries(password: str) -> None:
    user = UserFactory(clerk=True)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _try_login(client, user.username, "wrong-password")
        assert response.status_code == 200
        assert "用户名或密码" in response.content.decode() or "请输入" in response.content.decode()
    locked = _try_login(client, user.username, "wrong-password")
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()
    # Even the right password is refused while locked.
    assert _try_login(client, user.username, password).status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lockout_is_per_user_not_per_office_address(password: str) -> None:
    victim, colleague = UserFactory(clerk=True), UserFactory(clerk=True)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try_login(client, victim.username, "wrong-password", ip="10.1.1.1")
    response = Client().post(LOGIN, {"username": colleague.username, "password": password}, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 302


def test_a_lock_expires_after_the_cool_off(password: str) -> None:
    user = UserFactory(clerk=True)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try_login(client, user.username, "wrong-password")
    assert _try_login(client, user.username, password).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    assert _try_login(client, user.username, password).status_code == 302


def test_every_role_lands_on_its_workspace(password: str) -> None:
    users = [
        UserFactory(clerk=True),
        UserFactory(district_reviewer=True),
        UserFactory(centre=True),
        UserFactory(bureau=True),
        UserFactory(third_party_user=True),
        UserFactory(employer_user=True),
        UserFactory(admin=True),
    ]
    for user in users:
        client = Client()
        response = _try_login(client, user.username, password)
        assert response.status_code == 302
        assert isinstance(response, HttpResponseRedirectBase), response.status_code
        assert response.url == reverse("portal:workspace")
        if second_factor_required(user):  # reviewers, payers and admins give their authenticator's code first
            give_code(client, user)
        page = client.get(response.url)
        assert page.status_code == 200
        assert str(Role(user.role).label) in page.content.decode()


def test_logout_deletes_the_server_side_session() -> None:
    user = UserFactory(clerk=True)
    client = Client()
    client.force_login(user)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_logging_out_says_so_on_the_page_it_lands_on() -> None:
    client = Client()
    client.force_login(UserFactory(clerk=True))
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain == [(reverse("portal:home"), 302)]
    page = response.content.decode()
    assert "您已安全退出" in page and "退出登录" not in page  # the message, and no longer signed in
    assert "您已安全退出" not in client.get(reverse("portal:home")).content.decode()  # said once


def test_a_session_ends_twelve_hours_after_login_however_active() -> None:
    client = Client()
    client.force_login(UserFactory(centre=True))
    assert client.get(reverse("portal:workspace")).status_code == 200
    session = client.session
    session["portal_session_started"] = timezone.now().timestamp() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get(reverse("portal:workspace"))
    assert response.status_code == 302
    assert isinstance(response, HttpResponseRedirectBase), response.status_code
    assert response.url.startswith(reverse("login"))


def test_idle_sessions_expire_after_thirty_minutes_and_active_ones_are_pushed_on_once_a_minute() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_REFRESH_SECONDS == 60
    client = Client()
    client.force_login(UserFactory(centre=True))
    assert client.get(reverse("portal:workspace")).status_code == 200
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    first = Session.objects.get(session_key=key).expire_date
    assert abs((first - timezone.now()).total_seconds() - 30 * 60) < 5

    # Within the minute: the page is served without writing the session.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("portal:workspace")).status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert Session.objects.get(session_key=key).expire_date == first

    # A minute on: the next request pushes the expiry to 30 minutes from now.
    session = client.session
    session["portal_session_refreshed"] -= 61
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=first - timedelta(seconds=61))
    assert client.get(reverse("portal:workspace")).status_code == 200
    assert Session.objects.get(session_key=key).expire_date > first

    # An idle session past its expiry is gone: the next page asks for a login.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("portal:workspace")).status_code == 302


def test_anonymous_visitors_are_sent_to_login_for_work_pages() -> None:
    for url in [reverse("portal:workspace"), reverse("portal:employer_list")]:
        response = Client().get(url)
        assert response.status_code == 302
        assert isinstance(response, HttpResponseRedirectBase), response.status_code
        assert response.url.startswith(reverse("login"))


def test_a_district_clerk_sees_only_its_own_districts_employers() -> None:
    own, other = DistrictFactory(), DistrictFactory()
    mine = EmployerFactory(district=own, name="本区企业")
    theirs = EmployerFactory(district=other, name="外区企业")
    client = Client()
    client.force_login(UserFactory(clerk=True, district=own))

    listing = client.get(reverse("portal:employer_list")).content.decode()
    assert mine.name in listing
    assert theirs.name not in listing
    assert client.get(reverse("portal:employer_detail", args=[mine.pk])).status_code == 200
    # A guessed URL of another district's record is indistinguishable from a missing one.
    assert client.get(reverse("portal:employer_detail", args=[theirs.pk])).status_code == 404


def test_city_staff_see_every_district() -> None:
    a, b = EmployerFactory(), EmployerFactory()
    client = Client()
    client.force_login(UserFactory(centre=True))
    listing = client.get(reverse("portal:employer_list")).content.decode()
    assert a.name in listing and b.name in listing


@pytest.mark.parametrize("trait", ["third_party_user", "employer_user"])
def test_outside_parties_cannot_reach_staff_pages(trait: str) -> None:
    employer = EmployerFactory()
    client = Client()
    client.force_login(UserFactory(**{trait: True}))
    assert client.get(reverse("portal:employer_list")).status_code == 403
    assert client.get(reverse("portal:employer_detail", args=[employer.pk])).status_code == 403


@pytest.mark.parametrize(
    "trait", ["clerk", "district_reviewer", "centre", "bureau", "third_party_user", "employer_user"]
)
def test_only_admins_reach_the_admin(trait: str) -> None:
    client = Client()
    client.force_login(UserFactory(**{trait: True}))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert isinstance(response, HttpResponseRedirectBase), response.status_code
    assert "/admin/login/" in response.url


def test_menus_follow_the_role() -> None:
    def menu_labels(user: User) -> list[str]:
        client = Client()
        client.force_login(user)
        return [item["label"] for item in client.get(reverse("portal:workspace")).context["menu"]["work"]]

    clerk_menu = menu_labels(UserFactory(clerk=True))
    assert "用人单位" in clerk_menu
    assert "系统管理" not in clerk_menu
    third_party_menu = menu_labels(UserFactory(third_party_user=True))
    assert "用人单位" not in third_party_menu
    assert "系统管理" in menu_labels(UserFactory(admin=True))


def test_a_district_account_must_belong_to_a_district() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="orphan", role=Role.DISTRICT_CLERK)
    district = DistrictFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="centre-in-district", role=Role.TALENT_CENTRE, district=district)
