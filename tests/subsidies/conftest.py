from __future__ import annotations

import pytest

from portal.models import Employer, User
from tests.factories import EmployerFactory, ThirdPartyFactory, UserFactory


@pytest.fixture
def headhunter(caps: None) -> User:
    return UserFactory(third_party_user=True, third_party=ThirdPartyFactory(verified=True))


@pytest.fixture
def employer(db: None) -> Employer:
    return EmployerFactory()


@pytest.fixture
def centre(db: None) -> User:
    return UserFactory(centre=True)


@pytest.fixture
def bureau(db: None) -> User:
    return UserFactory(bureau=True)
