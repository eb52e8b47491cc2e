from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from portal.models import Employer, SubsidyCap, User
from tests.factories import EmployerFactory, ThirdPartyFactory, UserFactory


@pytest.fixture
def caps(db: None) -> None:
    for channel, amount in (("bounty_list", "30000"), ("special_recruitment", "4000")):
        SubsidyCap.objects.create(
            channel=channel,
            amount=Decimal(amount),
            effective_from=datetime.date(2022, 1, 1),
            policy_reference="渝人社发〔2022〕50号",
        )


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
