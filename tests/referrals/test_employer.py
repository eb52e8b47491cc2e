"""The employer's Annex 3 confirmation of hires a third party introduced."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portal.errors import PermissionDenied, PortalError
from portal.models import User
from referrals.constants import EmployerConfirmation
from referrals.models import Hire
from referrals.services import hire_employer_decide
from tests.factories import HireFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hire() -> Hire:
    return HireFactory(introduced=True, confirmed=True)


@pytest.fixture
def employer_user(hire: Hire) -> User:
    return UserFactory(employer_user=True, employer=hire.employer)


def test_the_employer_confirms_an_introduction(hire: Hire, employer_user: User) -> None:
    hire = hire_employer_decide(hire=hire, confirmed=True, by=employer_user)
    assert hire.employer_confirmation == EmployerConfirmation.CONFIRMED
    assert hire.employer_confirmed_by == employer_user and hire.employer_confirmed_at is not None


def test_declining_needs_a_reason(hire: Hire, employer_user: User) -> None:
    with pytest.raises(PortalError, match="原因"):
        hire_employer_decide(hire=hire, confirmed=False, by=employer_user)
    hire = hire_employer_decide(hire=hire, confirmed=False, by=employer_user, reason="该人员系本单位自行招聘")
    assert hire.employer_confirmation == EmployerConfirmation.DECLINED


def test_another_employer_cannot_confirm(hire: Hire) -> None:
    with pytest.raises(PermissionDenied):
        hire_employer_decide(hire=hire, confirmed=True, by=UserFactory(employer_user=True))


def test_a_hire_without_a_third_party_needs_no_confirmation() -> None:
    hire = HireFactory(confirmed=True)
    user = UserFactory(employer_user=True, employer=hire.employer)
    with pytest.raises(PortalError, match="无需"):
        hire_employer_decide(hire=hire, confirmed=True, by=user)


def test_the_employer_page_lists_only_its_hires_masked(hire: Hire, employer_user: User) -> None:
    stranger = HireFactory()
    client = Client()
    client.force_login(employer_user)
    assert client.get(reverse("referrals:hire_list")).status_code == 302
    page = client.get(reverse("referrals:employer_hires")).content.decode()
    assert hire.name in page and stranger.name not in page and hire.id_number not in page
    client.post(reverse("referrals:employer_confirm", args=[hire.pk]), {"decision": "confirm"})
    hire.refresh_from_db()
    assert hire.employer_confirmation == EmployerConfirmation.CONFIRMED
    assert (
        client.post(reverse("referrals:employer_confirm", args=[stranger.pk]), {"decision": "confirm"}).status_code
        == 404
    )


def test_the_third_party_hears_of_the_employers_decision(hire: Hire, employer_user: User) -> None:
    from portal.models import Notification

    claimant = UserFactory(third_party_user=True, third_party=hire.third_party)
    hire_employer_decide(hire=hire, confirmed=True, by=employer_user)
    notice = Notification.objects.get(recipient=claimant)
    assert hire.name in notice.title and "已确认" in notice.body and hire.id_number not in notice.body


@pytest.mark.parametrize(("status", "says"), [("audited", "经公示确认后即可申报"), ("confirmed", "现在即可申报")])
def test_the_third_party_is_told_what_it_still_waits_for(
    hire: Hire, employer_user: User, status: str, says: str
) -> None:
    """A hire already confirmed (publicity closed, or exempt from it) is claimable at once: not "after publicity"."""
    from portal.models import Notification

    claimant = UserFactory(third_party_user=True, third_party=hire.third_party)
    Hire.objects.filter(pk=hire.pk).update(status=status)
    hire.refresh_from_db()
    hire_employer_decide(hire=hire, confirmed=True, by=employer_user)
    assert says in Notification.objects.get(recipient=claimant).body
