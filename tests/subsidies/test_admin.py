"""The admin reads a claim whole, with its audit trail, and changes nothing: claims move through their workflow."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import ClaimFactory, ThirdPartyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_reads_a_claim_with_its_trail_and_cannot_change_it() -> None:
    party = ThirdPartyFactory(verified=True, bank_account="6217000000001234567")
    claimant = UserFactory(third_party_user=True, third_party=party)
    claim = ClaimFactory(submitted=True, by=claimant, amounts=("1000",), hire_names=("卫申报",))
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
