"""Saving a form unchanged changes nothing. For each form a role can open on an existing record, the person signs in
(the real login page, with the authenticator code where the role needs one), opens the record's form in headless
Chromium, presses its save button without touching a field, and the record must be the same afterwards, field by
field, with no audit-trail entry showing a change.

A round trip loses data wherever what the page is given is not what the browser sends back: a date in the
locale's format that ``<input type="date">`` drops, a decimal shown as ``30,000.00``, a select whose options miss
the stored value, a textarea whose ``\\n`` comes back ``\\r\\n``, a masked number saved masked, a time that loses
its seconds' fractions or shifts by eight hours. Records here have every optional field filled with a value that
is not the default (dates, decimals with fen, choices other than the first, booleans True, foreign keys, many-to-
many), since a default hides a loss.

Compared: every concrete column (``Model._meta.concrete_fields``, read back through the ORM, so an encrypted column
compares its plaintext: its stored token changes on every write by design, a fresh IV each time) and every
many-to-many, plus the rows a form edits with its record (a claim's lines, a base batch's bases), primary keys
included, so deleting and re-creating the same lines counts as a change. Excluded, and only these: columns with
``auto_now=True`` (``updated_at``): Django stamps them on every ``save()``, it is their whole point to say when the
row was last written, and no form shows or sends them.

The admin's change forms are parametrised over ``admin.site._registry``: a model registered later is tested
without anybody adding it here, and fails until it has a record below (``RECORDS``) or its admin is read-only
(evidence and workflow records: asserted, then skipped with the reason). A record must fill every field its form
edits (``assert_filled``). Anonymised records (``portal.retention``) must open read-only. A third party's details
and an employer's are edited in the admin only (the portal has no page for either): their admin change forms are
their round trip. The admin signs in once per module (``admin_signed_in``); the other roles once per test, since
each test starts on an emptied database.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from portal.calendar.tenday import SHANGHAI
from portal.constants import NotificationKind
from portal.models import (
    AnnualTarget,
    CalendarYear,
    NotificationPreference,
    Policy,
    PolicyCategory,
    RetentionPolicy,
    SubsidyCap,
    User,
    WorkingDayOverride,
)
from portal.notifications.services import email_choices
from positions.forms import PositionForm
from referrals.forms import HireForm
from referrals.models import GraduateWindow, PublicityExemptionRule
from tests.browser.conftest import log_in, message
from tests.factories import (
    ClaimFactory,
    DistrictFactory,
    EmployerFactory,
    HireFactory,
    PositionFactory,
    ThirdPartyFactory,
    UserFactory,
    claimable_hire,
    ensure_caps,
    make_id_number,
    make_uscc,
)
from tests.otp import authenticator

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Text with what browsers and forms like to rewrite: lines (sent back as CRLF), a blank line, inner double spaces.
MULTILINE = "1. 熟悉工业控制系统；\n2. 有  三年以上项目经验。\n\n3. 能适应出差。"
#: An aware time with seconds and microseconds, in Shanghai: zh-hans's time inputs show hours and minutes only.
AN_INSTANT = datetime.datetime(2026, 11, 20, 9, 30, 15, 123456, tzinfo=SHANGHAI)
ARRIVAL = datetime.date(2026, 11, 20)


# ---------------------------------------------------------------------------------------------------------------
# What is compared
# ---------------------------------------------------------------------------------------------------------------


def _compared_fields(model: type[models.Model]) -> list[models.Field]:
    # auto_now columns (updated_at) are stamped by every save(): see the module's note.
    return [f for f in model._meta.concrete_fields if not getattr(f, "auto_now", False)]


def state(obj: models.Model) -> dict[str, Any]:
    """The record as stored: every compared column and many-to-many, read back from the database."""
    model = type(obj)
    key = model._meta.pk.attname  # not ``pk``: DRF's TokenProxy answers ``pk`` with its user's id
    fresh = model._base_manager.get(**{key: getattr(obj, key)})
    values: dict[str, Any] = {f.attname: getattr(fresh, f.attname) for f in _compared_fields(model)}
    for m2m in model._meta.many_to_many:
        values[m2m.name] = sorted(getattr(fresh, m2m.name).values_list("pk", flat=True))
    return values


def rows(queryset: models.QuerySet) -> list[dict[str, Any]]:
    """Child rows a form edits with its record, primary keys included (a line deleted and re-created is a change)."""
    return [state(row) for row in queryset.order_by("pk")]


def differences(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {key: (before[key], after.get(key)) for key in before if before[key] != after.get(key)}


def audit_mark() -> int:
    return LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def audit_changes_since(mark: int) -> list[str]:
    """Audit-trail entries written since ``mark`` that record a change (create, update or delete with changes)."""
    return [
        f"{entry.content_type.model} #{entry.object_pk} {entry.get_action_display()}: {entry.changes}"
        for entry in LogEntry.objects.filter(pk__gt=mark).select_related("content_type").order_by("pk")
        if entry.changes
    ]


class Snapshot:
    """The records a form shows, taken before the save; ``assert_unchanged()`` after it."""

    def __init__(self, *records: models.Model, children: Callable[[], list[dict[str, Any]]] | None = None) -> None:
        self.records = records
        self.children = children
        self.before = [state(record) for record in records]
        self.children_before = children() if children else []
        self.mark = audit_mark()

    def assert_unchanged(self) -> None:
        for record, before in zip(self.records, self.before, strict=True):
            changed = differences(before, state(record))
            assert not changed, f"{type(record).__name__} #{record.pk} changed by an unchanged save: {changed}"
        if self.children:
            after = self.children()
            assert after == self.children_before, (
                f"the rows edited with the record changed: {self.children_before} → {after}"
            )
        written = audit_changes_since(self.mark)
        assert not written, f"an unchanged save wrote audit entries with changes: {written}"


# ---------------------------------------------------------------------------------------------------------------
# The person at the browser
# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture
def browser_page(open_person: Callable[[], Page]) -> Page:
    """One person's page, with ``open_person``'s checks (no CSP violation, no script error)."""
    return open_person()


@pytest.fixture
def shot(screenshot_of: Callable[[Page, str], Path]) -> Callable[[Page, str], Path]:
    def take(page: Page, name: str) -> Path:
        return screenshot_of(page, f"round-trip-{name}")

    return take


# ---------------------------------------------------------------------------------------------------------------
# The portal's own forms
# ---------------------------------------------------------------------------------------------------------------


def test_clerk_saves_a_post_unchanged(browser_page: Page, shot: Callable[[Page, str], Path]) -> None:
    """修改岗位 (Annex 1) by the district clerk: a returned post, every field filled, none at its first choice."""
    from playwright.sync_api import expect

    district = DistrictFactory(code="500151", name="铜梁区")
    clerk = UserFactory(clerk=True, district=district, username="clerk_round_trip")
    EmployerFactory(district=district, name="重庆铜梁甲单位")  # another employer: the select has a choice to keep
    post = PositionFactory(
        batch__district=district,
        employer__name="重庆铜梁乙单位",
        status="returned",
        return_reason="请补充薪资范围的计算口径。",
        channel="special_recruitment",
        name="前沿通信技术与政策研究工程师",
        headcount=4,
        education="doctor",
        majors="电子信息、通信工程、计算机",
        competencies=MULTILINE,
        recruits_graduates=False,
        salary_text="1.5万/月",
        created_by=clerk,
    )
    assert_filled(
        post,
        "",
        PositionForm.base_fields,
        {"recruits_graduates": "是/否 radios, both sent: 否 here, 是 in the admin's"},
    )
    snapshot = Snapshot(post)

    log_in(browser_page, clerk.username)
    browser_page.goto(reverse("positions:edit", args=[post.pk]))
    expect(browser_page.get_by_role("heading", name=f"修改岗位：{post.name}")).to_be_visible()
    expect(browser_page.get_by_label("岗位名称")).to_have_value(post.name)
    expect(browser_page.get_by_label("职业能力要求")).to_have_value(MULTILINE)
    shot(browser_page, "post-clerk")
    browser_page.get_by_role("button", name="保存草稿").click()
    expect(message(browser_page, f"已保存修改：{post.name}。")).to_be_visible()
    snapshot.assert_unchanged()


def test_clerk_saves_a_hire_unchanged(browser_page: Page, shot: Callable[[Page, str], Path]) -> None:
    """修改到岗人员 (Annex 3) by the district clerk: arrival date, third party, programme other than the post's
    default, every optional field filled."""
    from playwright.sync_api import expect

    district = DistrictFactory(code="500120", name="璧山区")
    clerk = UserFactory(clerk=True, district=district, username="clerk_bishan")
    post = PositionFactory(published=True, batch__district=district, recruits_graduates=True, created_by=clerk)
    PositionFactory(published=True, batch__district=district, employer=post.employer, created_by=clerk)
    ThirdPartyFactory(name="重庆甲人力资源服务有限公司")
    party = ThirdPartyFactory(name="重庆英才人力资源服务有限公司", verified=True)
    hire = HireFactory(
        position=post,
        recorded_by=clerk,
        status="returned",
        return_reason="请核对合同期限。",
        programme="haiju",  # the post recruits graduates: 启航 would be the default
        name="李明远",
        id_number=make_id_number(37, region="500103", birthday="19990315"),
        mode="flexible",
        contract_term="2026年11月至2029年10月",
        school="重庆大学",
        major="控制科学与工程",
        education="doctor",
        title_rank="高级工程师",
        skill_level="一级/高级技师",
        arrived_on=ARRIVAL,
        graduated_on=datetime.date(2013, 7, 1),  # long before the 应届 window: 海聚 stands
        work_experience=MULTILINE,
        other_conditions="入选重庆英才计划。\n获省部级科技奖励。",
        third_party=party,
        employer_confirmation="confirmed",
        employer_confirmed_at=AN_INSTANT,
        employer_confirmed_by=UserFactory(employer_user=True, employer=post.employer),
    )
    assert_filled(hire, "", HireForm.base_fields)
    snapshot = Snapshot(hire)

    log_in(browser_page, clerk.username)
    browser_page.goto(reverse("referrals:hire_edit", args=[hire.pk]))
    expect(browser_page.get_by_label("姓名")).to_have_value(hire.name)
    expect(browser_page.get_by_label("入职时间")).to_have_value(ARRIVAL.isoformat())
    expect(browser_page.get_by_label("工作经历（海聚）")).to_have_value(MULTILINE)
    shot(browser_page, "hire-clerk")
    browser_page.get_by_role("button", name="保存", exact=True).click()
    browser_page.wait_for_load_state()
    shot(browser_page, "hire-clerk-saved")
    expect(message(browser_page, f"已保存修改：{hire.name}。")).to_be_visible()
    snapshot.assert_unchanged()


def _claim_with_lines(status: str) -> tuple[Any, User]:
    """A claim of two hires (one at the full cap, one at an amount with fen), every declaration made, and one more
    claimable hire of the same employer left off it; ``status`` draft or returned (by the talent centre)."""
    from subsidies.models import Claim

    ensure_caps()
    party = ThirdPartyFactory(verified=True, contact_name="周经理")
    person = UserFactory(third_party_user=True, third_party=party, username="agency_round_trip")
    employer = EmployerFactory(contact_name="王经理", contact_phone="023-88152028")
    first = claimable_hire(party, employer, arrived_on=ARRIVAL)
    second = claimable_hire(party, employer, channel="special_recruitment", arrived_on=ARRIVAL)
    claimable_hire(party, employer, arrived_on=ARRIVAL)  # claimable, not on the claim: stays off it
    claim = ClaimFactory(
        by=person,
        employer=employer,
        hires=[first, second],
        amounts=("30000.00", "3456.78"),
        employer_contact="王  经理",
        employer_phone="023-88152028",
        status=status,
        first_opinion="请补充用人单位盖章的确认表。",
    )
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.status == status
    return claim, person


@pytest.mark.parametrize("status", ["draft", "returned"])
def test_third_party_saves_a_claim_unchanged(
    browser_page: Page, shot: Callable[[Page, str], Path], status: str
) -> None:
    """修改申报 (Annex 2) by the third party: its draft, and a claim returned for correction."""
    from playwright.sync_api import expect

    from subsidies.models import ClaimItem

    claim, person = _claim_with_lines(status)
    snapshot = Snapshot(claim, children=lambda: rows(ClaimItem.objects.filter(claim=claim)))

    log_in(browser_page, person.username)
    browser_page.goto(reverse("subsidies:claim_edit", args=[claim.pk]))
    expect(browser_page.get_by_label("用人单位联系人")).to_have_value(claim.employer_contact)
    expect(browser_page.get_by_role("checkbox", checked=True)).to_have_count(2 + 3)
    shot(browser_page, f"claim-{status}")
    browser_page.get_by_role("button", name="保存", exact=True).click()
    expect(message(browser_page, f"已保存{claim.reference}的修改。")).to_be_visible()
    snapshot.assert_unchanged()


#: The details a third party registered and corrects when the talent centre returns them (注册信息).
THIRD_PARTY_DETAILS = (
    "kind",
    "name",
    "credit_code",
    "id_number",
    "id_number_digest",
    "contact_name",
    "phone",
    "bank_name",
    "bank_account",
)


@pytest.mark.parametrize("individual", [False, True], ids=["organisation", "individual"])
def test_third_party_resubmits_its_registration_unchanged(
    browser_page: Page, shot: Callable[[Page, str], Path], individual: bool
) -> None:
    """注册信息 returned for correction (退回补正), sent back unchanged: every detail as it was (the resubmission
    itself moves the registration back to 待核验 and is in the trail, which is the action asked for)."""
    from playwright.sync_api import expect

    party = ThirdPartyFactory(
        returned=True,
        individual=individual,
        contact_name="孙晓琳",
        phone="023-67889900",
        bank_name="中国建设银行重庆渝北支行",
        bank_account="6217003810012345678",
    )
    person = UserFactory(third_party_user=True, third_party=party, username=f"party_{int(individual)}")
    stored = state(party)
    assert set(THIRD_PARTY_DETAILS) <= set(stored), set(THIRD_PARTY_DETAILS) - set(stored)
    before = {key: value for key, value in stored.items() if key in THIRD_PARTY_DETAILS}
    assert all(before[key] for key in ("name", "phone", "bank_account")), before
    mark = audit_mark()

    log_in(browser_page, person.username)
    browser_page.goto(reverse("portal:registration_details"))
    expect(browser_page.get_by_label("开户银行")).to_have_value(party.bank_name)
    shot(browser_page, f"registration-{'individual' if individual else 'organisation'}")
    browser_page.get_by_role("button", name="修改后重新提交").click()
    expect(message(browser_page, "已重新提交核验。")).to_be_visible()
    after = {key: value for key, value in state(party).items() if key in THIRD_PARTY_DETAILS}
    assert differences(before, after) == {}
    party.refresh_from_db()
    assert party.status == "pending"
    moved = {
        field
        for entry in LogEntry.objects.filter(pk__gt=mark, object_pk=str(party.pk))
        for field in (entry.changes_dict or {})
    }
    assert not moved & set(THIRD_PARTY_DETAILS), f"the trail records detail changes: {moved}"


NOTIFICATION_ROLES = {
    "district_clerk": {"clerk": True},
    "third_party": {"third_party_user": True},
    "employer": {"employer_user": True},
    "talent_centre": {"centre": True},
}


@pytest.mark.parametrize("role", list(NOTIFICATION_ROLES))
def test_notification_settings_saved_unchanged(
    browser_page: Page, shot: Callable[[Page, str], Path], role: str
) -> None:
    """通知设置: every kind of the role turned away from its default, but one left at the default (no row)."""
    from playwright.sync_api import expect

    user = UserFactory(username=f"notify_{role}", email=f"{role}@example.cn", **NOTIFICATION_ROLES[role])
    if user.role == "talent_centre":
        authenticator(user)
    kinds = list(email_choices(user=user).items())
    for kind, by_email in kinds[:-1]:
        NotificationPreference.objects.create(user=user, kind=kind, by_email=not by_email)
    choices = email_choices(user=user)
    stored = list(NotificationPreference.objects.filter(user=user).order_by("pk").values("pk", "kind", "by_email"))

    log_in(browser_page, user.username)
    snapshot = Snapshot(user)  # after the sign-in, which stamps last_login
    browser_page.goto(reverse("portal:notification_settings"))
    for kind, by_email in choices.items():
        box = browser_page.get_by_label(str(NotificationKind(kind).label))
        (expect(box).to_be_checked if by_email else expect(box).not_to_be_checked)()
    shot(browser_page, f"notifications-{role}")
    browser_page.get_by_role("button", name="保存", exact=True).click()
    expect(message(browser_page, "通知设置已保存。")).to_be_visible()
    assert email_choices(user=user) == choices
    # The rows there were keep their values; the kind left at its default may now be stored, with the same value.
    after = {
        row["pk"]: row for row in NotificationPreference.objects.filter(user=user).values("pk", "kind", "by_email")
    }
    assert [after.get(row["pk"]) for row in stored] == stored
    snapshot.assert_unchanged()


# ---------------------------------------------------------------------------------------------------------------
# The admin's change forms, one per registered model
# ---------------------------------------------------------------------------------------------------------------


ADMIN = "admin_round_trip"


@pytest.fixture(scope="module")
def admin_signed_in() -> dict[str, Any]:
    """The admin's account, authenticator and signed-in session as rows, and the browser's cookies, once the admin
    has signed in (the real page, password then code) in the module's first admin test. Each test starts on an
    emptied database (the live server needs committed rows, so pytest-django flushes after every test): the later
    tests put these three rows back as they were and open the browser with the same cookies, instead of signing in
    again. The same primary keys come back, so the session still names its user and verified device."""
    return {}


@pytest.fixture
def admin_page(browser: Any, live_server: Any, admin_signed_in: dict[str, Any]) -> Iterator[tuple[Page, User]]:
    """A page of the admin, signed in (see ``admin_signed_in``), with ``open_person``'s checks: no CSP violation,
    no script error."""
    from django.contrib.sessions.models import Session
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if admin_signed_in:
        for model, row in admin_signed_in["rows"]:
            model._base_manager.bulk_create([row])  # no signals: the audit trail is not the test's to fill
    else:
        user = UserFactory(admin=True, username=ADMIN, display_name="管理员")
        authenticator(user)
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 1280, "height": 900},
        storage_state=admin_signed_in.get("cookies"),
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    if not admin_signed_in:
        log_in(page, ADMIN)
        user = User.objects.get(username=ADMIN)
        session_key = next(c["value"] for c in context.cookies() if c["name"] == "sessionid")
        admin_signed_in["rows"] = [
            (User, user),
            (TOTPDevice, TOTPDevice.objects.get(user=user)),
            (Session, Session.objects.get(session_key=session_key)),
        ]
        admin_signed_in["cookies"] = context.storage_state()
    yield page, User.objects.get(username=ADMIN)
    context.close()
    assert not problems, f"CSP violations or script errors: {problems}"


def _group() -> Group:
    group = Group.objects.create(name="区县经办人（补充权限）")
    group.permissions.set(Permission.objects.filter(codename__in=["view_position", "change_position"]))
    return group


def _user() -> User:
    district = DistrictFactory(code="500107", name="九龙坡区")
    user = UserFactory(
        clerk=True,
        district=district,
        username="clerk_jiulongpo",
        display_name="赵经办",
        first_name="经办",
        last_name="赵",
        email="zhao@jlp.example.cn",
        phone="023-68780000",
        is_staff=True,
        is_superuser=True,
        is_active=False,  # a locked account: the box saved unchecked must stay so
        last_login=AN_INSTANT,
        date_joined=AN_INSTANT - datetime.timedelta(days=400, microseconds=7),
        must_change_password=True,
    )
    user.groups.set([_group()])
    user.user_permissions.set(Permission.objects.filter(codename="view_hire"))
    return user


def _token() -> Any:
    from rest_framework.authtoken.models import Token, TokenProxy

    token = Token.objects.create(user=UserFactory(third_party_user=True, username="api_client"))
    return TokenProxy.objects.get(pk=token.pk)


def _third_party_individual() -> Any:
    return ThirdPartyFactory(
        individual=True,
        name="陈荐才",
        id_number=make_id_number(812, region="500112", birthday="19990704"),
        contact_name="陈荐才",
        phone="13983000000",
        bank_name="重庆农村商业银行渝北支行",
        bank_account="6228480000012345678",
        status="verified",
        verified_at=AN_INSTANT,
        verified_by=UserFactory(centre=True),
    )


def _third_party_agency() -> Any:
    return ThirdPartyFactory(
        kind="social_organisation",
        name="重庆市人才研究会",
        credit_code=make_uscc(77),
        contact_name="刘秘书长",
        phone="023-63890000",
        bank_name="中国建设银行重庆分行",
        bank_account="50001000000000000001",
        status="verified",
        verified_at=AN_INSTANT,
        verified_by=UserFactory(centre=True),
    )


def _subsidy_cap() -> SubsidyCap:
    return SubsidyCap.objects.create(
        channel="special_recruitment",
        amount=Decimal("30000.50"),
        effective_from=datetime.date(2024, 3, 1),
        effective_to=datetime.date(2027, 2, 28),
        source="document",
        policy_reference="渝人社发〔2022〕50号",
        dates_source="document",
        dates_reference="渝人社发〔2024〕3号",
    )


def _position() -> Any:
    district = DistrictFactory(code="500151", name="铜梁区")
    EmployerFactory(district=district)
    post = PositionFactory(
        batch__district=district,
        channel="special_recruitment",
        education="doctor",
        headcount=12,
        competencies=MULTILINE,
        recruits_graduates=True,
        salary_text="15-25万元/年",
        source="import",
        status="closed",
        close_reason="filled",
        return_reason="岗位已招满。",
        published_at=AN_INSTANT,
    )
    return post


def _position_batch() -> Any:
    from positions.models import PositionBatch

    sender = UserFactory(district_reviewer=True, district=DistrictFactory(code="500152", name="潼南区"))
    assert sender.district is not None
    return PositionBatch.objects.create(
        district=sender.district,
        period="2026-11-2",
        status="sent",
        is_zero_report=True,
        sent_at=AN_INSTANT,
        sent_by=sender,
        reopened_reason="补报一个岗位。\n经流动处同意。",
    )


def _notice(district: Any = None) -> Any:
    from referrals.models import PublicityNotice

    district = district or DistrictFactory(code="500118", name="永川区")
    return PublicityNotice.objects.create(
        district=district,
        reference="GS-500118-2026-007",
        title="永川区卓越工程师引进人才公示",
        published_on=datetime.date(2026, 11, 16),
        closes_at=AN_INSTANT.replace(hour=23, minute=59, second=59, microsecond=999999),
        published_by=UserFactory(clerk=True, district=district),
        closed_processed_at=AN_INSTANT + datetime.timedelta(days=5),
    )


def _hire() -> Any:
    from referrals.models import HireReport

    notice = _notice()
    district = notice.district
    post = PositionFactory(published=True, batch__district=district)
    report = HireReport.objects.create(
        district=district,
        period="2026-11-2",
        sent_at=AN_INSTANT,
        sent_by=UserFactory(district_reviewer=True, district=district),
        is_late=True,
        note="逾期一天。",
    )
    return HireFactory(
        position=post,
        programme="haiju",
        year=2026,
        mode="flexible",
        education="doctor",
        title_rank="正高级工程师",
        skill_level="高级技师",
        arrived_on=ARRIVAL,
        work_experience=MULTILINE,
        other_conditions="国家级人才计划入选者。",
        graduated_on=datetime.date(2012, 7, 1),
        status="confirmed",
        notice=notice,
        confirmed_at=AN_INSTANT,
        report=report,
        return_reason="曾退回：合同期限有误。",
        third_party=ThirdPartyFactory(verified=True),
        employer_confirmation="confirmed",
        employer_confirmed_at=AN_INSTANT,
        employer_confirmed_by=UserFactory(employer_user=True, employer=post.employer),
    )


def _objection() -> Any:
    from referrals.models import Objection

    notice = _notice()
    hire = HireFactory(
        position=PositionFactory(published=True, batch__district=notice.district), status="in_publicity", notice=notice
    )
    return Objection.objects.create(
        hire=hire,
        receipt="YY-20261117-0001",
        name="孙举报",
        phone="13800000000",
        statement="该人员学历信息与实际不符。\n请核实。",
        status="dismissed",
        resolution="经核实学历信息无误，异议不成立。",
        resolved_by=UserFactory(clerk=True, district=notice.district),
        resolved_at=AN_INSTANT,
    )


def _base_batch() -> Any:
    from bases.models import BaseBatch, TalentBase

    batch = BaseBatch.objects.create(
        year=2024, number=2, title="2024年第二批", notice_reference="渝人社人才〔2024〕9号"
    )
    for number in (1, 2):
        TalentBase.objects.create(batch=batch, employer=EmployerFactory(), number=number)
    return batch


def _talent_base() -> Any:
    from bases.models import BaseBatch, TalentBase

    BaseBatch.objects.create(year=2023, number=1, title="2023年第一批")
    batch = BaseBatch.objects.create(
        year=2025, number=3, title="2025年第三批", notice_reference="渝人社人才〔2025〕3号"
    )
    return TalentBase.objects.create(batch=batch, employer=EmployerFactory(), number=17)


def _retention_policy() -> RetentionPolicy:
    return RetentionPolicy.objects.create(pk=1, hire_years=7, claim_years=9, updated_by=UserFactory(admin=True))


def _anonymised(record: models.Model) -> models.Model:
    """``record`` as the retention run leaves it once its person's data is past the retention period."""
    from portal.retention import THIRD_PARTY_FIELDS
    from referrals.models import Hire, Objection
    from referrals.retention import HIRE_FIELDS, OBJECTION_FIELDS

    model = type(record)
    by_model: dict[type[models.Model], dict[str, Any]] = {
        Hire: {**HIRE_FIELDS, "anonymised_at": timezone.now()},
        Objection: OBJECTION_FIELDS,
    }
    fields = by_model.get(model, {**THIRD_PARTY_FIELDS, "anonymised_at": timezone.now()})
    model._base_manager.filter(pk=record.pk).update(**fields)
    if isinstance(record, Objection):
        Hire.objects.filter(pk=record.hire_id).update(**HIRE_FIELDS, anonymised_at=timezone.now())
    return model._base_manager.get(pk=record.pk)


