from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from referrals.tasks import confirm_closed_publicity

pytestmark = pytest.mark.django_db


def test_the_confirmation_task_runs_the_service_and_is_safe_to_repeat() -> None:
    assert confirm_closed_publicity.delay().get() == 0
    assert confirm_closed_publicity() == 0


def test_confirmation_can_be_run_by_hand() -> None:
    out = io.StringIO()
    call_command("confirm_publicity", stdout=out)
    assert "本次确认0人" in out.getvalue()
