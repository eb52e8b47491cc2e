from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from portal.models import District, User
from tests.factories import DistrictFactory, UserFactory, ensure_caps

PASSWORD = "Secret-pass-123"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Every test starts with an empty cache: the registration limit and the sign-in guard count per address, and
    every test client is 127.0.0.1."""
    cache.clear()


@pytest.fixture(autouse=True)
def _force_login_includes_the_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """``client.force_login(user)`` stands for a finished sign-in: for reviewers, payers and admins, who also give a
    TOTP code (portal.two_factor.services), the session is marked verified with a confirmed device, as if they had typed it.
    The password form and ``client.login`` are left alone, so tests of the second factor itself still meet it."""
    from tests.otp import mark_second_factor_passed

    original = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        mark_second_factor_passed(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def reference_data(db: None) -> None:
    call_command("load_reference_data", verbosity=0)


@pytest.fixture
def tongliang(reference_data: None) -> District:
    """铜梁区 (500151) as the reference data holds it: the district the sample sheets are written for."""
    return District.objects.get(code="500151")


@pytest.fixture
def caps(db: None) -> None:
    """The two channels' caps (渝人社发〔2022〕50号): 30,000 yuan on the bounty list, 4,000 in special recruitment."""
    ensure_caps()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def user_factory() -> type[UserFactory]:
    return UserFactory


@pytest.fixture
def district(db: None) -> District:
    return DistrictFactory()


@pytest.fixture
def clerk(district: District) -> User:
    return UserFactory(clerk=True, district=district)


@pytest.fixture
def reviewer(district: District) -> User:
    return UserFactory(district_reviewer=True, district=district)
