"""The hire's workflow as a table. Publicity and objections have their own services (they act on notices)."""

from __future__ import annotations

from portal import permissions as p
from portal.workflow import Move
from referrals.constants import HireStatus as S

MOVES: dict[str, Move] = {
    move.action: move
    for move in (
        Move("audit", "初审通过", frozenset({S.RECORDED}), S.AUDITED, p.is_district_reviewer & p.in_same_district),
        Move(
            "return",
            "退回修改",
            frozenset({S.RECORDED, S.AUDITED}),
            S.RETURNED,
            p.is_district_reviewer & p.in_same_district,
            needs_reason=True,
        ),
        Move("resubmit", "重新提交", frozenset({S.RETURNED}), S.RECORDED, p.is_district_clerk & p.in_same_district),
        # AUDITED → IN_PUBLICITY (notice_publish), → CONFIRMED directly when exempt (hire_exempt, the reviewer's),
        # IN_PUBLICITY → CONFIRMED after day 5 (notices_confirm_closed) or → FAILED (objection upheld).
    )
}

#: Who publishes notices and resolves objections: the district's own staff.
district_staff_of_record = p.is_district_staff & p.in_same_district
#: Who confirms a hire without publicity under an exemption rule (按规定不公示): the district's reviewer, not the clerk.
exempter_of_record = p.is_district_reviewer & p.in_same_district
