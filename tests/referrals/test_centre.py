"""Hires without a district: the talent centre is their office of record (docs/roles.md, "The office of record").

A centre officer audits them (never the one who recorded them), publishes them in the centre's own notices, resolves
the public's objections; they are confirmed after the 5 working days like any; no district's staff reach them, the
centre reaches no district's hire, and the figures count them in a row of their own and in the totals.
"""

from __future__ import annotations

import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from portal.calendar import Span, TenDayPeriod
from portal.contacts import TALENT_CENTRE
from portal.errors import PermissionDenied, PortalError
from portal.models import District, User
from portal.web.navigation import menu_for
from portal.workspace import work_queues_for
from referrals import documents, selectors
from referrals.constants import HireStatus, ObjectionStatus
from referrals.models import Hire, HireReport, Objection, PublicityExemptionRule, PublicityNotice
from referrals.services import (
    hire_exempt,
    hire_move,
    hire_report_send,
    notice_publish,
    notices_confirm_closed,
    objection_lodge,
    objection_resolve,
)
from rollups.evaluation import evaluation_table
from rollups.figures import NO_DISTRICT_NAME, by_district
from rollups.tenday import compute_figures
from tests.factories import EmployerFactory, HireFactory, PublicityNoticeFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: The morning of Thursday 12 February 2026 in Chongqing; its publicity's 5th working day is 25 February (春节).
PUBLISHING_DAY = datetime.datetime(2026, 2, 12, 1, tzinfo=datetime.UTC)
DURING = datetime.datetime(2026, 2, 13, 10, tzinfo=SHANGHAI)
AFTER = datetime.datetime(2026, 2, 26, 10, tzinfo=SHANGHAI)


def _base_hire(**extra: object) -> Hire:
    """A hire at a base without a district, on a post the third party declared (not on the portal's lists)."""
    return HireFactory(
        district=None,
        position=None,
        employer=EmployerFactory(district=None),
        channel="bounty_list",
        post_name="工业软件研发工程师",
        **extra,
    )


@pytest.fixture
def officer() -> User:
    return UserFactory(centre=True)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _publish(hires: list[Hire], by: User) -> PublicityNotice:
    return notice_publish(hires=hires, published_on=datetime.date(2026, 2, 12), title="", by=by, now=PUBLISHING_DAY)


# --- who does what ----------------------------------------------------------------------------------------------


def test_a_centre_officer_audits_and_no_district_reviewer_can(officer: User, reviewer: User) -> None:
    hire = _base_hire()
    with pytest.raises(PermissionDenied):
        hire_move(hire=hire, action="audit", by=reviewer)
    with pytest.raises(PermissionDenied):
        hire_move(hire=hire, action="audit", by=UserFactory(bureau=True))
    hire = hire_move(hire=hire, action="audit", by=officer)
    assert hire.status == HireStatus.AUDITED
    hire = hire_move(hire=hire, action="return", by=officer, reason="劳动合同期限与合同不符。")
    assert hire.status == HireStatus.RETURNED and hire.return_reason == "劳动合同期限与合同不符。"


def test_the_officer_who_recorded_a_hire_does_not_audit_it(officer: User) -> None:
    hire = _base_hire(recorded_by=officer)
    with pytest.raises(PermissionDenied, match="初审通过"):
        hire_move(hire=hire, action="audit", by=officer)
    assert hire_move(hire=hire, action="audit", by=UserFactory(centre=True)).status == HireStatus.AUDITED


def test_the_centre_has_no_power_over_a_districts_hires(officer: User, position_hire: Hire) -> None:
    with pytest.raises(PermissionDenied):
        hire_move(hire=position_hire, action="audit", by=officer)
    position_hire.status = HireStatus.AUDITED
    position_hire.save()
    with pytest.raises(PermissionDenied, match="本区县"):
        _publish([position_hire], officer)
    with pytest.raises(PermissionDenied):
        hire_exempt(hires=[position_hire], rule=_rule(), by=officer)
    position_hire.refresh_from_db()
    assert position_hire.status == HireStatus.AUDITED and not PublicityNotice.objects.exists()


@pytest.fixture
def position_hire(district: District) -> Hire:
    return HireFactory(position__batch__district=district, position__published=True)


