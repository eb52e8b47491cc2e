"""The hire's workflow as a table. Publicity and objections have their own services (they act on notices).

Every move is made by the hire's office of record (docs/roles.md, "The office of record"): the district's HR bureau
for a hire with a district; the talent centre for a hire without one (an employer, a base, whose district is not
known yet). The predicates below say so once; the talent centre never acts on a district's hire.
"""

from __future__ import annotations

import rules

from portal import permissions as p
from portal.workflow import Move
from referrals.constants import HireStatus as S


@rules.predicate
def not_its_recorder(user: object, hire: object) -> bool:
    """The user is neither the one who recorded (received) the hire nor the one who last corrected it: separation of
    duties where one role could do both. A correction counts as recording: the corrected facts are the corrector's
    (docs/workflows.md, "Hires without a district")."""
    me = getattr(user, "pk", None)
    return (
        hire is not None and getattr(hire, "recorded_by_id", None) != me and getattr(hire, "edited_by_id", None) != me
    )


#: District staff of the hire's (or notice's) own district.
district_staff_of_record = p.is_district_staff & p.in_same_district
#: The talent centre, for a hire (or notice) without a district.
talent_centre_of_record = p.is_talent_centre & p.has_no_district
#: Who publishes notices, marks exemptions, resolves objections and reads the whole ID number: the office of record.
office_staff_of_record = district_staff_of_record | talent_centre_of_record
#: Who audits (初审) or returns a hire. In a district the reviewer is not the clerk who recorded it by role; at the
#: talent centre one role could do both, so the auditing officer must not be the one who recorded it.
office_reviewer_of_record = (p.is_district_reviewer & p.in_same_district) | (talent_centre_of_record & not_its_recorder)
#: Who corrects a hire (修改) and resubmits it once returned: the district's clerk, or for a hire without a district
#: the talent centre's officers (no district clerk has it, and the employer or third party who declared it has
#: handed it over). The officer who corrects it then may not audit it (``not_its_recorder``).
office_editor_of_record = (p.is_district_clerk & p.in_same_district) | talent_centre_of_record

MOVES: dict[str, Move] = {
    move.action: move
    for move in (
        Move("audit", "初审通过", frozenset({S.RECORDED}), S.AUDITED, office_reviewer_of_record),
        Move(
            "return",
            "退回修改",
            frozenset({S.RECORDED, S.AUDITED}),
            S.RETURNED,
            office_reviewer_of_record,
            needs_reason=True,
        ),
        # A district's clerk corrects and resubmits; a hire without a district, the talent centre's officers.
        Move("resubmit", "重新提交", frozenset({S.RETURNED}), S.RECORDED, office_editor_of_record),
        # AUDITED → IN_PUBLICITY (notice_publish), → CONFIRMED directly when exempt (hire_exempt, the reviewer's),
        # IN_PUBLICITY → CONFIRMED after day 5 (notices_confirm_closed) or → FAILED (objection upheld).
    )
}

#: Who confirms a hire without publicity under an exemption rule (按规定不公示): the office's reviewer (the district's
#: reviewer, not its clerk; at the talent centre an officer who did not record the hire).
exempter_of_record = office_reviewer_of_record
