"""Page-level permissions of the referrals app. Per-hire moves are in ``referrals.workflow.MOVES``."""

from __future__ import annotations

import rules

from portal import permissions as p
from referrals.workflow import office_staff_of_record


@rules.predicate
def is_hire_employer(user: object, hire: object) -> bool:
    """The hire works at the employer account's company."""
    employer_id = getattr(user, "employer_id", None)
    return employer_id is not None and getattr(hire, "employer_id", None) == employer_id


rules.add_perm("referrals.record_hire", p.is_district_clerk)
#: Correct a hire (修改) and resubmit it: a district's clerk, or the talent centre for hires without a district; which
#: hire, ``referrals.workflow.office_editor_of_record`` says.
rules.add_perm("referrals.correct_hire", p.is_district_clerk | p.is_talent_centre)
rules.add_perm("referrals.view_district_hires", p.is_district_staff)
rules.add_perm("referrals.view_hires", p.is_district_staff | p.is_city_staff | p.is_employer)
#: The offices of record (docs/roles.md, "The office of record"): a district's staff for its hires, the talent centre
#: for hires without a district. Page-level only: which hire each may act on is ``referrals.workflow``'s predicates.
is_office_staff = p.is_district_staff | p.is_talent_centre
#: Audit (初审) on the office's own desk; which hire, the workflow's predicates say.
rules.add_perm("referrals.review_hire", p.is_district_reviewer | p.is_talent_centre)
#: Move hires (audit, return, resubmit) and reveal their ID numbers, each hire as the workflow's predicates allow.
rules.add_perm("referrals.act_on_hires", is_office_staff)
#: Publish notices, mark exemptions, resolve objections: the office's staff (a district's clerk or reviewer, or the
#: talent centre for hires without a district).
rules.add_perm("referrals.run_publicity", is_office_staff)
#: The talent centre's desk of hires without a district (基地人员审核).
rules.add_perm("referrals.audit_hires_without_district", p.is_talent_centre)
#: Confirm without publicity under an exemption rule (按规定不公示): the office's reviewer only (a district's reviewer,
#: or the talent centre for hires without a district); which hire, ``referrals.workflow.exempter_of_record`` says.
rules.add_perm("referrals.exempt_from_publicity", p.is_district_reviewer | p.is_talent_centre)
rules.add_perm("referrals.send_report", p.is_district_reviewer)
rules.add_perm("referrals.view_city_reports", p.is_city_staff)
rules.add_perm("referrals.confirm_as_employer", p.is_employer)
#: A third party's 我的推荐申报 (only a verified one may submit: ``referrals.declarations.require_declarer``).
rules.add_perm("referrals.declare_introductions", p.is_third_party)
#: Object-level: who may see a hire's ID number whole (the reveal is recorded). Claim reviewers get theirs on claims.
rules.add_perm("referrals.reveal_id_number", office_staff_of_record)
rules.add_perm("referrals.confirm_hire_as_employer", p.is_employer & is_hire_employer)
rules.add_perm("referrals.import_sheet", p.is_district_clerk | p.is_admin)
#: The blank Annex 3 sheet: for those who import it, and for third parties, who declare their people with it.
rules.add_perm("referrals.download_annex3_template", p.is_district_clerk | p.is_admin | p.is_third_party)
