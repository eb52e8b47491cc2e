"""Sign-in by 统一社会信用代码 for employers and organisations."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate as django_authenticate
from django.contrib.auth.base_user import AbstractBaseUser
from django.test import RequestFactory

from tests.factories import EmployerFactory, UserFactory

pytestmark = pytest.mark.django_db


def authenticate(**credentials: str | None) -> AbstractBaseUser | None:
    return django_authenticate(RequestFactory().post("/accounts/login/"), **credentials)


def test_an_employer_signs_in_with_its_credit_code_as_people_type_it(password: str) -> None:
    employer = EmployerFactory()
    user = UserFactory(employer_user=True, employer=employer, password=password)
    assert employer.credit_code is not None
    typed = " " + employer.credit_code.lower() + " "
    assert authenticate(username=typed, password=password) == user
    assert authenticate(username=employer.credit_code, password="wrong-password") is None


def test_a_unit_with_two_accounts_signs_in_by_user_name(password: str) -> None:
    employer = EmployerFactory()
    first = UserFactory(employer_user=True, employer=employer, password=password)
    UserFactory(employer_user=True, employer=employer, password=password)
    assert authenticate(username=employer.credit_code, password=password) is None
    assert authenticate(username=first.username, password=password) == first


def test_district_staff_are_not_found_by_a_credit_code(password: str) -> None:
    employer = EmployerFactory()
    UserFactory(clerk=True, password=password)
    assert authenticate(username=employer.credit_code, password=password) is None


def test_a_signed_in_page_reads_the_user_with_their_district_in_one_query(password: str) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clerk = UserFactory(clerk=True, password=password)
    client = Client()
    assert client.post("/accounts/login/", {"username": clerk.username, "password": password}).status_code == 302
    assert client.session["_auth_user_backend"] == "portal.security.backends.PasswordBackend"
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/")
    assert clerk.district is not None and clerk.district.name in page.content.decode()
    assert not [query for query in queries if 'FROM "portal_district"' in query["sql"]]


def test_a_session_signed_in_under_djangos_model_backend_stays_signed_in(password: str) -> None:
    """Sessions opened before the portal's own backend replaced Django's still load their user, and move over."""
    from django.contrib.auth import BACKEND_SESSION_KEY
    from django.test import Client

    clerk = UserFactory(clerk=True, password=password)
    client = Client()
    client.force_login(clerk)
    session = client.session
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session.save()
    page = client.get("/positions/district/")
    assert page.status_code == 200
    assert page.wsgi_request.user == clerk
    assert client.session[BACKEND_SESSION_KEY] == "portal.security.backends.PasswordBackend"


def test_an_inactive_user_is_signed_out(password: str) -> None:
    from django.test import Client

    clerk = UserFactory(clerk=True, password=password)
    client = Client()
    client.force_login(clerk)
    type(clerk).objects.filter(pk=clerk.pk).update(is_active=False)
    assert not client.get("/").wsgi_request.user.is_authenticated
