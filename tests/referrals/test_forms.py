"""The Annex 3 form's lists cost what they show: names, not every third party's encrypted personal data."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest

from portal.security import crypto
from referrals.forms import HireForm
from tests.factories import DistrictFactory, ThirdPartyFactory

pytestmark = pytest.mark.django_db


def test_the_third_party_list_decrypts_nothing() -> None:
    parties = [ThirdPartyFactory(), ThirdPartyFactory(individual=True), ThirdPartyFactory()]
    with mock.patch("portal.security.crypto.decrypt", wraps=crypto.decrypt) as decrypt:
        listed = str(HireForm(district=DistrictFactory())["third_party"])
    assert all(party.name in listed for party in parties)
    assert decrypt.call_count == 0  # loading whole rows would decrypt each ID number and bank account


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_date_pickers_are_fed_iso_dates_whatever_the_locale(language: str) -> None:
    """A date input's value in the locale's format (zh-hans: 2026/11/20) is dropped by browsers, so saving the form
    unchanged would erase the date."""
    from django.utils import translation

    from referrals.forms import PublishForm

    with translation.override(language):
        hire_form = HireForm(district=DistrictFactory(), initial={"arrived_on": datetime.date(2026, 11, 20)})
        publish_form = PublishForm(initial={"published_on": datetime.date(2026, 12, 7)}, default_title="")
        assert 'value="2026-11-20"' in str(hire_form["arrived_on"])
        assert 'value="2026-12-07"' in str(publish_form["published_on"])


def test_the_clerks_form_flags_a_wrong_id_number_with_the_missing_fields() -> None:
    form = HireForm(district=DistrictFactory(), data={"id_number": "50010319850101123", "name": ""})
    assert not form.is_valid()
    assert form.errors["id_number"] == ["身份证号码应为18位。"]
    assert "name" in form.errors
