"""`make run`'s demo data: one account per role and a few posts taken through the real services; re-runnable."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from portal.constants import Role
from portal.models import User
from positions.models import Position
from referrals.models import Hire

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_covers_every_role(reference_data: None) -> None:
    for _ in range(2):
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert "Demo-2026-portal" in out.getvalue()
    assert Position.objects.count() == 4
    assert Position.objects.filter(status="published").count() == 2
    # Hires through the services: one waiting for audit, one exempt awaiting the employer, one under publicity
    # (unless today's year has no known calendar, in which case it stays audited and the command says why).
    assert Hire.objects.count() == 3
    from rollups.models import RollUp

    assert RollUp.objects.filter(is_current=True).count() == 1  # re-running finds the same figures
    assert set(Hire.objects.values_list("status", flat=True)) <= {"recorded", "confirmed", "in_publicity", "audited"}
    assert User.objects.get(username="admin").check_password("Demo-2026-portal")
