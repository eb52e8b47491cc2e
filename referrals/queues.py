"""The referrals app's work queues on each role's landing page: a hire shows up where its next move is made."""

from __future__ import annotations

import rules
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from portal.calendar import TenDayPeriod
from portal.constants import Role
from portal.models import User
from portal.permissions import office_scope
from portal.workspace import WorkLink, WorkQueue, register_link_provider, register_queue_provider
from referrals.constants import DeclarationStatus, EmployerConfirmation
from referrals.constants import HireStatus as S
from referrals.models import DeclaredPerson, Hire, HireReport
from referrals.selectors import hire_scope, objection_queue, report_pending_hires


def _counts(user: User) -> dict[str, int]:
    """One query: the user's visible hires in each state that waits for somebody."""
    return Hire.objects.filter(hire_scope(user)).aggregate(
        returned=Count("pk", filter=Q(status=S.RETURNED)),
        recorded=Count("pk", filter=Q(status=S.RECORDED)),
        audited=Count("pk", filter=Q(status=S.AUDITED)),
        # A hire whose publicity failed can no longer be confirmed (the employer's page offers nothing for it).
        employer_pending=Count(
            "pk", filter=Q(employer_confirmation=EmployerConfirmation.PENDING) & ~Q(status=S.FAILED)
        ),
    )


def _hire_list(status: S) -> str:
    return f"{reverse('referrals:hire_list')}?status={status.value}"


def district_queues(user: User) -> list[WorkQueue]:
    """Each card opens the page that lists its hires with their buttons. The clerk's and the reviewer's cards
    differ where their work does: the clerk corrects what was returned, the reviewer audits and sends the 旬 report."""
    counts = _counts(user)
    queues = []
    if user.role == Role.DISTRICT_CLERK:
        queues.append(
            WorkQueue(
                "被退回的到岗人员",
                "初审退回，请按原因修改后重新提交。",
                counts["returned"],
                _hire_list(S.RETURNED),
            )
        )
    else:
        queues.append(
            WorkQueue("待初审的到岗人员", "经办人已登记，等待您初审。", counts["recorded"], _hire_list(S.RECORDED))
        )
    queues += [
        WorkQueue(
            "待公示的人员",
            "初审通过，发布公示（5个工作日）或按规定不公示。",
            counts["audited"],
            reverse("referrals:notice_publish"),
        ),
        WorkQueue(
            "待处理的异议",
            "公示期间社会公众提出的异议，逐条核实并作出处理。",
            objection_queue(user=user).count(),
            reverse("referrals:objection_queue"),
        ),
    ]
    if rules.has_perm("referrals.send_report", user):
        queues.append(_report_queue(user))
    return queues


def _report_queue(user: User) -> WorkQueue:
    """The hires the reviewer can report now: those the running 旬's report would carry, until it is sent.
    Hires confirmed after it was sent wait for the next 旬's report, which cannot be sent before that 旬 begins."""
    period = TenDayPeriod.current()
    district = user.district
    assert district is not None  # district staff always have one
    pending = 0
    if not HireReport.objects.filter(district=district, period=str(period)).exists():
        pending = report_pending_hires(district=district, until=min(timezone.now(), period.closes_at)).count()
    return WorkQueue(
        "待旬报的入职结果",
        "公示无异议已确认的人员，随本旬入职结果报送市人力社保局。",
        pending,
        reverse("referrals:report_district"),
    )


def centre_queues(user: User) -> list[WorkQueue]:
    """The talent centre's cards for hires without a district, which it audits and publicises in a district's place
    (docs/roles.md, "The office of record"); they open its own desk, not the city's read-only list."""
    counts = Hire.objects.filter(office_scope(user)).aggregate(
        # The audits the officer may make: not of a hire the officer recorded (referrals.workflow).
        recorded=Count("pk", filter=Q(status=S.RECORDED) & ~Q(recorded_by_id=user.pk)),
        audited=Count("pk", filter=Q(status=S.AUDITED)),
    )
    desk = reverse("referrals:centre_hires")
    return [
        WorkQueue(
            "待初审的基地人员",
            "所在区县尚未确定的人才基地引进的人员，由市人才交流服务中心初审。",
            counts["recorded"],
            f"{desk}?status={S.RECORDED.value}",
        ),
        WorkQueue(
            "待公示的基地人员",
            "初审通过，发布公示（5个工作日）或按规定不公示。",
            counts["audited"],
            reverse("referrals:notice_publish"),
        ),
        WorkQueue(
            "待处理的基地人员异议",
            "市人才交流服务中心公示期间社会公众提出的异议，逐条核实并作出处理。",
            objection_queue(user=user).count(),
            reverse("referrals:objection_queue"),
        ),
    ]


def employer_queues(user: User) -> list[WorkQueue]:
    return [
        WorkQueue(
            "待确认的引进人才",
            "第三方机构为本单位推荐并已到岗的人员，请核实后确认（附件3），作为第三方申领补助的依据。",
            _counts(user)["employer_pending"],
            reverse("referrals:employer_hires"),
        ),
        WorkQueue(
            "第三方申报待确认",
            "第三方申报由其推荐引进到本单位的人员，请逐人确认或写明原因不予确认；确认后转入区县审核。",
            DeclaredPerson.objects.filter(employer_id=user.employer_id, status=DeclarationStatus.PENDING).count()
            if user.employer_id
            else 0,
            reverse("referrals:employer_declarations"),
        ),
    ]


def third_party_queues(user: User) -> list[WorkQueue]:
    return [
        WorkQueue(
            "待单位确认的申报",
            "您申报的推荐引进人员，等待用人单位在线确认；确认后转入区县审核和公示。",
            DeclaredPerson.objects.filter(third_party_id=user.third_party_id, status=DeclarationStatus.PENDING).count()
            if user.third_party_id
            else 0,
            f"{reverse('referrals:declaration_list')}?status={DeclarationStatus.PENDING.value}",
        )
    ]


def admin_links(user: User) -> list[WorkLink]:
    return [
        WorkLink(
            "导入到岗人员（附件3）",
            "上传《用人单位引进人才确认表》，选择区县，预览每一行后整表导入；页面上可下载空白表格。",
            reverse("referrals:hire_import"),
        )
    ]


def register() -> None:
    register_link_provider(Role.ADMIN, admin_links)
    register_queue_provider(Role.DISTRICT_CLERK, district_queues)
    register_queue_provider(Role.DISTRICT_REVIEWER, district_queues)
    register_queue_provider(Role.EMPLOYER, employer_queues)
    register_queue_provider(Role.TALENT_CENTRE, centre_queues)
    register_queue_provider(Role.THIRD_PARTY, third_party_queues)
