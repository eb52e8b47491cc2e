"""Page-level permissions of the referrals app. Per-hire moves are in ``referrals.workflow.MOVES``."""

from __future__ import annotations

import rules

from portal import permissions as p
from referrals.workflow import district_staff_of_record


@rules.predicate
def is_hire_employer(user: object, hire: object) -> bool:
    """The hire works at the employer account's company."""
    employer_id = getattr(user, "employer_id", None)
    position = getattr(hire, "position", None)
    return employer_id is not None and position is not None and position.employer_id == employer_id


rules.add_perm("referrals.record_hire", p.is_district_clerk)
rules.add_perm("referrals.view_district_hires", p.is_district_staff)
rules.add_perm("referrals.view_hires", p.is_district_staff | p.is_city_staff | p.is_employer)
rules.add_perm("referrals.review_hire", p.is_district_reviewer)
#: Publish notices, resolve objections: the district's own staff (clerk or reviewer).
rules.add_perm("referrals.run_publicity", p.is_district_staff)
#: Confirm without publicity under an exemption rule (按规定不公示): the district reviewer only.
rules.add_perm("referrals.exempt_from_publicity", p.is_district_reviewer)
rules.add_perm("referrals.send_report", p.is_district_reviewer)
rules.add_perm("referrals.view_city_reports", p.is_city_staff)
rules.add_perm("referrals.confirm_as_employer", p.is_employer)
#: Object-level: who may see a hire's ID number whole (the reveal is recorded). Claim reviewers get theirs on claims.
rules.add_perm("referrals.reveal_id_number", district_staff_of_record)
rules.add_perm("referrals.confirm_hire_as_employer", p.is_employer & is_hire_employer)
rules.add_perm("referrals.import_sheet", p.is_district_clerk | p.is_admin)
