"""The bases' lines on the landing pages (``portal.workspace``): a base's account is told it is one, and in which
batches; the admin finds the base list's import."""

from __future__ import annotations

from django.urls import reverse

from bases.selectors import batches_of_employer
from portal.constants import Role
from portal.models import User
from portal.workspace import WorkLink, register_link_provider


def employer_links(user: User) -> list[WorkLink]:
    """One line when the account's employer is a talent base (one query), none otherwise."""
    if not user.employer_id:
        return []
    titles = batches_of_employer(employer_id=user.employer_id)
    if not titles:
        return []
    return [
        WorkLink(
            "本单位是卓越工程师人才基地",
            f"入选{'、'.join(titles)}。第三方协助本单位引进卓越工程师的，可按规定申报引才补助；请及时确认其引进的人才。",
            reverse("bases:list"),
        )
    ]


def admin_links(user: User) -> list[WorkLink]:
    return [
        WorkLink(
            "导入人才基地名单",
            "上传人才基地名单（年度、批次、序号、单位名称、统一社会信用代码、所在区县），预览无误后整表导入。",
            reverse("bases:import"),
        )
    ]


def register() -> None:
    register_link_provider(Role.EMPLOYER, employer_links)
    register_link_provider(Role.ADMIN, admin_links)
