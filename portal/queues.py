"""The shared core's work queues: registrations the talent centre verifies, and a third party's own wait."""

from __future__ import annotations

from django.urls import reverse

from portal.constants import Role, ThirdPartyStatus
from portal.contacts import CENTRE
from portal.models import User
from portal.registration.verification import third_party_pending_count
from portal.workspace import WorkQueue, register_queue_provider


def verification_queues(user: User) -> list[WorkQueue]:
    return [
        WorkQueue(
            "待核验的第三方",
            "新注册的人力资源服务机构、社会组织和个人，核对身份与银行信息后予以核验，核验后方可申报引才补助。",
            third_party_pending_count(),
            reverse("portal:third_party_list") + "?status=pending",
        )
    ]


def awaiting_verification_queues(user: User) -> list[WorkQueue]:
    """A third party sees its own registration waiting, or returned with the reason, until it is verified."""
    third_party = user.third_party
    if third_party is None or third_party.is_verified:
        return []
    url = reverse("portal:registration_details")
    if third_party.status == ThirdPartyStatus.RETURNED:
        return [
            WorkQueue(
                "注册信息被退回补正",
                f"市人才交流服务中心退回了您的注册信息，原因：{third_party.return_reason}"
                "请修改后重新提交核验；核验通过前暂不能申报引才补助。",
                1,
                url,
            )
        ]
    return [
        WorkQueue(
            "注册信息待核验",
            "您的注册信息已提交，正在等待市人才中心核验。核验通过前可以查看岗位榜单，但暂不能申报引才补助；"
            f"如需加急或更正信息，请联系{CENTRE.inline}。",
            1,
            url,
        )
    ]


def register() -> None:
    register_queue_provider(Role.TALENT_CENTRE, verification_queues)
    register_queue_provider(Role.ADMIN, verification_queues)
    register_queue_provider(Role.THIRD_PARTY, awaiting_verification_queues)
