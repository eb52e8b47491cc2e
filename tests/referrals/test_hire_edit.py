"""Correcting hires: a declared hire whose post is not in the portal keeps that post (or takes one of its employer's),
never another employer; a hire without a district is corrected and resubmitted by the talent centre, and the officer
who corrected it does not audit it (docs/workflows.md, "Hires without a district")."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portal.errors import PermissionDenied, PortalError
from portal.models import District, User
from referrals.constants import HireStatus
from referrals.forms import HireForm
from referrals.models import Hire
from referrals.services import HireData, hire_move, hire_update
from tests.factories import EmployerFactory, HireFactory, PositionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _declared_hire(district: District | None, **extra: Any) -> Hire:
    """A hire made from a confirmed declaration on a post not in the portal (recorded by the employer's account)."""
    employer = EmployerFactory(district=district)
    return HireFactory(
        position=None,
        district=district,
        employer=employer,
        channel="bounty_list",
        post_name="工业软件研发工程师",
        recorded_by=UserFactory(employer_user=True, employer=employer),
        **extra,
    )


def _post_data(hire: Hire, **changes: Any) -> dict[str, Any]:
    data = {key: ("" if value is None else value) for key, value in HireForm.initial_from(hire).items()}
    return data | changes


# --- a declared hire whose post is not in the portal ---------------------------------------------------------------


def test_the_clerk_saves_a_declared_hire_keeping_its_post(clerk: User, district: District) -> None:
    hire = _declared_hire(district, status=HireStatus.RETURNED, return_reason="合同期限有误")
    client = _client(clerk)
    page = client.get(reverse("referrals:hire_edit", args=[hire.pk])).content.decode()
    assert "工业软件研发工程师（揭榜招贤）（不在平台岗位表中）" in page
    assert 'name="graduated_on"' in page  # the fact the programme follows is on the form
    response = client.post(reverse("referrals:hire_edit", args=[hire.pk]), _post_data(hire, contract_term="5年"))
    assert response.status_code == 302, response.content.decode()
    hire.refresh_from_db()
    assert hire.contract_term == "5年" and hire.position is None and hire.post_name == "工业软件研发工程师"
    assert hire.edited_by == clerk and hire.district == district
    assert hire_move(hire=hire, action="resubmit", by=clerk).status == HireStatus.RECORDED


def test_the_clerk_may_choose_one_of_the_employers_portal_posts_but_no_other_employers(
    clerk: User, district: District
) -> None:
    hire = _declared_hire(district)
    own = PositionFactory(batch__district=district, employer=hire.employer, published=True, name="结构工程师")
    other = PositionFactory(batch__district=district, published=True, name="别家岗位")
    form = HireForm(hire=hire)
    offered = list(form.fields["position"].queryset)  # type: ignore[attr-defined]
    assert offered == [own]
    client = _client(clerk)
    response = client.post(reverse("referrals:hire_edit", args=[hire.pk]), _post_data(hire, position=other.pk))
    assert response.status_code == 200 and "position" in response.context["form"].errors
    response = client.post(reverse("referrals:hire_edit", args=[hire.pk]), _post_data(hire, position=own.pk))
    assert response.status_code == 302
    hire.refresh_from_db()
    assert hire.position == own and hire.post_name == "结构工程师" and hire.employer == own.employer
    # The service refuses another employer's post too (an API client, a crafted form).
    data = HireData(
        position=other, name=hire.name, id_number=hire.id_number, mode=hire.mode, contract_term="3年",
        graduated_on=hire.graduated_on,
    )  # fmt: skip
    hire = Hire.objects.get(pk=hire.pk)
    hire.position = None
    hire.save()
    with pytest.raises(PortalError, match="不能改为其他用人单位"):
        hire_update(hire=hire, data=data, by=clerk)


def test_a_hire_on_a_portal_post_still_needs_one(clerk: User) -> None:
    hire = HireFactory(position__batch__district=clerk.district)
    data = HireData(
        employer=hire.employer, channel="bounty_list", post_name="随便", name=hire.name, id_number=hire.id_number,
        mode=hire.mode, contract_term="3年", graduated_on=hire.graduated_on,
    )  # fmt: skip
    with pytest.raises(PortalError, match="请选择"):
        hire_update(hire=hire, data=data, by=clerk)


# --- a hire without a district: the talent centre corrects it ------------------------------------------------------


def test_the_centre_corrects_and_resubmits_a_returned_hire_and_another_officer_audits(
    clerk: User, reviewer: User
) -> None:
    hire = _declared_hire(None)
    auditor, corrector = UserFactory(centre=True), UserFactory(centre=True)
    hire = hire_move(hire=hire, action="return", by=auditor, reason="劳动合同期限有误")
    client = _client(corrector)
    detail = client.get(reverse("referrals:hire_detail", args=[hire.pk])).content.decode()
    assert reverse("referrals:hire_edit", args=[hire.pk]) in detail
    desk = client.get(reverse("referrals:centre_hires")).content.decode()
    assert reverse("referrals:hire_edit", args=[hire.pk]) in desk and "重新提交" in desk
    page = client.get(reverse("referrals:hire_edit", args=[hire.pk])).content.decode()
    assert "工业软件研发工程师（揭榜招贤）（不在平台岗位表中）" in page
    response = client.post(
        reverse("referrals:hire_edit", args=[hire.pk]), _post_data(hire, contract_term="3年（2026—2029）")
    )
    assert response.status_code == 302
    hire.refresh_from_db()
    assert hire.contract_term == "3年（2026—2029）" and hire.edited_by == corrector and hire.district is None
    hire = hire_move(hire=hire, action="resubmit", by=corrector)
    assert hire.status == HireStatus.RECORDED
    # The officer who corrected it does not audit or return it; another does.
    with pytest.raises(PermissionDenied):
        hire_move(hire=hire, action="audit", by=corrector)
    with pytest.raises(PermissionDenied):
        hire_move(hire=hire, action="return", by=corrector, reason="再核")
    assert "初审通过</button>" not in client.get(reverse("referrals:centre_hires")).content.decode()
    assert hire_move(hire=hire, action="audit", by=auditor).status == HireStatus.AUDITED
    # No district's staff reach it.
    for user in (clerk, reviewer):
        assert _client(user).get(reverse("referrals:hire_edit", args=[hire.pk])).status_code in (403, 404)


def test_the_centre_corrects_no_districts_hire_and_no_clerk_a_hire_without_a_district(
    clerk: User, district: District
) -> None:
    officer = UserFactory(centre=True)
    district_hire = _declared_hire(district, status=HireStatus.RETURNED)
    base_hire = _declared_hire(None, status=HireStatus.RETURNED)
    assert _client(officer).get(reverse("referrals:hire_edit", args=[district_hire.pk])).status_code == 404
    assert _client(clerk).get(reverse("referrals:hire_edit", args=[base_hire.pk])).status_code == 404
    data = HireForm(_post_data(base_hire), hire=base_hire)
    assert data.is_valid(), data.errors
    with pytest.raises(PermissionDenied):
        hire_update(hire=base_hire, data=data.hire_data(), by=clerk)
    with pytest.raises(PermissionDenied):
        hire_move(hire=district_hire, action="resubmit", by=officer)
    with pytest.raises(PermissionDenied):
        hire_move(hire=base_hire, action="resubmit", by=clerk)
