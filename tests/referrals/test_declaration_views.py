"""The declaration pages and API: who reaches what, the form with several people, the Annex 3 sheet, the employer."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from portal.errors import PortalError
from portal.imports.sheets import PortalImportError
from portal.models import District, Employer, User
from positions.models import Position
from referrals.constants import COMPETING_DECLINE_REASON, DeclarationStatus, HireStatus
from referrals.declarations import DeclaredPost, PersonData, declaration_submit
from referrals.importing import declare_from_sheet, preview_declared_people
from referrals.models import DeclaredPerson, Hire
from tests.factories import EmployerFactory, PositionFactory, UserFactory, make_id_number
from tests.referrals.test_importing import person as sheet_person
from tests.referrals.test_importing import write_sheet

pytestmark = pytest.mark.django_db
DECLARATIONS = "/api/v1/declarations/"
CONFIRMATIONS = "/api/v1/declaration-confirmations/"


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()


@pytest.fixture
def employer(district: District) -> Employer:
    return EmployerFactory(district=district, name="重庆申报测试科技有限公司")


@pytest.fixture
def position(employer: Employer) -> Position:
    return PositionFactory(batch__district=employer.district, employer=employer, published=True, name="智能制造工程师")


@pytest.fixture
def headhunter() -> User:
    return UserFactory(third_party_user=True, third_party__verified=True)


@pytest.fixture
def hr(employer: Employer) -> User:
    return UserFactory(employer_user=True, employer=employer)


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(employer: Employer, *people: dict[str, str], **post: str) -> dict[str, str]:
    data = {"employer": str(employer.pk), "action": "submit", "position": "", "post_name": "", "channel": ""}
    data.update(post)
    data.update(
        {
            "people-TOTAL_FORMS": str(len(people)),
            "people-INITIAL_FORMS": "0",
            "people-MIN_NUM_FORMS": "1",
            "people-MAX_NUM_FORMS": "50",
        }
    )
    for index, fields in enumerate(people):
        data.update({f"people-{index}-{name}": value for name, value in fields.items()})
    return data


def _typed(n: int, **extra: str) -> dict[str, str]:
    return {
        "name": f"表单人员{n}",
        "id_number": make_id_number(6100 + n),
        "mode": "full_time",
        "contract_term": "3年",
        "graduated_on": "2025-06-30",
        **extra,
    }


def _declared(by: User, employer: Employer, n: int = 1) -> DeclaredPerson:
    declaration = declaration_submit(
        post=DeclaredPost(employer=employer, post_name="平台外岗位", channel="bounty_list"),
        people=[PersonData(name=f"已申报{n}", id_number=make_id_number(6500 + n), mode="full_time",
                           contract_term="3年", programme="haiju", work_experience="2018-2025 某研究院 工程师")],
        by=by,
    )  # fmt: skip
    return declaration.people.get()


# --- the third party's pages -------------------------------------------------------------------------------------


def test_the_employer_search_finds_by_name_or_credit_code(headhunter: User, employer: Employer) -> None:
    unknown = EmployerFactory(name="重庆申报测试无代码单位", credit_code=None, district=None)
    client = _logged_in(headhunter)
    page = client.get(reverse("referrals:declaration_create"), {"q": "申报测试"}).content.decode()
    assert employer.name in page and unknown.name not in page
    assert employer.credit_code is not None
    page = client.get(reverse("referrals:declaration_create"), {"q": employer.credit_code.lower()}).content.decode()
    assert employer.name in page
    assert client.get(reverse("referrals:declaration_create"), {"employer": unknown.pk}).status_code == 404


def test_the_form_declares_several_people_and_adds_a_person(
    headhunter: User, employer: Employer, position: Position
) -> None:
    client = _logged_in(headhunter)
    url = reverse("referrals:declaration_create")
    grown = client.post(url, _form(employer, _typed(1)) | {"action": "add_person", "position": str(position.pk)})
    page = grown.content.decode()
    assert grown.status_code == 200 and "第2位人员" in page and "表单人员1" in page
    assert "is-invalid" not in page and not DeclaredPerson.objects.exists()
    response = client.post(url, _form(employer, _typed(1), _typed(2), {}, position=str(position.pk)))
    assert response.status_code == 302
    assert sorted(DeclaredPerson.objects.values_list("name", flat=True)) == ["表单人员1", "表单人员2"]
    listing = client.get(reverse("referrals:declaration_list")).content.decode()
    assert "表单人员2" in listing and "待单位确认" in listing and make_id_number(6101) not in listing


def test_a_refused_person_names_the_person_and_writes_nothing(headhunter: User, employer: Employer) -> None:
    client = _logged_in(headhunter)
    response = client.post(
        reverse("referrals:declaration_create"),
        _form(
            employer,
            _typed(1, programme="haiju", work_experience="2018-2025 某研究院 工程师"),
            _typed(2, graduated_on=""),
            post_name="平台外岗位",
            channel="bounty_list",
        ),
    )
    assert response.status_code == 400
    assert "第2位人员（表单人员2）：请填写毕业时间（启航）或工作经历（海聚）。" in response.content.decode()
    assert not DeclaredPerson.objects.exists()


def test_an_unverified_third_party_reads_but_cannot_declare(employer: Employer) -> None:
    user = UserFactory(third_party_user=True)
    client = _logged_in(user)
    assert "尚未通过" in client.get(reverse("referrals:declaration_list")).content.decode()
    response = client.post(
        reverse("referrals:declaration_create"),
        _form(
            employer,
            _typed(1, programme="haiju", work_experience="2018-2025 某研究院 工程师"),
            post_name="平台外岗位",
            channel="bounty_list",
        ),
    )
    assert response.status_code == 400 and "核验" in response.content.decode()
    assert not DeclaredPerson.objects.exists()


def test_another_third_partys_person_is_not_found(headhunter: User, employer: Employer) -> None:
    other = _declared(UserFactory(third_party_user=True, third_party__verified=True), employer)
    client = _logged_in(headhunter)
    assert client.post(reverse("referrals:declared_person_withdraw", args=[other.pk])).status_code == 404
    assert other.name not in client.get(reverse("referrals:declaration_list")).content.decode()
    mine = _declared(headhunter, employer, 2)
    assert client.post(reverse("referrals:declared_person_withdraw", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    assert mine.status == DeclarationStatus.WITHDRAWN
    for user in (UserFactory(employer_user=True, employer=employer), UserFactory(clerk=True)):
        assert _logged_in(user).get(reverse("referrals:declaration_list")).status_code == 403


# --- the Annex 3 sheet --------------------------------------------------------------------------------------------


def test_a_sheet_is_previewed_then_declared_whole(
    tmp_path: Path, headhunter: User, employer: Employer, position: Position
) -> None:
    rows = [
        sheet_person(1, "智能制造工程师", 毕业时间=datetime.date(2025, 6, 30)),
        sheet_person(2, "", 引进方式="（柔性）", 专项="海聚", **{"工作经历（海聚）": "2018-2025 某研究院 工程师"}),
    ]
    path = write_sheet(tmp_path / "申报.xlsx", rows, extra=("专项", "毕业时间"))
    post = DeclaredPost(employer=employer, position=position)
    preview = preview_declared_people(file=path, post=post, by=headhunter)
    assert not preview.errors and len(preview.people) == 2
    assert preview.people[0].graduated_on == datetime.date(2025, 6, 30)
    assert preview.people[1].mode == "flexible" and preview.people[1].programme == "haiju"
    assert not DeclaredPerson.objects.exists()  # a preview writes nothing
    declaration = declare_from_sheet(file=path, post=post, by=headhunter)
    assert declaration.people.count() == 2
    # The same sheet again: every row refused, nothing added.
    with pytest.raises(PortalImportError) as caught:
        declare_from_sheet(file=path, post=post, by=headhunter)
    assert [(error.row, error.column) for error in caught.value.errors] == [(4, "身份证号码"), (5, "身份证号码")]
    assert "您已申报过该人员" in caught.value.errors[0].message
    assert DeclaredPerson.objects.count() == 2


def test_sheet_row_errors_name_row_and_column_and_nothing_is_declared(
    tmp_path: Path, headhunter: User, employer: Employer, position: Position
) -> None:
    rows = [
        sheet_person(1, "智能制造工程师"),
        sheet_person(2, "另一个岗位"),
        sheet_person(3, "", 身份证号码=make_id_number(1)),
        sheet_person(4, "", 学历="高中", 引进方式="兼职"),
    ]
    path = write_sheet(tmp_path / "申报.xlsx", rows)
    with pytest.raises(PortalImportError) as caught:
        declare_from_sheet(file=path, post=DeclaredPost(employer=employer, position=position), by=headhunter)
    found = {(error.row, error.column) for error in caught.value.errors}
    assert found == {(5, "岗位名称"), (6, "身份证号码"), (7, "引进方式"), (7, "学历")}
    assert not DeclaredPerson.objects.exists()
    assert all(make_id_number(1) not in error.message for error in caught.value.errors)


def test_the_sheet_page_previews_then_confirms(
    tmp_path: Path, headhunter: User, employer: Employer, position: Position
) -> None:
    path = write_sheet(tmp_path / "申报.xlsx", [sheet_person(1, "智能制造工程师")])
    client = _logged_in(headhunter)
    url = reverse("referrals:declaration_create")
    sheet_post = {
        "employer": str(employer.pk),
        "sheet-position": str(position.pk),
        "sheet-post_name": "",
        "sheet-channel": "",
    }
    preview = client.post(
        url,
        sheet_post | {"action": "preview_sheet", "file": SimpleUploadedFile("申报.xlsx", path.read_bytes())},
    )
    page = preview.content.decode()
    assert preview.status_code == 200 and "确认申报1人" in page and make_id_number(1) not in page
    assert not DeclaredPerson.objects.exists()
    assert client.post(url, sheet_post | {"action": "confirm_sheet"}).status_code == 302
    assert DeclaredPerson.objects.get().name == "人才1"


# --- the employer's page ------------------------------------------------------------------------------------------


def test_the_employer_confirms_one_and_declines_one(
    headhunter: User, employer: Employer, hr: User, clerk: User
) -> None:
    first, second = _declared(headhunter, employer, 1), _declared(headhunter, employer, 2)
    rival = _declared(UserFactory(third_party_user=True, third_party__verified=True), employer, 1)
    client = _logged_in(hr)
    page = client.get(reverse("referrals:employer_declarations")).content.decode()
    assert "多家申报" in page and first.name in page and first.id_number not in page
    decide = "referrals:employer_declaration_decide"
    assert client.post(reverse(decide, args=[first.pk]), {"decision": "confirm"}).status_code == 302
    refused = client.post(reverse(decide, args=[second.pk]), {"decision": "decline", "reason": ""}, follow=True)
    assert "请填写不予确认的原因" in refused.content.decode()
    client.post(reverse(decide, args=[second.pk]), {"decision": "decline", "reason": "未在本单位任职"})
    statuses = dict(DeclaredPerson.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "confirmed", second.pk: "declined", rival.pk: "declined"}
    rival.refresh_from_db()
    assert rival.decline_reason == COMPETING_DECLINE_REASON
    hire = Hire.objects.get()
    assert hire.status == HireStatus.RECORDED and hire.district == employer.district
    # The district's clerk finds the arrival on its list, waiting for audit.
    assert hire.name in _logged_in(clerk).get(reverse("referrals:hire_list")).content.decode()
    detail = _logged_in(clerk).get(reverse("referrals:hire_detail", args=[hire.pk])).content.decode()
    assert "平台外岗位" in detail and headhunter.third_party.name in detail  # type: ignore[union-attr]


def test_another_employers_person_is_not_found(headhunter: User, employer: Employer, hr: User) -> None:
    elsewhere = _declared(headhunter, EmployerFactory())
    client = _logged_in(hr)
    url = reverse("referrals:employer_declaration_decide", args=[elsewhere.pk])
    assert client.post(url, {"decision": "confirm"}).status_code == 404
    assert elsewhere.name not in client.get(reverse("referrals:employer_declarations") + "?all=1").content.decode()
    assert _logged_in(headhunter).post(url, {"decision": "confirm"}).status_code == 403


# --- the API ------------------------------------------------------------------------------------------------------


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _body(employer: Employer, *numbers: int, **post: Any) -> dict[str, Any]:
    return {
        "employer": employer.pk,
        "post_name": "接口岗位",
        "channel": "special_recruitment",
        **post,
        "people": [
            {"name": f"接口人员{n}", "id_number": make_id_number(6300 + n), "mode": "full_time",
             "contract_term": "3年", "programme": "haiju", "work_experience": "2018-2025 某研究院 工程师", "graduated_on": "2025-06-30"}
            for n in numbers
        ],
    }  # fmt: skip


def test_the_api_declares_lists_and_withdraws(headhunter: User, employer: Employer, position: Position) -> None:
    client = _api(headhunter)
    created = client.post(DECLARATIONS, _body(employer, 1, 2), format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert [person["status"] for person in data["people"]] == ["pending", "pending"]
    assert "id_number" not in data["people"][0] and data["people"][0]["id_number_masked"].startswith("500103")
    again = client.post(DECLARATIONS, _body(employer, 2), format="json")
    assert again.status_code == 400 and "您已申报过该人员" in again.json()["detail"]
    by_post = client.post(DECLARATIONS, _body(employer, 3, position=position.pk), format="json")
    assert by_post.json()["post_name"] == position.name
    listed = client.get(DECLARATIONS).json()
    assert listed["count"] == 2
    person = data["people"][0]["id"]
    withdrawn = client.post(f"{DECLARATIONS}{data['id']}/withdraw/", {"person": person}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["people"][0]["status"] == "withdrawn"
    stranger = _api(UserFactory(third_party_user=True, third_party__verified=True))
    assert stranger.get(f"{DECLARATIONS}{data['id']}/").status_code == 404
    assert stranger.post(f"{DECLARATIONS}{data['id']}/withdraw/", {"person": person}).status_code == 404
    assert (
        _api(UserFactory(employer_user=True, employer=employer))
        .post(DECLARATIONS, _body(employer, 4), format="json")
        .status_code
        == 403
    )


def test_the_api_confirms_and_declines_for_the_employer(headhunter: User, employer: Employer, hr: User) -> None:
    first, second = _declared(headhunter, employer, 1), _declared(headhunter, employer, 2)
    client = _api(hr)
    listed = client.get(CONFIRMATIONS).json()
    assert {row["id"] for row in listed["results"]} == {first.pk, second.pk}
    assert listed["results"][0]["competing"] == 0
    confirmed = client.post(f"{CONFIRMATIONS}{first.pk}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["hire"]["status"] == "recorded"
    refused = client.post(f"{CONFIRMATIONS}{second.pk}/decline/", {"reason": ""}, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "reason"
    declined = client.post(f"{CONFIRMATIONS}{second.pk}/decline/", {"reason": "非本单位人员"}, format="json")
    assert declined.json()["status"] == "declined"
    assert client.get(CONFIRMATIONS).json()["count"] == 0
    assert client.get(CONFIRMATIONS, {"all": "1"}).json()["count"] == 2
    other = _api(UserFactory(employer_user=True))
    assert other.post(f"{CONFIRMATIONS}{second.pk}/confirm/").status_code == 404
    followed = _api(headhunter).get(DECLARATIONS).json()["results"]
    stages = {person["name"]: person["hire_stage"] for row in followed for person in row["people"]}
    assert stages == {first.name: "recorded", second.name: None}


def test_a_refused_declaration_raises_the_business_error(headhunter: User, employer: Employer) -> None:
    with pytest.raises(PortalError, match="至少"):
        declaration_submit(
            post=DeclaredPost(employer=employer, post_name="岗位", channel="bounty_list"), people=[], by=headhunter
        )


def test_my_declarations_say_who_audits_mark_bases_and_hide_an_empty_actions_column(
    headhunter: User, employer: Employer, hr: User, django_assert_max_num_queries: Any
) -> None:
    from referrals.declarations import declared_person_decide
    from tests.factories import TalentBaseFactory

    TalentBaseFactory(employer=employer)
    base = EmployerFactory(district=None, credit_code="91500000MA5U000001", name="无区县基地单位")
    base_hr = UserFactory(employer_user=True, employer=base)
    here = _declared(headhunter, employer, 1)
    there = _declared(headhunter, base, 2)
    declared_person_decide(person=here, confirmed=True, by=hr)
    client = _logged_in(headhunter)
    page = client.get(reverse("referrals:declaration_list")).content.decode()
    assert "操作</th>" in page  # one person still pending: it can be withdrawn
    assert "由" + employer.district.name + "人力社保局审核。" in page  # type: ignore[union-attr]
    assert "用人单位已于" in page and "；铜梁区审核" not in page
    assert "portal-base-badge" in page
    declared_person_decide(person=there, confirmed=True, by=base_hr)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("referrals:declaration_list")).content.decode()
    assert "由重庆市人才交流服务中心审核。" in page
    assert "操作</th>" not in page and "撤回</button>" not in page
    assert page.count("portal-base-badge") == 1  # the base employer only
    Hire.objects.filter(district=employer.district).update(status=HireStatus.RETURNED)
    page = client.get(reverse("referrals:declaration_list")).content.decode()
    assert "人力社保局审核，现退回修改，正在核对更正。" in page


def test_the_employer_sees_what_it_needs_to_decide(headhunter: User, employer: Employer, hr: User) -> None:
    declaration_submit(
        post=DeclaredPost(employer=employer, post_name="平台外岗位", channel="bounty_list"),
        people=[
            PersonData(
                name="核对人员", id_number=make_id_number(6601), mode="full_time", contract_term="3年",
                programme="haiju", school="重庆大学", major="机械工程", education="master",
                graduated_on=datetime.date(2015, 6, 30), arrived_on=datetime.date(2026, 3, 2),
                work_experience="2015年至2025年在某汽车公司从事底盘结构设计，主持过三个车型的开发，负责项目的结构仿真和试验验证工作。",
            )
        ],
        by=headhunter,
    )  # fmt: skip
    page = _logged_in(hr).get(reverse("referrals:employer_declarations")).content.decode()
    for text in (
        "专项",
        "海聚",
        "重庆大学",
        "机械工程",
        "硕士",
        "2015-06-30",
        "2026-03-02",
        "2015年至2025年在某汽车公司",
    ):
        assert text in page, text
    assert "试验验证工作" not in page  # the work history is shortened


def test_a_wrong_id_number_is_flagged_with_the_missing_fields_in_one_round(
    headhunter: User, employer: Employer, position: Position
) -> None:
    """The person's number is checked as the form is checked: the third party corrects everything at once."""
    wrong = make_id_number(6201)[:-1] + ("0" if make_id_number(6201)[-1] != "0" else "1")
    person = _typed(1, id_number=wrong, contract_term="")
    response = _logged_in(headhunter).post(
        reverse("referrals:declaration_create"), _form(employer, person, position=str(position.pk))
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "身份证号码校验位不正确" in page and "该字段是必填项" in page
    assert not DeclaredPerson.objects.exists()


def test_the_correction_form_knows_a_declared_hire_from_the_row_it_read(
    headhunter: User, employer: Employer, hr: User, clerk: User, django_assert_num_queries: Any
) -> None:
    """``selectors.hire_office_editable`` reads whether an employer confirmed the person with the hire, so the form
    asks no query of its own; a hire read otherwise (the service's locked read) still asks the database."""
    from referrals.declarations import declared_person_decide
    from referrals.selectors import hire_office_editable
    from referrals.services import hire_is_declared
    from tests.factories import HireFactory

    person = _declared(headhunter, employer, 1)
    declared_person_decide(person=person, confirmed=True, by=hr)
    declared = Hire.objects.get()
    # Since moved to one of the employer's portal posts: declared all the same.
    Hire.objects.filter(pk=declared.pk).update(position=PositionFactory(employer=employer, published=True))
    recorded = HireFactory(position__batch__district=employer.district)
    editable = hire_office_editable(user=clerk)
    read = {hire.pk: hire for hire in editable.filter(pk__in=[declared.pk, recorded.pk])}
    with django_assert_num_queries(0):
        assert hire_is_declared(read[declared.pk]) and not hire_is_declared(read[recorded.pk])
    assert hire_is_declared(Hire.objects.get(pk=declared.pk))
    assert not hire_is_declared(Hire.objects.get(pk=recorded.pk))
