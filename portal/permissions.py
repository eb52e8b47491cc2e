"""The one permission layer: predicates (django-rules) that every view, API and template asks.

District scoping is defined here once (``district_scope``): district staff see their own district,
city staff see every district, everyone else sees no district's internal records.
"""

from __future__ import annotations

from typing import Any, TypeVar

import rules
from django.db.models import Model, Q, QuerySet

from portal.constants import CITY_ROLES, DISTRICT_ROLES, Role
from portal.models import User

M = TypeVar("M", bound=Model)


def _role_predicate(*roles: Role) -> rules.Predicate:
    allowed = frozenset(roles)

    @rules.predicate(name="has_role(" + ",".join(sorted(allowed)) + ")")
    def has_role(user: User) -> bool:
        return bool(getattr(user, "is_authenticated", False)) and user.is_active and user.role in allowed

    return has_role


is_district_clerk = _role_predicate(Role.DISTRICT_CLERK)
is_district_reviewer = _role_predicate(Role.DISTRICT_REVIEWER)
is_district_staff = _role_predicate(*DISTRICT_ROLES)
is_talent_centre = _role_predicate(Role.TALENT_CENTRE)
is_bureau_reviewer = _role_predicate(Role.BUREAU_REVIEWER)
is_city_staff = _role_predicate(*CITY_ROLES)
is_third_party = _role_predicate(Role.THIRD_PARTY)
is_employer = _role_predicate(Role.EMPLOYER)
is_admin = _role_predicate(Role.ADMIN)
is_staff_role = is_district_staff | is_city_staff


@rules.predicate
def in_same_district(user: User, obj: Any) -> bool:
    """The object belongs to the user's own district (objects expose ``district_id``)."""
    return obj is not None and user.district_id is not None and getattr(obj, "district_id", None) == user.district_id


@rules.predicate
def has_no_district(user: User, obj: Any) -> bool:
    """The object (with ``district_id``) belongs to no district: the talent centre is its office of record
    (docs/roles.md, "The office of record")."""
    return obj is not None and hasattr(obj, "district_id") and obj.district_id is None


can_see_district_record = is_city_staff | (is_district_staff & in_same_district)

rules.add_perm("portal.view_workspace", rules.is_authenticated)
rules.add_perm("portal.view_district_records", can_see_district_record)
rules.add_perm("portal.list_employers", is_staff_role)
rules.add_perm("portal.manage_reference_data", is_admin)
rules.add_perm("portal.verify_third_party", is_admin | is_talent_centre)
#: A third party reads its own registration and, once returned for correction, corrects and resubmits it.
rules.add_perm("portal.view_own_registration", is_third_party)
rules.add_perm("portal.read_audit_trail", is_admin)


def district_scope(user: User, field: str = "district") -> Q:
    """The filter for records a user may see through ``field`` (a path to a District).

    Returns a ``Q`` that matches nothing for users without district access; it never widens silently.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.role in CITY_ROLES:
        # Not ``Q()``: an empty Q vanishes when OR-ed (``Q(x) | Q()`` is ``Q(x)``), which would hide everything.
        return Q(pk__isnull=False)
    if user.role in DISTRICT_ROLES and user.district_id is not None:
        return Q(**{f"{field}_id": user.district_id})
    return Q(pk__in=[])


def office_scope(user: User, field: str = "district") -> Q:
    """The filter for records the user's office acts on through ``field`` (a path to a District): district staff
    their own district's, the talent centre those without a district (docs/roles.md, "The office of record"), no one
    else any. Narrower than ``district_scope`` for city staff, who read every district's records but act on none."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.role in DISTRICT_ROLES and user.district_id is not None:
        return Q(**{f"{field}_id": user.district_id})
    if user.role == Role.TALENT_CENTRE:
        return Q(**{f"{field}__isnull": True})
    return Q(pk__in=[])


def scope_to_district(queryset: QuerySet[M], user: User, field: str = "district") -> QuerySet[M]:
    return queryset.filter(district_scope(user, field))


@rules.predicate
def is_verified_third_party(user: User) -> bool:
    """A third-party account whose registration the talent centre or an admin has verified (核验): only such an
    account may claim subsidies. An unverified one signs in, reads the lists and waits."""
    if not is_third_party.test(user) or user.third_party_id is None:
        return False
    return user.third_party is not None and user.third_party.is_verified


# The city dashboard (统计看板): the talent centre and the bureau.
rules.add_perm("portal.view_dashboard", is_talent_centre | is_bureau_reviewer)

# The 旬 roll-ups: the city sees every district, a district its own row and the city average.
rules.add_perm("portal.view_rollups", is_city_staff | is_district_staff)

# The year-end evaluation (评估考核): the bureau and the talent centre.
rules.add_perm("portal.view_evaluation", is_bureau_reviewer | is_talent_centre)
