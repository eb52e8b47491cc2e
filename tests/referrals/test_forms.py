"""The Annex 3 form's lists cost what they show: names, not every third party's encrypted personal data."""

from __future__ import annotations

from unittest import mock

import pytest

from portal import crypto
from referrals.forms import HireForm
from tests.factories import DistrictFactory, ThirdPartyFactory

pytestmark = pytest.mark.django_db


def test_the_third_party_list_decrypts_nothing() -> None:
    parties = [ThirdPartyFactory(), ThirdPartyFactory(individual=True), ThirdPartyFactory()]
    with mock.patch("portal.crypto.decrypt", wraps=crypto.decrypt) as decrypt:
        listed = str(HireForm(district=DistrictFactory())["third_party"])
    assert all(party.name in listed for party in parties)
    assert decrypt.call_count == 0  # loading whole rows would decrypt each ID number and bank account