def _children_of(record: models.Model) -> Callable[[], list[dict[str, Any]]] | None:
    """Rows an admin form edits with its record (inlines)."""
    from bases.models import BaseBatch, TalentBase

    if isinstance(record, BaseBatch):
        return lambda: rows(TalentBase.objects.filter(batch=record))
    return None


#: One record (or more, by variant) per registered model with an editable change form.
RECORDS: dict[str, dict[str, Callable[[], models.Model]]] = {
    "auth.Group": {"": _group},
    "authtoken.TokenProxy": {"": _token},
    "portal.User": {"": _user},
    "portal.District": {
        "": lambda: DistrictFactory(
            code="500243",
            name="彭水苗族土家族自治县",
            kind="autonomous_county",
            order=41,
            office_name="彭水苗族土家族自治县人力资源和社会保障局",
            objection_phone="023-78441234、023-78445678",
            objection_address="重庆市彭水县汉葭街道滨江路1号，409600",
        )
    },
    "portal.Employer": {
        "named only": lambda: EmployerFactory(
            name="重庆长安汽车股份有限公司", credit_code=None, district=None, contact_name="", contact_phone=""
        ),
        "": lambda: EmployerFactory(
            name="重庆两江智能装备有限公司",
            credit_code=make_uscc(9321),
            district=DistrictFactory(code="ZONE01", name="两江新区", kind="zone", order=39),
            contact_name="何主任",
            contact_phone="13512345678",
        ),
    },
    "portal.ThirdParty": {
        "individual": _third_party_individual,
        "organisation": _third_party_agency,
        "anonymised": lambda: _anonymised(_third_party_individual()),
    },
    "portal.SubsidyCap": {"": _subsidy_cap},
    "portal.AnnualTarget": {
        "": lambda: AnnualTarget.objects.create(
            programme="haiju",
            year=2027,
            target=215,
            approximate=True,
            source="document",
            policy_reference="渝人社发〔2023〕12号",
        )
    },
    "portal.PolicyCategory": {"": lambda: PolicyCategory.objects.create(name="强化卓越工程师服务", order=6)},
    "portal.Policy": {
        "": lambda: Policy.objects.create(
            number=23,
            category=PolicyCategory.objects.create(name="加大卓越工程师资助", order=3),
            content=MULTILINE,
            agency="市人力社保局\n市科技局",
            phone="023-86868882\n023-88152028",
        )
    },
    "portal.CalendarYear": {
        "": lambda: CalendarYear.objects.create(
            year=2031,
            notice_reference="国务院办公厅关于2031年部分节假日安排的通知",
            note="元旦：1月1日放假。\n春节：调休两天。",
        )
    },
    "portal.WorkingDayOverride": {
        "": lambda: WorkingDayOverride.objects.create(
            date=datetime.date(2031, 2, 8), is_working_day=True, reason="春节调休上班"
        )
    },
    "portal.RetentionPolicy": {"": _retention_policy},
    "positions.PositionBatch": {"": _position_batch},
    "positions.Position": {"": _position},
    "referrals.Hire": {"": _hire, "anonymised": lambda: _anonymised(_hire())},
    "referrals.PublicityNotice": {"": _notice},
    "referrals.Objection": {"": _objection, "anonymised": lambda: _anonymised(_objection())},
    "referrals.GraduateWindow": {
        "": lambda: GraduateWindow.objects.create(from_year=2031, years_before=2, basis="渝人社发〔2030〕1号")
    },
    "referrals.PublicityExemptionRule": {
        "": lambda: PublicityExemptionRule.objects.create(
            name="涉外保密项目人员", basis="按有关保密规定", active=False, order=9
        )
    },
    "bases.BaseBatch": {"": _base_batch},
    "bases.TalentBase": {"": _talent_base},
}


