"""The audit trail: who changed which record, when and what; readable by admins under each record."""

from __future__ import annotations

import contextlib

import pytest
from auditlog.models import LogEntry
from django.test import Client

from portal.models import Employer, ThirdParty
from tests.factories import DistrictFactory, ThirdPartyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_admin_edits_are_recorded_with_actor_and_changes() -> None:
    admin = UserFactory(admin=True)
    district = DistrictFactory()
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/portal/employer/add/",
        {
            "name": "重庆审计测试有限公司",
            "credit_code": "91500000MA0000003H",
            "district": district.pk,
            "contact_name": "赵",
            "contact_phone": "023-12345678",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    employer = Employer.objects.get(name="重庆审计测试有限公司")
    client.post(
        f"/admin/portal/employer/{employer.pk}/change/",
        {
            "name": employer.name,
            "credit_code": employer.credit_code,
            "district": district.pk,
            "contact_name": "钱",
            "contact_phone": "023-12345678",
        },
    )
    entries = LogEntry.objects.get_for_object(employer).order_by("timestamp")
    assert [entry.action for entry in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert all(entry.actor == admin for entry in entries)
    assert entries[1].changes_dict["contact_name"] == ["赵", "钱"]

    page = client.get(f"/admin/portal/employer/{employer.pk}/change/").content.decode()
    assert "操作记录" in page
    assert "钱" in page


def test_personal_data_is_masked_in_the_audit_trail() -> None:
    third_party = ThirdPartyFactory(individual=True)
    third_party.bank_account = "6217000011112222"
    third_party.save()
    entry = LogEntry.objects.get_for_object(third_party).latest("timestamp")
    _old, new = entry.changes_dict["bank_account"]
    assert "6217000011112222" not in new
    assert new.endswith("2222")
    created = LogEntry.objects.get_for_object(third_party).earliest("timestamp")
    assert third_party.id_number not in str(created.changes)
    assert ThirdParty.objects.get(pk=third_party.pk).id_number == third_party.id_number


def _log_entry_receivers() -> int:
    from django.db.models.signals import pre_save

    return len(pre_save._live_receivers(LogEntry)[0])


def test_nested_actors_sign_their_own_entries_and_leave_no_receiver_behind() -> None:
    """The request's actor, a service's actor inside it, then the request's again; nothing stays connected."""
    from django.test import RequestFactory

    from portal.audit.recording import AuditlogMiddleware, set_actor

    clerk, officer = UserFactory(), UserFactory()
    before = _log_entry_receivers()
    signed: list[tuple[str, object]] = []

    def view(request: object) -> object:
        first = ThirdPartyFactory()
        with set_actor(officer):
            second = ThirdPartyFactory()
        third = ThirdPartyFactory()
        for label, party in (("request", first), ("service", second), ("after", third)):
            signed.append((label, LogEntry.objects.get_for_object(party).get().actor))
        return None

    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.9")
    request.user = clerk
    for _ in range(3):
        signed.clear()
        AuditlogMiddleware(view)(request)
        assert signed == [("request", clerk), ("service", officer), ("after", clerk)]
    assert _log_entry_receivers() == before


def test_the_trail_under_a_record_reads_as_a_person_would_say_it() -> None:
    """Field names, choice labels, related records by name, actions in Chinese, times in Shanghai."""
    import datetime

    from auditlog.context import disable_auditlog

    from portal.audit.trail import audit_trail
    from referrals.models import Hire
    from tests.factories import HireFactory

    clerk = UserFactory(admin=True, display_name="王审计")
    with disable_auditlog():
        employer_contact = UserFactory(display_name="李确认")
    hire = HireFactory(audited=True)
    hire.status = "confirmed"
    hire.employer_confirmed_by = employer_contact
    hire.confirmed_at = datetime.datetime(2026, 12, 4, 16, 51, tzinfo=datetime.UTC)  # 00:51 on 5 December in Chongqing
    from portal.audit.recording import set_actor

    with set_actor(clerk):
        hire.save()

    created, changed = reversed(audit_trail(model=Hire, object_pk=str(hire.pk)))
    assert created.action == "新建" and changed.action == "修改"
    assert changed.actor == "王审计"
    shown = {change.field: (change.old, change.new) for change in changed.changes}
    assert shown["状态"] == ("初审通过", "已确认")
    assert shown["单位确认人"] == ("（空）", "李确认")
    assert shown["确认时间"] == ("（空）", "2026-12-05 00:51:00")

    admin = UserFactory(admin=True)
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/referrals/hire/{hire.pk}/change/").content.decode()
    assert "<b>状态</b>：初审通过 → 已确认" in page
    assert "<b>单位确认人</b>：（空） → 李确认" in page
    trail = page.split("操作记录（审计）")[1].split("</fieldset>")[0]
    assert "status" not in trail and "None" not in trail and "Objection" not in trail
    assert "<td>修改</td>" in page and "<td>新建</td>" in page
    assert "（空） → （空）" not in trail  # a new record's empty fields are not listed
    assert "<b>姓名</b>：（空） → " + hire.name in trail


def test_the_audit_log_list_names_actions_in_chinese() -> None:
    from django.utils import translation

    with translation.override("zh-hans"):
        labels = [str(label) for _value, label in LogEntry.Action.choices]
    assert labels == ["新建", "修改", "删除", "查看"]


def test_the_admins_list_of_all_entries_reads_in_words_too() -> None:
    from tests.factories import HireFactory

    hire = HireFactory(audited=True)
    hire.status = "confirmed"
    hire.save()
    entry = LogEntry.objects.get_for_object(hire).latest("timestamp")
    client = Client()
    client.force_login(UserFactory(admin=True, is_superuser=True))
    listing = client.get("/admin/auditlog/logentry/").content.decode()
    assert "修改" in listing and "新建" in listing and "状态" in listing and "关联编号" in listing
    assert "change:" not in listing and "changes:" not in listing and ">system<" not in listing
    detail = client.get(f"/admin/auditlog/logentry/{entry.pk}/change/").content.decode()
    assert "<b>状态</b>：初审通过 → 已确认" in detail
    assert f"修改 {entry.object_repr}" in detail and "Updated" not in detail  # the heading and the breadcrumb


# --- updates audited against the row the service read under lock --------------------------------------------------

_ENTRY_FIELDS = ("content_type_id", "object_pk", "object_id", "object_repr", "action", "actor_id", "remote_addr")


def _entry(obj: object) -> LogEntry:
    return LogEntry.objects.get_for_object(obj).order_by("-pk").first()


def _restore(model: type, before: object) -> None:
    """Put the row back as it was, writing no audit entry (an UPDATE sends no signal)."""
    fields = {f.attname: getattr(before, f.attname) for f in model._meta.concrete_fields if not f.primary_key}  # type: ignore[attr-defined]
    model._default_manager.filter(pk=before.pk).update(**fields)  # type: ignore[attr-defined]


def _same_entries(ours: LogEntry, auditlogs: LogEntry) -> None:
    for name in _ENTRY_FIELDS:
        assert getattr(ours, name) == getattr(auditlogs, name), name
    assert ours.serialized_data == auditlogs.serialized_data
    assert ours.additional_data == auditlogs.additional_data
    changes, expected = dict(ours.changes_dict), dict(auditlogs.changes_dict)
    # The save's own moment, if audited, differs between the two saves; what it changed from is the same.
    assert changes.pop("updated_at", [None])[0] == expected.pop("updated_at", [None])[0]
    assert changes == expected and len(changes) >= 2


def test_a_post_updated_against_the_row_read_under_lock_is_audited_as_auditlog_would(
    monkeypatch: pytest.MonkeyPatch, clerk: object
) -> None:
    """The service's copy of the locked row stands in for auditlog's second read: the same entry, one query less."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from positions import services
    from positions.models import Position
    from tests.factories import EmployerFactory, PositionFactory

    position = PositionFactory(batch__district=clerk.district)  # type: ignore[attr-defined]
    before = Position.objects.get(pk=position.pk)
    data = services.PositionData(
        employer=EmployerFactory(district=clerk.district),  # type: ignore[attr-defined]
        channel=position.channel,
        name="改过的岗位名称",
        headcount=position.headcount + 1,
        education=position.education,
        majors=position.majors,
        competencies=position.competencies,
        recruits_graduates=position.recruits_graduates,
        salary_text="1.5万/月",
    )
    entries = LogEntry.objects.get_for_object(position).count()
    with CaptureQueriesContext(connection) as queries:
        services.position_update(position=before, data=data, by=clerk)  # type: ignore[arg-type]
    assert LogEntry.objects.get_for_object(position).count() == entries + 1  # auditlog's own receiver is gone
    reads = [q for q in queries if q["sql"].startswith('SELECT "positions_position"."id"')]
    assert len(reads) == 1  # the locked read; no second read for the audit
    ours = _entry(position)

    _restore(Position, before)
    monkeypatch.setattr(services, "audited_against", lambda stored: contextlib.nullcontext())
    services.position_update(position=before, data=data, by=clerk)  # type: ignore[arg-type]
    auditlogs = _entry(position)
    assert auditlogs.pk != ours.pk
    _same_entries(ours, auditlogs)


def test_a_hire_corrected_against_the_row_read_under_lock_is_audited_as_auditlog_would(
    monkeypatch: pytest.MonkeyPatch, clerk: object
) -> None:
    """The same for a hire, whose ID number the trail masks."""
    from referrals import services
    from referrals.models import Hire
    from tests.factories import HireFactory, make_id_number

    hire = HireFactory(position__batch__district=clerk.district)  # type: ignore[attr-defined]
    before = Hire.objects.get(pk=hire.pk)
    data = services.HireData(
        position=hire.position,
        name="改过的姓名",
        id_number=make_id_number(9876, birthday="20010101"),
        mode=hire.mode,
        contract_term="5年",
        graduated_on=hire.graduated_on,
        school="另一所大学",
    )
    services.hire_update(hire=before, data=data, by=clerk)  # type: ignore[arg-type]
    ours = _entry(hire)
    assert "id_number" in ours.changes_dict

    _restore(Hire, before)
    monkeypatch.setattr(services, "audited_against", lambda stored: contextlib.nullcontext())
    services.hire_update(hire=before, data=data, by=clerk)  # type: ignore[arg-type]
    _same_entries(ours, _entry(hire))


def test_only_the_first_save_in_the_block_uses_the_copy(clerk: object) -> None:
    """A second save of the same row inside the block is audited against the row read again: the copy is no longer
    what the database holds."""
    from portal.audit.recording import as_read, audited_against
    from positions.models import Position
    from tests.factories import PositionFactory

    position = Position.objects.get(pk=PositionFactory(batch__district=clerk.district, name="甲").pk)  # type: ignore[attr-defined]
    stored = as_read(position)
    with audited_against(stored):
        position.name = "乙"
        position.save()
        position.name = "丙"
        position.save()
    assert _entry(position).changes_dict["name"] == ["乙", "丙"]
