"""The admin reads third parties' declarations and declared people, never changes them, never shows a whole ID."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import User
from referrals.declarations import DeclaredPost, PersonData, declaration_submit, declared_person_decide
from referrals.models import DeclaredPerson
from tests.factories import EmployerFactory, PositionFactory, ThirdPartyFactory, UserFactory, make_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    client = Client()
    client.force_login(UserFactory(admin=True, is_superuser=True))
    return client


def _declare(party_name: str, employer_name: str, n: int) -> tuple[DeclaredPerson, User]:
    employer = EmployerFactory(name=employer_name)
    position = PositionFactory(batch__district=employer.district, employer=employer, published=True)
    headhunter = UserFactory(third_party_user=True, third_party=ThirdPartyFactory(verified=True, name=party_name))
    person = PersonData(
        name=f"申报人{n}",
        id_number=make_id_number(8300 + n),
        mode="full_time",
        contract_term="3年",
        arrived_on=datetime.date(2026, 2, 2),
        graduated_on=datetime.date(2025, 6, 30),
    )
    declaration = declaration_submit(
        post=DeclaredPost(employer=employer, position=position), people=[person], by=headhunter
    )
    return declaration.people.get(), UserFactory(employer_user=True, employer=employer)


def test_the_lists_search_by_third_party_and_employer_and_filter_by_status(client: Client) -> None:
    ours, _hr = _declare("星辰人力资源公司", "重庆甲科技有限公司", 1)
    theirs, _theirs_hr = _declare("远航猎头", "重庆乙制造有限公司", 2)
    theirs_hr = User.objects.get(employer=theirs.employer)
    declared_person_decide(person=theirs, confirmed=False, by=theirs_hr, reason="并非该机构推荐")
    people = reverse("admin:referrals_declaredperson_changelist")
    page = client.get(people).content.decode()
    assert ours.id_number_masked in page and ours.id_number not in page
    listed = client.get(people, {"q": "星辰"}).context["cl"].result_list
    assert [row.pk for row in listed] == [ours.pk]
    listed = client.get(people, {"q": "乙制造"}).context["cl"].result_list
    assert [row.pk for row in listed] == [theirs.pk]
    listed = client.get(people, {"status__exact": "declined"}).context["cl"].result_list
    assert [row.pk for row in listed] == [theirs.pk]
    listed = client.get(people, {"q": ours.id_number}).context["cl"].result_list  # a whole number finds its person
    assert [row.pk for row in listed] == [ours.pk]
    declarations = reverse("admin:referrals_declaration_changelist")
    listed = client.get(declarations, {"q": "远航"}).context["cl"].result_list
    assert [row.pk for row in listed] == [theirs.declaration_id]
    listed = client.get(declarations, {"people__status": "pending"}).context["cl"].result_list
    assert [row.pk for row in listed] == [ours.declaration_id]


def test_the_pages_are_read_only_and_mask_the_id_number(client: Client) -> None:
    person, _ = _declare("星辰人力资源公司", "重庆甲科技有限公司", 3)
    for url in (
        reverse("admin:referrals_declaredperson_change", args=[person.pk]),
        reverse("admin:referrals_declaration_change", args=[person.declaration_id]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert person.id_number_masked in page and person.id_number not in page
        assert 'name="_save"' not in page
    response = client.post(reverse("admin:referrals_declaredperson_change", args=[person.pk]), {"name": "改名"})
    assert response.status_code == 403
    assert client.get(reverse("admin:referrals_declaredperson_add")).status_code == 403
    assert DeclaredPerson.objects.get(pk=person.pk).name == person.name
