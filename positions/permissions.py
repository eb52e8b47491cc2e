"""Page-level permissions of the positions app. The per-post rules (who may make which move) are in
``positions.workflow.MOVES``; district scoping is ``portal.permissions.district_scope``."""

from __future__ import annotations

import rules

from portal import permissions as p

rules.add_perm("positions.fill", p.is_district_clerk)
rules.add_perm("positions.view_district_batch", p.is_district_staff)
rules.add_perm("positions.review_district", p.is_district_reviewer)
rules.add_perm("positions.view_city_batches", p.is_city_staff)
rules.add_perm("positions.aggregate", p.is_talent_centre)
rules.add_perm("positions.publish", p.is_bureau_reviewer)
rules.add_perm("positions.reopen_batch", p.is_bureau_reviewer)
rules.add_perm("positions.move", p.is_staff_role)
rules.add_perm("positions.search", p.is_staff_role)
rules.add_perm("positions.import_sheet", p.is_district_clerk | p.is_admin)
#: Employers propose their own posts to their district; the district's clerk adopts or returns the proposals.
rules.add_perm("positions.propose", p.is_employer)
rules.add_perm("positions.handle_proposals", p.is_district_clerk)