def test_the_centre_publishes_its_own_notice_and_no_district_can(
    officer: User, clerk: User, position_hire: Hire
) -> None:
    hires = [_base_hire(status=HireStatus.AUDITED) for _ in range(2)]
    with pytest.raises(PermissionDenied, match=TALENT_CENTRE):
        _publish(hires, clerk)
    position_hire.status = HireStatus.AUDITED
    position_hire.save()
    with pytest.raises(PortalError, match="同一区县"):
        _publish([*hires, position_hire], officer)
    notice = _publish(hires, UserFactory(centre=True))
    assert notice.district is None and notice.office_name == TALENT_CENTRE
    assert notice.reference == "GS-RCZX-2026-001"
    assert notice.title == f"{TALENT_CENTRE}卓越工程师引进人才公示（2026年第1批）"
    assert notice.closes_at == datetime.datetime(2026, 2, 26, tzinfo=SHANGHAI)
    assert {hire.status for hire in notice.hires.all()} == {HireStatus.IN_PUBLICITY}
    # The centre's second notice of the year is numbered on, and a title of its own cannot repeat.
    again = _base_hire(status=HireStatus.AUDITED)
    with pytest.raises(PortalError, match=f"{TALENT_CENTRE}已有标题"):
        notice_publish(
            hires=[again], published_on=datetime.date(2026, 2, 12), title=notice.title, by=officer, now=PUBLISHING_DAY
        )
    assert _publish([again], officer).reference == "GS-RCZX-2026-002"


def test_an_exemption_by_the_centre(officer: User) -> None:
    hire = _base_hire(status=HireStatus.AUDITED)
    [confirmed] = hire_exempt(hires=[hire], rule=_rule(), by=officer, note="经批准")
    assert confirmed.status == HireStatus.CONFIRMED and confirmed.confirmed_at is not None
    assert confirmed.exemption_label == "涉密岗位（测试）；经批准"


def test_the_centre_officer_who_recorded_a_hire_does_not_exempt_it(officer: User) -> None:
    hire = _base_hire(status=HireStatus.AUDITED, recorded_by=officer)
    with pytest.raises(PermissionDenied):
        hire_exempt(hires=[hire], rule=_rule(), by=officer)


def _rule() -> PublicityExemptionRule:
    return PublicityExemptionRule.objects.get_or_create(name="涉密岗位（测试）")[0]


def test_objections_are_resolved_by_the_centre_and_the_hire_is_confirmed_after_five_working_days(
    officer: User, reviewer: User
) -> None:
    clear, objected = _base_hire(status=HireStatus.AUDITED), _base_hire(status=HireStatus.AUDITED)
    notice = _publish([clear, objected], officer)
    objection = objection_lodge(
        hire=objected, name="王五", phone="13800000000", statement="该人员学历信息与实际不符，请核查。", now=DURING
    )
    with pytest.raises(PermissionDenied, match=TALENT_CENTRE):
        objection_resolve(objection=objection, upheld=False, reason="经核查属实。", by=reviewer)
    assert notices_confirm_closed(now=DURING) == 0
    assert notices_confirm_closed(now=notice.closes_at + datetime.timedelta(minutes=1)) == 1
    assert notices_confirm_closed(now=AFTER) == 0
    clear.refresh_from_db()
    objected.refresh_from_db()
    assert clear.status == HireStatus.CONFIRMED and objected.status == HireStatus.IN_PUBLICITY
    with mock.patch("django.utils.timezone.now", return_value=AFTER):
        objection_resolve(objection=objection, upheld=False, reason="经核查学历属实。", by=officer)
    objected.refresh_from_db()
    assert objected.status == HireStatus.CONFIRMED
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED and objection.resolved_by == officer


def test_an_upheld_objection_fails_the_hire(officer: User) -> None:
    hire = _base_hire(status=HireStatus.AUDITED)
    _publish([hire], officer)
    objection = objection_lodge(
        hire=hire, name="赵六", phone="023-88888888", statement="该人员并未实际到岗工作，请核查。", now=DURING
    )
    objection_resolve(objection=objection, upheld=True, reason="经核查未到岗。", by=officer)
    hire.refresh_from_db()
    assert hire.status == HireStatus.FAILED
    assert notices_confirm_closed(now=AFTER) == 0


