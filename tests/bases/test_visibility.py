"""A base is an employer like any other that shows as a base: it signs in by its credit code (an account the admin
creates from the base list), its landing page says it is a base, and the 基地 badge marks it on its public posts, its
hires and the claims for it, with no query per row."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bases.models import TalentBase
from bases.services import base_account_create
from portal.constants import Role
from portal.errors import PortalError
from portal.models import Employer, User
from tests.factories import (
    BaseBatchFactory,
    ClaimFactory,
    EmployerFactory,
    HireFactory,
    PositionFactory,
    TalentBaseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BADGE = 'title="卓越工程师人才基地">基地</span>'


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- signing in -----------------------------------------------------------------------------------------------


def test_the_admin_creates_a_bases_account_which_signs_in_by_credit_code() -> None:
    admin = UserFactory(admin=True)
    base = TalentBaseFactory(employer__name="重庆长安汽车股份有限公司")
    code = base.employer.credit_code
    assert code is not None
    response = _client(admin).post(
        reverse("admin:bases_talentbase_changelist"),
        {"action": "create_sign_in_account", "_selected_action": [base.pk]},
        follow=True,
    )
    text = response.content.decode()
    password = re.search(r"初始密码 (\S+)（只显示这一次", text)
    assert password is not None, text
    account = User.objects.get(employer=base.employer)
    assert (account.username, account.role, account.display_name) == (code, Role.EMPLOYER, "重庆长安汽车股份有限公司")
    # At the sign-in page, as people type it: lower case, spaces around.
    refused = Client().post("/accounts/login/", {"username": code, "password": "wrong-password"})
    assert refused.status_code == 200 and "_auth_user_id" not in refused.wsgi_request.session
    signed_in = Client()
    response = signed_in.post("/accounts/login/", {"username": f" {code.lower()} ", "password": password.group(1)})
    assert response.status_code == 302
    assert signed_in.session["_auth_user_id"] == str(account.pk)
    # Only once; the listing shows it has an account.
    again = _client(admin).post(
        reverse("admin:bases_talentbase_changelist"),
        {"action": "create_sign_in_account", "_selected_action": [base.pk]},
        follow=True,
    )
    assert "已有登录账号，未重复创建" in again.content.decode()
    assert User.objects.filter(employer=base.employer).count() == 1


def test_a_base_without_a_credit_code_gets_no_account_until_it_has_one() -> None:
    admin = UserFactory(admin=True)
    base = TalentBaseFactory(employer__credit_code=None)
    with pytest.raises(PortalError, match="尚未登记统一社会信用代码"):
        base_account_create(base=base, by=admin)
    with pytest.raises(PortalError, match="只有系统管理员"):
        base_account_create(base=base, by=UserFactory(centre=True))
    assert not User.objects.filter(employer=base.employer).exists()


def test_the_code_an_account_signs_in_by_cannot_be_cleared_in_the_admin() -> None:
    admin = UserFactory(admin=True)
    base = TalentBaseFactory()
    base_account_create(base=base, by=admin)
    response = _client(admin).post(
        reverse("admin:bases_talentbase_change", args=[base.pk]),
        {
            "batch": base.batch_id,
            "number": base.number,
            "employer": base.employer_id,
            "credit_code": "",
            "district": "",
        },
    )
    assert "不能清空其统一社会信用代码" in response.content.decode()
    assert Employer.objects.get(pk=base.employer_id).credit_code == base.employer.credit_code


def test_a_bases_landing_page_says_it_is_a_base_and_in_which_batches() -> None:
    base = TalentBaseFactory(batch=BaseBatchFactory(year=2023, number=1, title="2023年第一批卓越工程师人才基地"))
    TalentBaseFactory(
        employer=base.employer, batch=BaseBatchFactory(year=2024, number=1, title="2024年第一批卓越工程师人才基地")
    )
    page = (
        _client(UserFactory(employer_user=True, employer=base.employer))
        .get(reverse("portal:workspace"))
        .content.decode()
    )
    assert "本单位是卓越工程师人才基地" in page
    assert "入选2023年第一批卓越工程师人才基地、2024年第一批卓越工程师人才基地" in page
    other = _client(UserFactory(employer_user=True)).get(reverse("portal:workspace")).content.decode()
    assert "本单位是卓越工程师人才基地" not in other


# --- the badge ---------------------------------------------------------------------------------------------------


def _row(page: str, name: str) -> str:
    start = page.index(name)
    return page[start : page.index("</tr>", start)]


def test_the_public_list_marks_a_bases_posts_without_a_query_per_row() -> None:
    base = TalentBaseFactory(employer__name="重庆基地甲有限公司")
    TalentBaseFactory(employer=base.employer, batch=BaseBatchFactory(year=2024, number=1))  # two batches: one badge
    PositionFactory(published=True, employer=base.employer, name="基地的岗位")
    PositionFactory(published=True, employer=EmployerFactory(name="重庆普通单位有限公司"), name="普通的岗位")
    client = Client()
    page = client.get(reverse("positions:public_list")).content.decode()
    assert _row(page, "基地的岗位").count(BADGE) == 1
    assert BADGE not in _row(page, "普通的岗位")

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("positions:public_list"))
    for n in range(5):
        PositionFactory(published=True, employer=TalentBaseFactory().employer, name=f"又一个岗位{n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("positions:public_list")).content.decode()
    assert len(many) == len(few)
    assert page.count(BADGE) == 6


def test_the_public_detail_marks_a_bases_post() -> None:
    post = PositionFactory(published=True, employer=TalentBaseFactory().employer)
    other = PositionFactory(published=True)
    assert BADGE in Client().get(reverse("positions:public_detail", args=[post.pk])).content.decode()
    assert BADGE not in Client().get(reverse("positions:public_detail", args=[other.pk])).content.decode()


def test_the_hire_screens_mark_hires_at_a_base() -> None:
    base = TalentBaseFactory()
    at_base = HireFactory(position__employer=base.employer, position__published=True, name="基地人员")
    elsewhere = HireFactory(position__district=at_base.district, position__published=True, name="普通人员")
    clerk = _client(UserFactory(clerk=True, district=at_base.district))
    listing = clerk.get(reverse("referrals:hire_list")).content.decode()
    assert BADGE in _row(listing, "基地人员") and BADGE not in _row(listing, "普通人员")
    assert BADGE in clerk.get(reverse("referrals:hire_detail", args=[at_base.pk])).content.decode()
    assert BADGE not in clerk.get(reverse("referrals:hire_detail", args=[elsewhere.pk])).content.decode()


def test_the_claim_review_screens_mark_claims_for_a_base() -> None:
    base = TalentBaseFactory(employer__name="重庆基地乙有限公司")
    for_base = ClaimFactory(submitted=True, employer=base.employer)
    ClaimFactory(submitted=True, employer=EmployerFactory(name="重庆普通单位丙有限公司"))
    centre = _client(UserFactory(centre=True))
    queue = centre.get(reverse("subsidies:review_queue")).content.decode()
    assert BADGE in _row(queue, "重庆基地乙有限公司") and BADGE not in _row(queue, "重庆普通单位丙有限公司")
    assert BADGE in centre.get(reverse("subsidies:review_claim", args=[for_base.pk])).content.decode()
    assert TalentBase.objects.count() == 1
