"""The claim's review as a table: who moves a claim from which state to which. Amounts and eligibility are checked
in ``subsidies.services``; this table only says who may act where."""

from __future__ import annotations

import rules

from portal import permissions as p
from portal.workflow import Move
from subsidies.constants import ClaimAction as A
from subsidies.constants import ClaimStatus as S


@rules.predicate
def is_claimant(user: object, claim: object) -> bool:
    third_party_id = getattr(user, "third_party_id", None)
    return third_party_id is not None and getattr(claim, "third_party_id", None) == third_party_id


@rules.predicate
def not_the_first_reviewer(user: object, claim: object) -> bool:
    """Separation of duties (docs/roles.md, "Separation of duties"): the re-reviewer of a claim is a different person from its first reviewer."""
    return getattr(claim, "first_reviewer_id", None) != getattr(user, "pk", None)


claimant = p.is_third_party & is_claimant
second_reviewer = p.is_bureau_reviewer & not_the_first_reviewer

MOVES: dict[str, Move] = {
    move.action: move
    for move in (
        Move(A.SUBMIT, "提交申报", frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, claimant),
        Move(A.WITHDRAW, "撤回申报", frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED}), S.WITHDRAWN, claimant),
        Move(A.FIRST_PASS, "初审通过", frozenset({S.SUBMITTED}), S.FIRST_PASSED, p.is_talent_centre, needs_reason=True),
        Move(A.FIRST_RETURN, "退回修改", frozenset({S.SUBMITTED}), S.RETURNED, p.is_talent_centre, needs_reason=True),
        Move(A.FIRST_REJECT, "不予支持", frozenset({S.SUBMITTED}), S.REJECTED, p.is_talent_centre, needs_reason=True),
        Move(A.APPROVE, "复核核定", frozenset({S.FIRST_PASSED}), S.APPROVED, second_reviewer, needs_reason=True),
        Move(A.SECOND_RETURN, "退回修改", frozenset({S.FIRST_PASSED}), S.RETURNED, second_reviewer, needs_reason=True),
        Move(A.SECOND_REJECT, "不予支持", frozenset({S.FIRST_PASSED}), S.REJECTED, second_reviewer, needs_reason=True),
        Move(A.PAY, "登记发放", frozenset({S.APPROVED}), S.PAID, p.is_bureau_reviewer),
    )
}

#: Moves that are a first review and those that are a re-review (they record the reviewer and opinion).
FIRST_REVIEW = frozenset({A.FIRST_PASS, A.FIRST_RETURN, A.FIRST_REJECT})
SECOND_REVIEW = frozenset({A.APPROVE, A.SECOND_RETURN, A.SECOND_REJECT})