def test_no_districts_report_carries_a_confirmed_hire_without_a_district(
    officer: User, reviewer: User, position_hire: Hire
) -> None:
    period = TenDayPeriod(2026, 2, 3)
    confirmed_at = datetime.datetime(2026, 2, 26, 9, tzinfo=SHANGHAI)
    base = _base_hire(status=HireStatus.CONFIRMED, confirmed_at=confirmed_at)
    Hire.objects.filter(pk=position_hire.pk).update(status=HireStatus.CONFIRMED, confirmed_at=confirmed_at)
    report = hire_report_send(district=reviewer.district, period=period, by=reviewer, now=period.closes_at)  # type: ignore[arg-type]
    assert list(report.hires.all()) == [position_hire]
    base.refresh_from_db()
    assert base.report is None
    assert selectors.hires_confirmed_without_district(period=period) == 1
    page = _client(UserFactory(bureau=True)).get(reverse("referrals:report_city"), {"period": str(period)})
    assert (
        "不列入区县入职结果旬报" in page.content.decode()
        and "?district=RCZX&amp;status=confirmed" in page.content.decode()
    )
    assert HireReport.objects.count() == 1


# --- pages --------------------------------------------------------------------------------------------------------


def test_the_centres_desk_lists_only_hires_without_a_district(officer: User, position_hire: Hire) -> None:
    base = _base_hire()
    mine = _base_hire(recorded_by=officer)
    page = _client(officer).get(reverse("referrals:centre_hires")).content.decode()
    assert base.name in page and mine.name in page and position_hire.name not in page
    assert f"{TALENT_CENTRE} · 基地人员审核" in page
    # One audit button: not on the hire the officer recorded.
    assert page.count('value="audit"') == 1
    # The city's read-only list shows every hire; the centre's own by its name, filtered by the centre's code.
    everything = _client(officer).get(reverse("referrals:hire_list")).content.decode()
    assert base.name in everything and position_hire.name in everything and 'value="audit"' not in everything
    filtered = _client(officer).get(reverse("referrals:hire_list"), {"district": "RCZX"}).content.decode()
    assert base.name in filtered and position_hire.name not in filtered and TALENT_CENTRE in filtered


def test_the_desk_is_the_centres_alone(clerk: User, reviewer: User) -> None:
    for user in (clerk, reviewer, UserFactory(bureau=True), UserFactory(employer_user=True)):
        assert _client(user).get(reverse("referrals:centre_hires")).status_code == 403


def test_district_staff_cannot_see_or_move_a_hire_without_a_district(clerk: User, reviewer: User) -> None:
    hire = _base_hire()
    for user in (clerk, reviewer):
        client = _client(user)
        assert client.get(reverse("referrals:hire_detail", args=[hire.pk])).status_code == 404
        assert client.post(reverse("referrals:hire_move", args=[hire.pk]), {"action": "audit"}).status_code == 404
        assert client.post(reverse("referrals:hire_reveal_id", args=[hire.pk])).status_code == 404
        assert hire.name not in client.get(reverse("referrals:hire_list")).content.decode()
    hire.refresh_from_db()
    assert hire.status == HireStatus.RECORDED


def test_the_centre_audits_on_the_detail_page_and_reveals_the_id_number(officer: User, position_hire: Hire) -> None:
    hire = _base_hire()
    client = _client(officer)
    detail = client.get(reverse("referrals:hire_detail", args=[hire.pk])).content.decode()
    assert "初审通过" in detail and "显示完整号码" in detail and f"{TALENT_CENTRE}审核" in detail
    assert client.post(reverse("referrals:hire_reveal_id", args=[hire.pk])).status_code == 200
    response = client.post(reverse("referrals:hire_move", args=[hire.pk]), {"action": "audit"})
    assert response.status_code == 302
    hire.refresh_from_db()
    assert hire.status == HireStatus.AUDITED
    # A district's hire: read, but no button, no reveal, no move.
    other = client.get(reverse("referrals:hire_detail", args=[position_hire.pk])).content.decode()
    assert "初审通过</button>" not in other and "显示完整号码" not in other
    assert client.post(reverse("referrals:hire_move", args=[position_hire.pk]), {"action": "audit"}).status_code == 404
    assert client.post(reverse("referrals:hire_reveal_id", args=[position_hire.pk])).status_code == 404