#: Variants of a record whose change form is read-only on purpose, and why.
READ_ONLY_VARIANTS = {
    "anonymised": "past the retention period its person's data is emptied: shown, never edited (nothing of the "
    "person comes back, and the emptied fields are required, so even an unchanged save would be refused)",
}


def _admin_cases() -> Iterator[Any]:
    for model in admin.site._registry:
        label = model._meta.label
        for variant in RECORDS.get(label, {"": None}):
            yield pytest.param(label, variant, id=f"{label}-{variant}" if variant else label)


#: Editable fields a record leaves empty, and why it must (the others are all filled, away from their defaults).
LEFT_EMPTY: dict[tuple[str, str], dict[str, str]] = {
    ("portal.ThirdParty", "individual"): {"credit_code": "an individual has an ID number, no credit code"},
    ("portal.ThirdParty", "organisation"): {"id_number": "an organisation has a credit code, no ID number"},
    ("portal.Employer", "named only"): {
        "credit_code": "a base named only in a notice: no credit code known yet (NULL, which must not become '')",
        "district": "nor its district",
        "contact_name": "nor a contact",
        "contact_phone": "nor a phone",
    },
    ("portal.User", ""): {
        "employer": "only an employer's account has an employer; this one is a district's",
        "third_party": "only a third party's account has a third party; this one is a district's",
    },
}


