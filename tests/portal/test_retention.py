"""Personal data past the retention period is anonymised; the figures and the audit trail stay (portal.retention)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.http.response import HttpResponseRedirectBase
from django.test import Client
from django.utils import timezone

from portal.calendar import TenDayPeriod
from portal.models import AnonymisationRun, RetentionPolicy, SubsidyCap
from portal.retention import ANONYMISED_NAME, REDACTED, anonymise_expired, registered_steps
from portal.tasks import anonymise_expired as anonymise_expired_task
from referrals.models import Hire, Objection
from rollups.evaluation import evaluation_table
from rollups.tenday import compute_figures
from subsidies.models import Claim, ClaimAttachment
from subsidies.services import ClaimData, ClaimLine, claim_create
from tests.factories import (
    ClaimFactory,
    DistrictFactory,
    EmployerFactory,
    HireFactory,
    ThirdPartyFactory,
    UserFactory,
    attach_signed_annexes,
    claimable_hire,
    make_id_number,
)

pytestmark = pytest.mark.django_db

#: Seven years on: 2026's hires (5 years after their year ended) and claims paid in 2026 are past the default period.
LATER = timezone.now() + datetime.timedelta(days=7 * 366)


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    """This year's figures: confirmed hires (one with an objection), a paid claim of one of them with its scans, a
    hire held by a claim still under review, and a hire of a later programme year."""
    for channel, amount in (("bounty_list", "30000"), ("special_recruitment", "4000")):
        SubsidyCap.objects.create(
            channel=channel, amount=Decimal(amount), effective_from=datetime.date(2022, 1, 1), policy_reference="50号"
        )
    party = ThirdPartyFactory(verified=True, individual=True)
    headhunter = UserFactory(third_party_user=True, third_party=party)
    employer = EmployerFactory()
    centre, bureau = UserFactory(centre=True), UserFactory(bureau=True)
    year = timezone.localdate().year

    paid_hire = claimable_hire(party, employer, name="张三", id_number=make_id_number(201), year=year)
    waiting_hire = claimable_hire(party, employer, name="李四", id_number=make_id_number(202), year=year)
    plain_hire = HireFactory(
        confirmed=True, name="王五", id_number=make_id_number(203), year=year, work_experience="曾任某厂工程师"
    )
    later_hire = HireFactory(confirmed=True, name="赵六", id_number=make_id_number(204), year=year + 4)
    objection = Objection.objects.create(
        hire=plain_hire, receipt="YY-R-1", name="钱七", phone="13812345678", statement="王五的学历与实际不符。"
    )

    paid = ClaimFactory(
        paid=True,
        by=headhunter,
        employer=employer,
        hires=[paid_hire],
        employer_contact="孙经理",
        employer_phone="13987654321",
        centre=centre,
        bureau=bureau,
        first_opinion="同意。",
        second_opinion="核定。",
        approved_amounts=("25000",),
        payment_reference="ZF-1",
    )
    waiting = ClaimFactory(
        submitted=True,
        by=headhunter,
        employer=employer,
        hires=[waiting_hire],
        employer_contact="周经理",
        employer_phone="13900001111",
    )
    return {
        "party": party,
        "headhunter": headhunter,
        "employer": employer,
        "paid": paid,
        "waiting": waiting,
        "paid_hire": paid_hire,
        "waiting_hire": waiting_hire,
        "plain_hire": plain_hire,
        "later_hire": later_hire,
        "objection": objection,
        "year": year,
    }


def _figures(year: int) -> tuple[Any, ...]:
    period = TenDayPeriod.current()
    return compute_figures(period), evaluation_table(year=year, now=LATER)


def _snapshot() -> list[tuple[Any, ...]]:
    """Every value of every hire, claim and objection: what a second run must leave alone."""
    return [
        *Hire.objects.order_by("pk").values_list(),
        *Claim.objects.order_by("pk").values_list(),
        *Objection.objects.order_by("pk").values_list(),
    ]


def test_the_figures_stay_and_the_people_go(world: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    before = _figures(world["year"])
    scans = list(ClaimAttachment.objects.filter(claim=world["paid"]).values_list("file", flat=True))
    assert scans and all(default_storage.exists(name) for name in scans)

    with django_capture_on_commit_callbacks(execute=True):
        run = anonymise_expired(now=LATER)

    assert _figures(world["year"]) == before
    assert (run.hires, run.claims, run.objections, run.attachments) == (2, 1, 1, 2)
    assert run.hire_years == run.claim_years == 5 and run.pk is not None and run.finished_at is not None

    paid_hire = Hire.objects.get(pk=world["paid_hire"].pk)
    plain_hire = Hire.objects.get(pk=world["plain_hire"].pk)
    for hire in (paid_hire, plain_hire):
        assert (hire.name, hire.id_number, hire.id_number_digest, hire.work_experience) == (
            ANONYMISED_NAME,
            "",
            None,
            "",
        )
        assert hire.anonymised_at is not None and hire.status == "confirmed" and hire.major == "机械工程"
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM referrals_hire WHERE id = %s", [plain_hire.pk])
        assert cursor.fetchone()[0] == ""
    objection = Objection.objects.get(pk=world["objection"].pk)
    assert (objection.name, objection.phone, objection.statement) == (ANONYMISED_NAME, "", REDACTED)
    assert objection.status == world["objection"].status

    paid = Claim.objects.get(pk=world["paid"].pk)
    assert (paid.bank_account, paid.payee_phone, paid.employer_phone) == ("", "", "")
    assert paid.payee_name == ANONYMISED_NAME and paid.employer_contact == ANONYMISED_NAME  # the payee is a person
    assert (
        paid.approved_total == Decimal("25000") and paid.status == "paid" and paid.reference == world["paid"].reference
    )
    assert not ClaimAttachment.objects.filter(claim=paid).exists()
    assert not any(default_storage.exists(name) for name in scans)

    # Still needed, or not yet due: untouched.
    assert Hire.objects.get(pk=world["waiting_hire"].pk).name == "李四"
    assert Hire.objects.get(pk=world["later_hire"].pk).name == "赵六"
    waiting = Claim.objects.get(pk=world["waiting"].pk)
    assert waiting.bank_account == world["party"].bank_account and waiting.anonymised_at is None


def test_the_audit_trail_stays_without_the_personal_data(world: dict[str, Any]) -> None:
    paid_hire, paid = world["paid_hire"], world["paid"]
    entries_before = LogEntry.objects.count()
    assert LogEntry.objects.filter(object_repr__contains="张三").exists()

    run = anonymise_expired(now=LATER)

    assert LogEntry.objects.count() == entries_before + 1  # kept, plus one entry for the run
    for name in ("张三", "王五", "钱七", "13812345678", "孙经理", "13987654321"):
        assert not LogEntry.objects.filter(object_repr__contains=name).exists(), name
        assert not any(name in str(changes) for changes in LogEntry.objects.values_list("changes", flat=True)), name
    hire_entry = LogEntry.objects.get_for_object(paid_hire).get()
    assert hire_entry.object_repr == REDACTED and hire_entry.changes["name"] == [REDACTED, REDACTED]
    assert hire_entry.changes["status"][1] == "confirmed"  # what is not personal stays readable
    assert LogEntry.objects.get_for_object(paid).filter(changes__has_key="bank_account").exists()
    assert LogEntry.objects.get_for_object(run).get().changes["hires"] == ["0", "2"]


def test_a_second_run_changes_nothing(world: dict[str, Any]) -> None:
    anonymise_expired(now=LATER)
    snapshot, figures, trail = _snapshot(), _figures(world["year"]), list(LogEntry.objects.values_list())

    again = anonymise_expired(now=LATER + datetime.timedelta(hours=1))

    assert (again.hires, again.claims, again.objections, again.attachments) == (0, 0, 0, 0)
    assert _snapshot() == snapshot and _figures(world["year"]) == figures
    assert list(LogEntry.objects.values_list()) == trail
    assert AnonymisationRun.objects.count() == 2  # each run is recorded


def test_the_period_is_the_admins_and_nothing_is_due_before_it(world: dict[str, Any]) -> None:
    policy = RetentionPolicy.current()
    policy.hire_years, policy.claim_years = 10, 10
    policy.save()
    run = anonymise_expired(now=LATER)
    assert (run.hires, run.claims) == (0, 0) and Hire.objects.filter(anonymised_at__isnull=False).count() == 0
    assert anonymise_expired().hires == 0  # today, nothing of this year is due under any period


def test_a_dry_run_writes_nothing_and_says_what_would_go(world: dict[str, Any], capsys: Any) -> None:
    snapshot = _snapshot()
    run = anonymise_expired(now=LATER, dry_run=True)
    assert (run.hires, run.claims, run.pk) == (2, 1, None)
    assert _snapshot() == snapshot and not AnonymisationRun.objects.exists()

    call_command("anonymise_expired", "--dry-run")  # today: nothing due
    assert (
        "将匿名化0名人员、0名未确认的申报人员、0份申报、0名个人荐才者，删除0条站内通知和邮件、0条导入记录（未修改任何数据）"
        in capsys.readouterr().out
    )


def test_an_anonymised_person_no_longer_blocks_the_uniqueness_rule(world: dict[str, Any]) -> None:
    number = world["plain_hire"].id_number
    anonymise_expired(now=LATER)
    # Same number, programme and year as the anonymised row: the row no longer identifies anyone.
    HireFactory(id_number=number, programme=world["plain_hire"].programme, year=world["year"])


def test_the_daily_task_runs_the_same_service(world: dict[str, Any]) -> None:
    assert anonymise_expired_task.delay().get() == {"hires": 0, "claims": 0}  # nothing is due today
    assert AnonymisationRun.objects.get().by is None  # the scheduled task has no person behind it


def test_an_admin_sets_the_period_on_one_form(db: None) -> None:
    admin = UserFactory(admin=True)
    client = Client()
    client.force_login(admin)
    response = client.get("/admin/portal/retentionpolicy/")
    assert isinstance(response, HttpResponseRedirectBase), response.status_code
    assert response.status_code == 302 and response.url.endswith("/admin/portal/retentionpolicy/1/change/")
    response = client.post(response.url, {"hire_years": "8", "claim_years": "6"})
    assert response.status_code == 302
    policy = RetentionPolicy.current()
    assert (policy.hire_years, policy.claim_years, policy.updated_by) == (8, 6, admin)
    assert client.get("/admin/portal/retentionpolicy/add/").status_code == 403
    assert client.get("/admin/portal/anonymisationrun/").status_code == 200


def test_an_abandoned_draft_loses_its_personal_data_and_no_longer_holds_its_hire(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    """A draft (or returned claim) left untouched for the claims' period counts as closed: anonymised, scans gone,
    its hire free to be anonymised; one touched within the period is left alone."""
    party, headhunter, employer = world["party"], world["headhunter"], world["employer"]
    drafts = {}
    for label, name, number in (("abandoned", "吴八", 205), ("recent", "郑九", 206)):
        hire = claimable_hire(party, employer, name=name, id_number=make_id_number(number), year=world["year"])
        data = ClaimData(
            employer=employer,
            employer_contact="冯经理",
            employer_phone="13700002222",
            lines=(ClaimLine(hire=hire, requested_amount=Decimal("1000")),),
        )
        drafts[label] = claim_create(data=data, by=headhunter)
        attach_signed_annexes(drafts[label], headhunter)
    Claim.objects.filter(pk=drafts["recent"].pk).update(status_since=LATER - datetime.timedelta(days=30))
    scans = list(ClaimAttachment.objects.filter(claim=drafts["abandoned"]).values_list("file", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        run = anonymise_expired(now=LATER)

    abandoned, recent = (Claim.objects.get(pk=drafts[label].pk) for label in ("abandoned", "recent"))
    assert (abandoned.status, abandoned.employer_contact, abandoned.employer_phone) == ("draft", ANONYMISED_NAME, "")
    assert abandoned.anonymised_at is not None and abandoned.requested_total == Decimal("1000")
    assert not ClaimAttachment.objects.filter(claim=abandoned).exists()
    assert not any(default_storage.exists(name) for name in scans)
    assert Hire.objects.get(name=ANONYMISED_NAME, claim_items__claim=abandoned).anonymised_at is not None
    assert (recent.employer_contact, recent.anonymised_at) == ("冯经理", None)
    assert Hire.objects.filter(name="郑九").exists()  # held by a claim still within its period
    assert (run.claims, run.hires) == (2, 3)  # the paid claim and the draft; their hires and the plain one


def test_old_notifications_emails_and_finished_imports_go_recent_ones_stay(world: dict[str, Any]) -> None:
    from portal.constants import ImportJobKind, ImportJobStatus, NotificationKind
    from portal.models import ImportJob, Notification, OutboxMessage

    user = world["headhunter"]
    old, recent = LATER - datetime.timedelta(days=6 * 366), LATER - datetime.timedelta(days=30)
    for when in (old, recent):
        Notification.objects.create(
            recipient=user, kind=NotificationKind.CLAIM_DECISION, title="张三的补助申报已核定", created_at=when
        )
        OutboxMessage.objects.create(
            to_email="a@example.cn", kind=NotificationKind.CLAIM_DECISION, subject="张三", body="核定", created_at=when
        )
        for status in (ImportJobStatus.DONE, ImportJobStatus.QUEUED):
            ImportJob.objects.create(
                kind=ImportJobKind.HIRES,
                owner=UserFactory(clerk=True),
                district=DistrictFactory(),
                status=status,
                errors=[{"row": 3, "message": "身份证号码 500103199001011234 校验位错误"}],
                created_at=when,
            )
    notifications_now = Notification.objects.filter(created_at__gte=recent - datetime.timedelta(days=1)).count()

    run = anonymise_expired(now=LATER)

    # The world's own notifications (made today, seven years before LATER) and e-mails went with the old ones.
    assert Notification.objects.count() == notifications_now == 1
    assert list(OutboxMessage.objects.values_list("created_at", flat=True)) == [recent]
    assert sorted(ImportJob.objects.values_list("status", flat=True)) == sorted(
        [ImportJobStatus.DONE, ImportJobStatus.QUEUED, ImportJobStatus.QUEUED]
    )  # old finished one gone; an old one still under way is the sweep's, not retention's
    assert run.import_jobs == 1 and run.messages >= 2


def test_an_individual_recommender_nothing_needs_is_anonymised_and_signed_out(world: dict[str, Any]) -> None:
    """Due: an individual with no claim or hire within its period who has not signed in since the cut-off. Not due:
    the world's individual (a claim under review), one who signed in lately, an organisation."""
    from rest_framework.authtoken.models import Token

    from portal.models import ThirdParty, User

    long_ago = LATER - datetime.timedelta(days=6 * 366)
    gone = ThirdPartyFactory(verified=True, individual=True, name="陈十")
    returned = ThirdPartyFactory(
        returned=True, individual=True, name="卫十二", return_reason="身份证号码末四位1234与证件不符。"
    )
    active = ThirdPartyFactory(verified=True, individual=True, name="褚十一")
    organisation = ThirdPartyFactory(verified=True, name="某某人力资源公司")
    ThirdParty.objects.filter(pk__in=[gone.pk, returned.pk, active.pk, organisation.pk]).update(created_at=long_ago)
    ThirdParty.objects.filter(pk=world["party"].pk).update(created_at=long_ago)
    gone_user = UserFactory(third_party_user=True, third_party=gone, email="chen@example.cn", last_login=long_ago)
    Token.objects.create(user=gone_user)
    UserFactory(third_party_user=True, third_party=active, last_login=LATER - datetime.timedelta(days=10))

    run = anonymise_expired(now=LATER)

    gone.refresh_from_db()
    assert (gone.name, gone.id_number, gone.id_number_digest, gone.phone, gone.bank_account) == (
        ANONYMISED_NAME,
        "",
        None,
        "",
        "",
    )
    assert gone.anonymised_at is not None and gone.kind == "individual" and gone.return_reason == ""
    returned.refresh_from_db()
    assert (returned.name, returned.return_reason, returned.status) == (ANONYMISED_NAME, ANONYMISED_NAME, "returned")
    gone_user.refresh_from_db()
    assert (gone_user.is_active, gone_user.email, gone_user.display_name) == (False, "", ANONYMISED_NAME)
    assert not Token.objects.filter(user=gone_user).exists()
    for kept in (active, organisation, world["party"]):
        kept.refresh_from_db()
        assert kept.anonymised_at is None and kept.name != ANONYMISED_NAME, kept
    assert User.objects.filter(third_party=active, is_active=True).exists()
    assert run.third_parties == 2
    assert not LogEntry.objects.filter(object_repr__contains="陈十").exists()


def test_the_domain_apps_register_their_steps_claims_first() -> None:
    """The core names no domain app (the import-linter contract in pyproject.toml): subsidies and referrals register
    their records with it in their AppConfig.ready(), the claims' step before the hires'."""
    assert [step.counts_as for step in registered_steps()] == ["claims", "hires", "declared_people"]