def test_the_centre_publishes_and_resolves_on_its_pages(officer: User, clerk: User, position_hire: Hire) -> None:
    hire = _base_hire(status=HireStatus.AUDITED)
    client = _client(officer)
    form = client.get(reverse("referrals:notice_publish")).content.decode()
    assert hire.name in form and position_hire.name not in form
    assert f"{TALENT_CENTRE}卓越工程师引进人才公示" in form
    with mock.patch("django.utils.timezone.now", return_value=PUBLISHING_DAY):
        response = client.post(
            reverse("referrals:notice_publish"),
            {"ids": [hire.pk], "published_on": "2026-02-12", "title": "", "action": "publish"},
        )
    notice = PublicityNotice.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("referrals:notice_detail", args=[notice.pk])
    assert notice.reference in _client(officer).get(reverse("referrals:notice_list")).content.decode()
    assert notice.reference not in _client(clerk).get(reverse("referrals:notice_list")).content.decode()
    assert _client(clerk).get(reverse("referrals:notice_detail", args=[notice.pk])).status_code == 404

    # The public objects on the notice's page; the centre resolves it in its queue, no district sees it.
    public = Client()
    with mock.patch("django.utils.timezone.now", return_value=DURING):
        page = public.get(reverse("referrals:publicity_detail", args=[notice.pk])).content.decode()
        assert TALENT_CENTRE in page and hire.name in page
        listing = public.get(reverse("referrals:publicity_list")).content.decode()
        assert f"{TALENT_CENTRE} · 编号 {notice.reference}" in listing
        lodged = public.post(
            reverse("referrals:publicity_detail", args=[notice.pk]),
            {"hire": hire.pk, "name": "王五", "phone": "13800000000", "statement": "该人员并未实际到岗，请核查。"},
            follow=True,
        )
    assert f"{TALENT_CENTRE}将核查处理" in lodged.content.decode()
    objection = Objection.objects.get()
    assert objection.receipt not in _client(clerk).get(reverse("referrals:objection_queue")).content.decode()
    client = _client(officer)
    assert objection.receipt in client.get(reverse("referrals:objection_queue")).content.decode()
    assert (
        _client(clerk)
        .post(reverse("referrals:objection_resolve", args=[objection.pk]), {"decision": "upheld", "reason": "x"})
        .status_code
        == 404
    )
    client.post(
        reverse("referrals:objection_resolve", args=[objection.pk]), {"decision": "upheld", "reason": "经核查未到岗。"}
    )
    hire.refresh_from_db()
    assert hire.status == HireStatus.FAILED


def test_the_printed_notice_is_the_centres(officer: User) -> None:
    notice = PublicityNoticeFactory(centre=True, hires=[_base_hire(status=HireStatus.AUDITED)])
    context = documents.notice_context(notice=notice)
    assert context["issuer"] == TALENT_CENTRE and context["contacts"].office == TALENT_CENTRE
    # Its phone: the centre's contact printed in the programme's notice.
    assert any("88152028" in contact.phone for contact in context["contacts"].city)
    with mock.patch("portal.pdf.html_to_pdf", side_effect=lambda html, **_: html.encode()):
        response = Client().get(reverse("referrals:notice_pdf", args=[notice.pk]))
    assert response.status_code == 200
    printed = response.content.decode()
    assert f"经{TALENT_CENTRE}审核的卓越工程师人选" in printed and "None" not in printed


def test_the_centres_work_queues_and_menu(officer: User) -> None:
    _base_hire()
    _base_hire(recorded_by=officer)
    _base_hire(status=HireStatus.AUDITED)
    HireFactory()  # a district's: none of the centre's work
    queues = {queue.title: queue for queue in work_queues_for(officer)}
    assert queues["待初审的基地人员"].count == 1  # the one the officer recorded is another officer's to audit
    assert queues["待公示的基地人员"].count == 1
    assert queues["待处理的基地人员异议"].count == 0
    assert queues["待初审的基地人员"].url == f"{reverse('referrals:centre_hires')}?status=recorded"
    labels = [item["label"] for item in menu_for(officer)["work"]]
    assert "基地人员审核" in labels
    assert "基地人员审核" not in [item["label"] for item in menu_for(UserFactory(bureau=True))["work"]]


# --- API ----------------------------------------------------------------------------------------------------------


