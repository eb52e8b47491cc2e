from __future__ import annotations

import pytest
from django.core.management import call_command

from portal.models import District, User
from tests.factories import DistrictFactory, UserFactory

PASSWORD = "Secret-pass-123"


@pytest.fixture
def reference_data(db: None) -> None:
    call_command("load_reference_data", verbosity=0)


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
