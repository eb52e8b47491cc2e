"""The talent centre's verification of self-registered third parties (核验), as a table of states and moves:

    from      move                                   who                      to
    待核验    核验通过                               talent centre, admin     已核验
    待核验    退回补正 (with the reason)             talent centre, admin     退回补正
    退回补正  修改后重新提交 (details corrected)     the third party itself   待核验

Only a verified third party may claim subsidies (``portal.permissions.is_verified_third_party``). Each move locks the
row, checks the table and writes with the actor in the audit trail; a verification or a return is sent to the third
party's accounts (inbox, and e-mail if they chose it). A resubmission shows in the centre's queue and daily digest.
"""

from __future__ import annotations

import rules
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, DateTimeField, F, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from portal import permissions as p
from portal.audit.recording import set_actor
from portal.constants import NotificationKind, ThirdPartyStatus
from portal.dates import prose_datetime
from portal.errors import PortalError
from portal.models import ThirdParty, User
from portal.notifications.services import notify_many
from portal.registration.services import (
    ORGANISATION_KINDS,
    RegistrationRefused,
    ThirdPartyDetails,
    check_model,
    details_check,
)
from portal.security.crypto import keyed_digest
from portal.workflow import Move, check_move

S = ThirdPartyStatus


@rules.predicate
def is_own_registration(user: User, third_party: ThirdParty) -> bool:
    return third_party is not None and user.third_party_id is not None and user.third_party_id == third_party.pk


verifier = p.is_talent_centre | p.is_admin
registrant = p.is_third_party & is_own_registration

MOVES: dict[str, Move] = {
    move.action: move
    for move in (
        Move("verify", "核验通过", frozenset({S.PENDING}), S.VERIFIED, verifier),
        Move("return", "退回补正", frozenset({S.PENDING}), S.RETURNED, verifier, needs_reason=True),
        Move("resubmit", "修改后重新提交", frozenset({S.RETURNED}), S.PENDING, registrant),
    )
}

#: The longest reason a return may give (it is read in the inbox and on the registration page).
REASON_MAX_LENGTH = 1000


def _lock(third_party: ThirdParty) -> ThirdParty:
    return ThirdParty.objects.select_for_update().get(pk=third_party.pk)


def _notify(third_party: ThirdParty, *, title: str, body: str, url: str) -> None:
    notify_many(
        recipients=User.objects.filter(third_party=third_party, is_active=True),
        kind=NotificationKind.ACCOUNT,
        title=title,
        body=body,
        url=url,
    )


@transaction.atomic
def third_party_verify(*, third_party: ThirdParty, by: User) -> ThirdParty:
    """核验通过: the talent centre (or an admin) checked the registration. Verifying twice is refused politely."""
    # Locked: two officers pressing 核验 at once must not both record themselves.
    locked = _lock(third_party)
    if verifier.test(by) and locked.verified_at is not None:
        raise PortalError(
            f"{locked.name}已于{prose_datetime(locked.verified_at)}核验，无需重复核验。", "already_verified"
        )
    move = check_move(MOVES, action="verify", obj=locked, by=by, reason="", subject=locked.name)
    now = timezone.now()
    locked.status, locked.status_since = move.target, now
    locked.verified_at, locked.verified_by = now, by
    with set_actor(by):
        locked.save(update_fields=["status", "status_since", "verified_at", "verified_by", "updated_at"])
    _notify(
        locked,
        title="注册信息已核验",
        body=f"{locked.name}的注册信息已通过市人才交流服务中心核验，现在可以在线申报引才补助。",
        url=reverse("subsidies:claim_list"),
    )
    return locked


@transaction.atomic
def third_party_return(*, third_party: ThirdParty, reason: str, by: User) -> ThirdParty:
    """退回补正: the registration goes back to the third party with what to correct; it cannot claim meanwhile."""
    locked = _lock(third_party)
    reason = reason.strip()
    move = check_move(MOVES, action="return", obj=locked, by=by, reason=reason, subject=locked.name)
    if len(reason) > REASON_MAX_LENGTH:
        raise PortalError(f"退回原因最多{REASON_MAX_LENGTH}个字。", "reason_too_long", field="reason")
    now = timezone.now()
    locked.status, locked.status_since = move.target, now
    locked.return_reason, locked.returned_at, locked.returned_by = reason, now, by
    with set_actor(by):
        locked.save(
            update_fields=["status", "status_since", "return_reason", "returned_at", "returned_by", "updated_at"]
        )
    _notify(
        locked,
        title="注册信息被退回补正",
        body=f"{locked.name}的注册信息被市人才交流服务中心退回补正。原因：{reason}请修改后重新提交核验。",
        url=reverse("portal:registration_details"),
    )
    return locked


