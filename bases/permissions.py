"""Page-level permissions of the bases app: the base list is public; importing it is the admin's."""

from __future__ import annotations

import rules

from portal import permissions as p

rules.add_perm("bases.import_sheet", p.is_admin)
