"""Page-level permissions of the subsidies app. Per-claim moves are in ``subsidies.workflow.MOVES``."""

from __future__ import annotations

import rules

from portal import permissions as p
from subsidies.workflow import is_claimant

rules.add_perm("subsidies.claim", p.is_third_party)
rules.add_perm("subsidies.review_first", p.is_talent_centre)
rules.add_perm("subsidies.review_second", p.is_bureau_reviewer)
rules.add_perm("subsidies.review", p.is_talent_centre | p.is_bureau_reviewer)
rules.add_perm("subsidies.record_payment", p.is_bureau_reviewer)
#: 再次补助例外: the bureau lets a person bring a referral subsidy once more.
rules.add_perm("subsidies.record_person_exception", p.is_bureau_reviewer)
#: Object-level: who may open a claim (and its attachments and PDFs): its claimant and the city's reviewers.
rules.add_perm("subsidies.view_claim", (p.is_third_party & is_claimant) | p.is_talent_centre | p.is_bureau_reviewer)
#: Object-level: who may download Annexes 2 and 3, which print ID numbers whole (docs/subsidies.md, "Documents"):
#: the claimant, who signs them, and the city, which files them. Kept apart from ``view_claim`` on purpose: should
#: another role ever be let into the claim's pages, it does not get the whole numbers with them.
rules.add_perm(
    "subsidies.print_claim_documents", (p.is_third_party & is_claimant) | p.is_talent_centre | p.is_bureau_reviewer
)
