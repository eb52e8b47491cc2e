from __future__ import annotations

import pytest

from referrals.tasks import confirm_closed_publicity

pytestmark = pytest.mark.django_db


def test_the_confirmation_task_runs_the_service_and_is_safe_to_repeat() -> None:
    assert confirm_closed_publicity.delay().get() == 0
    assert confirm_closed_publicity() == 0