def assert_filled(
    record: models.Model, variant: str, form_fields: dict[str, Any], allowed: dict[str, str] | None = None
) -> None:
    """Every field the form lets one edit holds a value a loss would show: not empty, not its default (a check box
    the other way than its default, True without one), seconds and microseconds in a time. Otherwise a lost value
    would look like a kept one."""
    label = record._meta.label
    allowed = allowed or LEFT_EMPTY.get((label, variant), {})
    problems = []
    for name, form_field in form_fields.items():
        if form_field.disabled or name in allowed:
            continue
        try:
            field = record._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # not a column (the post form's 新增用人单位, for an employer not yet listed)
        assert isinstance(field, models.Field), name  # a form field stands for a column, never a reverse relation
        value = list(getattr(record, name).all()) if field.many_to_many else getattr(record, field.attname, None)
        if isinstance(field, models.BooleanField):
            if value == (field.default if field.has_default() else False):
                problems.append(f"{name} is {value}, its default (a lost box would look the same)")
        elif value in (None, "", []):
            problems.append(f"{name} is empty")
        elif field.has_default() and not callable(field.default) and value == field.default:
            problems.append(f"{name} is its default {value!r}")
        elif isinstance(value, datetime.datetime) and not (value.second and value.microsecond):
            problems.append(f"{name} has no seconds or microseconds to lose")
    assert not problems, f"{label} {variant}: fill every editable field ({'; '.join(problems)})"