def test_the_api_lets_the_centre_make_the_same_moves(officer: User, reviewer: User, position_hire: Hire) -> None:
    hire = _base_hire()
    listed = _api(officer).get("/api/v1/hires/", {"has_district": "false"}).json()["results"]
    assert [row["id"] for row in listed] == [hire.pk]
    with_district = _api(officer).get("/api/v1/hires/", {"has_district": "true"}).json()["results"]
    assert [row["id"] for row in with_district] == [position_hire.pk]
    url = f"/api/v1/hires/{hire.pk}/move/"
    assert _api(reviewer).post(url, {"action": "audit"}, format="json").status_code == 404
    moved = _api(officer).post(url, {"action": "audit"}, format="json")
    assert moved.status_code == 200, moved.json()
    assert moved.json()["status"] == HireStatus.AUDITED
    assert moved.json()["district"] is None and moved.json()["office_name"] == TALENT_CENTRE
    refused = _api(officer).post(f"/api/v1/hires/{position_hire.pk}/move/", {"action": "audit"}, format="json")
    assert refused.status_code == 403

    with mock.patch("django.utils.timezone.now", return_value=PUBLISHING_DAY):
        published = _api(officer).post(
            "/api/v1/publicity/", {"hire_ids": [hire.pk], "published_on": "2026-02-12"}, format="json"
        )
    assert published.status_code == 201, published.json()
    assert published.json()["district_name"] is None and published.json()["office_name"] == TALENT_CENTRE
    objection = objection_lodge(
        hire=hire, name="王五", phone="13800000000", statement="该人员学历信息与实际不符，请核查。", now=DURING
    )
    resolve = f"/api/v1/objections/{objection.pk}/resolve/"
    assert _api(reviewer).post(resolve, {"upheld": False, "reason": "x"}, format="json").status_code == 404
    listed = _api(officer).get(f"/api/v1/objections/{objection.pk}/").json()
    assert listed["hire"]["office_name"] == TALENT_CENTRE
    resolved = _api(officer).post(resolve, {"upheld": False, "reason": "经核查学历属实。"}, format="json")
    assert resolved.status_code == 200 and resolved.json()["status"] == ObjectionStatus.DISMISSED


# --- figures ------------------------------------------------------------------------------------------------------


def test_the_figures_count_hires_without_a_district_in_a_row_of_their_own(officer: User, district: District) -> None:
    period = TenDayPeriod(2026, 2, 3)
    confirmed_at = datetime.datetime(2026, 2, 26, 9, tzinfo=SHANGHAI)
    _base_hire(status=HireStatus.CONFIRMED, confirmed_at=confirmed_at, programme="haiju")
    HireFactory(
        position__batch__district=district, status=HireStatus.CONFIRMED, confirmed_at=confirmed_at, programme="qihang"
    )
    notice = PublicityNoticeFactory(
        centre=True, published_on=datetime.date(2026, 2, 24), closes_at=datetime.datetime(2026, 3, 3, tzinfo=SHANGHAI)
    )
    objected = _base_hire(status=HireStatus.IN_PUBLICITY, notice=notice)
    Objection.objects.create(hire=objected, receipt="YY-C-1", name="王五", phone="13800000000", statement="学历存疑")
    Objection.objects.filter(receipt="YY-C-1").update(created_at=datetime.datetime(2026, 2, 25, 9, tzinfo=SHANGHAI))

    counted = by_district(span=Span.of_period(period))
    assert counted[None]["hires"]["confirmed"] == 1 and counted[None]["hires"]["by_programme"] == {"haiju": 1}
    assert counted[None]["publicity"]["notices_published"] == 1
    assert counted[None]["publicity"]["objections"]["lodged"] == 1

    figures = compute_figures(period)
    row = next(row for row in figures["districts"] if row["name"] == NO_DISTRICT_NAME)
    assert row["hires"]["confirmed"] == 1 and row["publicity"]["objections_open"] == 1
    assert figures["totals"]["hires"]["confirmed"] == 2
    assert figures["totals"]["hires"]["by_programme"] == {"qihang": 1, "haiju": 1}

    *rows, total = evaluation_table(year=2026, now=datetime.datetime(2026, 3, 1, tzinfo=SHANGHAI))
    no_district = next(row for row in rows if row.district == NO_DISTRICT_NAME)
    assert (no_district.haiju_hires, no_district.objections_lodged) == (1, 1)
    assert (total.qihang_hires, total.haiju_hires) == (1, 1)
    assert "机械工程" in no_district.top_majors
