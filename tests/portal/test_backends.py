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
