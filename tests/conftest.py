from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.factories import UserFactory

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
