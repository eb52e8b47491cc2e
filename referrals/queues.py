"""The referrals app's work queues on each role's landing page: a hire shows up where its next move is made."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse

from portal.constants import Role
from portal.models import User
from portal.workspace import WorkQueue, register_queue_provider
from referrals.constants import EmployerConfirmation
from referrals.constants import HireStatus as S
from referrals.models import Hire
from referrals.selectors import hire_scope, objection_queue


def _counts(user: User) -> dict[str, int]:
    """One query: the user's visible hires in each state that waits for somebody."""
    return Hire.objects.filter(hire_scope(user)).aggregate(
        returned=Count("pk", filter=Q(status=S.RETURNED)),
        recorded=Count("pk", filter=Q(status=S.RECORDED)),
        audited=Count("pk", filter=Q(status=S.AUDITED)),
        unreported=Count("pk", filter=Q(status=S.CONFIRMED, report__isnull=True)),
        employer_pending=Count("pk", filter=Q(employer_confirmation=EmployerConfirmation.PENDING)),
    )


def district_queues(user: User) -> list[WorkQueue]:
    counts = _counts(user)
    hires = reverse("referrals:hire_list")
    queues = []
    if user.role == Role.DISTRICT_CLERK:
        queues.append(WorkQueue("被退回的到岗人员", "初审退回，请按原因修改后重新提交。", counts["returned"], hires))
    else:
        queues.append(WorkQueue("待初审的到岗人员", "经办人已登记，等待您初审。", counts["recorded"], hires))
    queues += [
        WorkQueue("待公示的人员", "初审通过，发布公示（5个工作日）或按规定不公示。", counts["audited"], hires),
        WorkQueue(
            "待处理的异议",
            "公示期间社会公众提出的异议，逐条核实并作出处理。",
            objection_queue(user=user).count(),
            reverse("referrals:objection_queue"),
        ),
        WorkQueue(
            "待旬报的入职结果",
            "公示无异议已确认的人员，随本旬入职结果报送市人力社保局。",
            counts["unreported"],
            reverse("referrals:report_district"),
        ),
    ]
    return queues


def employer_queues(user: User) -> list[WorkQueue]:
    return [
        WorkQueue(
            "待确认的引进人才",
            "第三方机构为本单位推荐并已到岗的人员，请核实后确认（附件3），作为第三方申领补助的依据。",
            _counts(user)["employer_pending"],
            reverse("referrals:employer_hires"),
        )
    ]


def register() -> None:
    register_queue_provider(Role.DISTRICT_CLERK, district_queues)
    register_queue_provider(Role.DISTRICT_REVIEWER, district_queues)
    register_queue_provider(Role.EMPLOYER, employer_queues)
