"""The office of record of hires and notices (docs/roles.md, "The office of record"): a district's HR bureau, or the
talent centre for hires at employers without a district. The district pages serve both: they are given an ``Office``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from portal import permissions as p
from portal.contacts import TALENT_CENTRE, TALENT_CENTRE_CODE
from portal.models import District, User


@dataclass(frozen=True)
class Office:
    """A district (``district`` set) or the talent centre (``district`` None)."""

    district: District | None

    @property
    def is_talent_centre(self) -> bool:
        return self.district is None

    @property
    def name(self) -> str:
        """What pages call it: the district's name, or the talent centre's."""
        return self.district.name if self.district is not None else TALENT_CENTRE

    @property
    def code(self) -> str:
        """The district's code, or the talent centre's where a district code would stand (notice references)."""
        return self.district.code if self.district is not None else TALENT_CENTRE_CODE

    @property
    def hires_url(self) -> str:
        """The office's desk of hires: the district's list, or the talent centre's 基地人员审核."""
        return reverse("referrals:centre_hires" if self.is_talent_centre else "referrals:hire_list")

    def owns(self, field: str = "district") -> Q:
        """The filter for its records through ``field`` (a path to a District)."""
        if self.district is None:
            return Q(**{f"{field}__isnull": True})
        return Q(**{f"{field}_id": self.district.pk})


def office_of(user: User) -> Office | None:
    """The office the user works for: district staff their district, a talent-centre officer the centre; else None."""
    if p.is_district_staff.test(user) and user.district is not None:
        return Office(user.district)
    if p.is_talent_centre.test(user):
        return Office(None)
    return None


__all__ = ["Office", "office_of"]
