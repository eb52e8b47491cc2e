"""The admin reads a claim whole, with its audit trail, and changes nothing: claims move through their workflow."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from portal.models import SubsidyCap
from subsidies.services import claim_submit
from tests.factories import EmployerFactory, ThirdPartyFactory, UserFactory
from tests.portal.test_workspace import _claim

pytestmark = pytest.mark.django_db


def test_the_admin_reads_a_claim_with_its_trail_and_cannot_change_it() -> None:
    SubsidyCap.objects.create(
        channel="bounty_list", amount=Decimal("30000"), effective_from=datetime.date(2022, 1, 1), policy_reference="—"
    )
    party = ThirdPartyFactory(verified=True, bank_account="6217000000001234567")
    claimant = UserFactory(third_party_user=True, third_party=party)
    claim = claim_submit(claim=_claim(party, claimant, EmployerFactory(), "卫申报", "1000"), by=claimant)
    client = Client()
    client.force_login(UserFactory(admin=True, is_superuser=True))

    listed = client.get("/admin/subsidies/claim/").content.decode()
    assert claim.reference in listed and 'value="delete_selected"' not in listed
    page = client.get(f"/admin/subsidies/claim/{claim.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "操作记录（审计）" in html and "卫申报" in html
    assert "6217000000001234567" not in html and "****4567" in html
    assert 'name="_save"' not in html and "deletelink" not in html
    posted = client.post(f"/admin/subsidies/claim/{claim.pk}/change/", {"status": "paid"})
    assert posted.status_code == 403
    claim.refresh_from_db()
    assert claim.status == "submitted"
    assert client.get("/admin/subsidies/claim/add/").status_code == 403