def _editable(model_admin: admin.ModelAdmin, request: Any, obj: models.Model | None) -> list[str]:
    """The fields (and inlines) the change form lets an admin edit."""
    if not model_admin.has_change_permission(request, obj):
        return []
    readonly = set(model_admin.get_readonly_fields(request, obj))
    fields = [name for name in flatten_fieldsets(model_admin.get_fieldsets(request, obj)) if name not in readonly]
    fields += [f"inline:{inline.model._meta.label}" for inline in model_admin.get_inline_instances(request, obj)]
    return fields


@pytest.mark.parametrize(("label", "variant"), list(_admin_cases()))
def test_admin_change_form_saved_unchanged(
    admin_page: tuple[Page, User], shot: Callable[[Page, str], Path], label: str, variant: str
) -> None:
    from django.apps import apps
    from playwright.sync_api import expect

    model = apps.get_model(label)
    model_admin = admin.site._registry[model]
    browser_page, user = admin_page
    request = RequestFactory().get("/admin/")
    request.user = user
    builders = RECORDS.get(label)
    if builders is None:
        editable = _editable(model_admin, request, None)
        assert not editable, (
            f"{label} has an editable admin change form ({', '.join(editable)}): add a record with every optional "
            "field filled to RECORDS so its round trip is tested."
        )
        why = (
            "the admin may view, never change, it"
            if not model_admin.has_change_permission(request, None)
            else "every field of its change form is read-only"
        )
        pytest.skip(f"{label}: read-only in the admin ({why}): a record, not a form to save.")

    record = builders[variant]()
    opts = model._meta
    if variant in READ_ONLY_VARIANTS:
        assert not _editable(model_admin, request, record), f"{label} {variant}: {READ_ONLY_VARIANTS[variant]}"
        browser_page.goto(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk]))
        expect(browser_page.get_by_role("heading", name=re.compile("查看"))).to_be_visible()
        expect(browser_page.get_by_role("button", name="保存", exact=True)).to_have_count(0)
        shot(browser_page, f"admin-{label}-{variant}")
        return
    assert _editable(model_admin, request, record), f"{label}'s admin has nothing to edit: drop it from RECORDS"
    assert_filled(record, variant, model_admin.get_form(request, record, change=True).base_fields)
    children = _children_of(record)
    snapshot = Snapshot(record, children=children)

    browser_page.goto(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk]))
    form = browser_page.locator(f"form#{opts.model_name}_form")
    expect(form).to_be_visible()
    shot(browser_page, f"admin-{label}{'-' + variant if variant else ''}")
    with browser_page.expect_navigation():
        form.get_by_role("button", name="保存", exact=True).click()
    errors = browser_page.locator(".errornote, .errorlist")
    if errors.count():
        shot(browser_page, f"admin-{label}{'-' + variant if variant else ''}-refused")
        pytest.fail(f"{label}: the admin refused its own record unchanged: {errors.all_inner_texts()}")
    if not browser_page.locator(".messagelist .success").count():
        shot(browser_page, f"admin-{label}{'-' + variant if variant else ''}-after")
    expect(browser_page.locator(".messagelist .success")).to_be_visible()
    snapshot.assert_unchanged()
