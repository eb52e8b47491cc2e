"""Which programme a hire belongs to, decided from its facts (docs/workflows.md, "Which programme").

启航 is for fresh graduates (应届毕业生) brought in full-time; 海聚 for experienced engineers, full-time or flexible.
Who counts as 应届 is the admin's rule (``GraduateWindow``), loaded once (``GraduateWindows.load``) so that a sheet
of thousands of rows is checked without a query per row. The functions here run no query.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from portal.constants import Programme
from portal.dates import prose_date
from portal.errors import PortalError
from referrals.constants import EmploymentMode
from referrals.models import GraduateWindow

#: With no rule entered for a year (or earlier), the window is the model's default: the hire's year or the year before.
DEFAULT_YEARS_BEFORE: int = GraduateWindow._meta.get_field("years_before").get_default()

NEED_FACTS = "请填写毕业时间（启航）或工作经历（海聚）。"


@dataclass(frozen=True)
class Window:
    """The graduation dates that count as 应届 for hires of ``year``: ``first_day`` to ``last_day``, both included."""

    year: int
    first_day: datetime.date
    last_day: datetime.date

    def __contains__(self, day: datetime.date) -> bool:
        return self.first_day <= day <= self.last_day

    @property
    def label(self) -> str:
        return f"{prose_date(self.first_day)}至{prose_date(self.last_day)}"


@dataclass(frozen=True)
class GraduateWindows:
    """The admin's rules, newest first: (from_year, years_before)."""

    rules: tuple[tuple[int, int], ...]

    @classmethod
    def load(cls) -> GraduateWindows:
        """One query."""
        return cls(tuple(GraduateWindow.objects.order_by("-from_year").values_list("from_year", "years_before")))

    def for_year(self, year: int) -> Window:
        years_before = next((before for start, before in self.rules if start <= year), DEFAULT_YEARS_BEFORE)
        return Window(year, datetime.date(year - years_before, 1, 1), datetime.date(year, 12, 31))


def _flexible_qihang() -> PortalError:
    return PortalError(
        "“引进方式”为柔性的人才不能列入启航专项：启航专项只接收全职引进的应届毕业生，请改为海聚专项或核对引进方式。",
        "flexible_qihang",
        field="mode",
    )


def _outside(graduated_on: datetime.date, window: Window) -> PortalError:
    return PortalError(
        f"“毕业时间”{prose_date(graduated_on)}不在{window.year}年启航专项的应届毕业生范围"
        f"（{window.label}毕业）内，不能列入启航专项。",
        "not_fresh_graduate",
        field="graduated_on",
    )


def programme_at_recording(
    *, chosen: str | None, mode: str, graduated_on: datetime.date | None, work_experience: str, window: Window
) -> tuple[str, list[PortalError]]:
    """The programme of a hire being recorded and what contradicts it. A programme the clerk chose is checked
    against the facts given (facts may still be missing: the audit asks for them); none chosen, it is derived:
    柔性 → 海聚; graduated inside the window → 启航; outside it, or a work history given → 海聚; else refused."""
    if chosen:
        errors = []
        if chosen == Programme.QIHANG:
            if mode == EmploymentMode.FLEXIBLE:
                errors.append(_flexible_qihang())
            if graduated_on is not None and graduated_on not in window:
                errors.append(_outside(graduated_on, window))
        return chosen, errors
    if mode == EmploymentMode.FLEXIBLE:
        return Programme.HAIJU, []
    if graduated_on is not None:
        return (Programme.QIHANG if graduated_on in window else Programme.HAIJU), []
    if work_experience.strip():
        return Programme.HAIJU, []
    return "", [PortalError(NEED_FACTS, "programme_facts_required", field="programme")]


def audit_problems(
    *, programme: str, mode: str, graduated_on: datetime.date | None, work_experience: str, window: Window
) -> list[PortalError]:
    """What the district reviewer's 初审 refuses: a 启航 hire without a graduation date inside the window or not
    full-time; a 海聚 hire without a work history."""
    errors = []
    if programme == Programme.QIHANG:
        if mode == EmploymentMode.FLEXIBLE:
            errors.append(_flexible_qihang())
        if graduated_on is None:
            errors.append(
                PortalError(
                    "启航专项须填写“毕业时间”，以核实是否为应届毕业生。", "graduated_on_required", field="graduated_on"
                )
            )
        elif graduated_on not in window:
            errors.append(_outside(graduated_on, window))
    elif programme == Programme.HAIJU and not work_experience.strip():
        errors.append(PortalError("海聚专项须填写“工作经历”。", "work_experience_required", field="work_experience"))
    return errors