#: The fields a correction rewrites (the sign-in account is not part of the registration's details).
DETAIL_FIELDS = ("kind", "name", "credit_code", "id_number", "contact_name", "phone", "bank_name", "bank_account")


@transaction.atomic
def third_party_resubmit(*, third_party: ThirdParty, details: ThirdPartyDetails, by: User) -> ThirdParty:
    """修改后重新提交: the third party corrects its details (the same rules as at registration, its own numbers not
    counted as taken) and the registration goes back to the talent centre's queue. Raises ``RegistrationRefused``
    with every reason at once."""
    locked = _lock(third_party)
    move = check_move(MOVES, action="resubmit", obj=locked, by=by, reason="", subject=locked.name)
    checked = details_check(details, exclude_pk=locked.pk)
    if checked.errors:
        raise RegistrationRefused(checked.errors)
    values = checked.values
    organisation = details.kind in ORGANISATION_KINDS
    locked.kind = details.kind
    locked.name = values["name"]
    locked.credit_code = values.get("credit_code") if organisation else None
    locked.id_number = None if organisation else values.get("id_number")
    locked.contact_name = values["contact_name"]
    locked.phone = values["phone"]
    locked.bank_name = values["bank_name"]
    locked.bank_account = values["bank_account"]
    check_model(locked, checked, exclude=["returned_by", "verified_by"])
    if checked.errors:
        raise RegistrationRefused(checked.errors)
    locked.status, locked.status_since = move.target, timezone.now()
    try:
        with transaction.atomic(), set_actor(by):
            locked.save(update_fields=[*DETAIL_FIELDS, "id_number_digest", "status", "status_since", "updated_at"])
    except IntegrityError:
        # Another registration took the number between the check and the write.
        field = "identity_number"
        message = (
            "该统一社会信用代码已注册，请联系市人才中心。" if organisation else "该身份证号码已注册，请联系市人才中心。"
        )
        raise RegistrationRefused([PortalError(message, "duplicate_identity", field=field)]) from None
    return locked


# ---- the talent centre's list ------------------------------------------------------------------------------------

#: The list's tabs: what each shows.
LIST_FILTERS = {"pending": S.PENDING, "returned": S.RETURNED, "verified": S.VERIFIED}


def third_party_list_for_review(*, status: str = "", keyword: str = "") -> QuerySet[ThirdParty]:
    """Every third party: those waiting first (longest-waiting first, a corrected one by when it came back), then
    those returned for correction, then the verified (latest first).

    ``status`` is a key of ``LIST_FILTERS`` to keep one state; ``keyword`` matches the name, the credit code, or a
    whole ID number (a part of an ID number finds nothing: it is personal data, not a search term)."""
    parties = ThirdParty.objects.select_related("verified_by", "returned_by").prefetch_related("users")
    if status in LIST_FILTERS:
        parties = parties.filter(status=LIST_FILTERS[status])
    for word in keyword.split():
        parties = parties.filter(
            Q(name__icontains=word) | Q(credit_code__icontains=word) | Q(id_number_digest=keyed_digest(word))
        )
    order = Case(
        When(status=S.PENDING, then=Value(0)),
        When(status=S.RETURNED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    waiting_since = Case(
        When(status=S.VERIFIED, then=Value(None)), default=F("status_since"), output_field=DateTimeField()
    )
    return parties.order_by(order, waiting_since, "-status_since", "pk")


def third_party_pending_count() -> int:
    return ThirdParty.objects.filter(status=S.PENDING).count()


def third_party_state_counts() -> dict[str, int]:
    """How many registrations are in each state, for the list's tabs (one query)."""
    return ThirdParty.objects.aggregate(
        **{key: Count("pk", filter=Q(status=value)) for key, value in LIST_FILTERS.items()}
    )
