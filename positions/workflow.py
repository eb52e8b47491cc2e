"""The post's workflow as a table: state → action → (next state, who may do it). Read it top to bottom.

Every move goes through ``positions.services.position_move``, which checks this table, the role and the
district, writes, and records the audit event. Nothing else changes ``Position.status``.
"""

from __future__ import annotations

import rules

from portal import permissions as p
from portal.workflow import Move
from positions.constants import PositionStatus as S
from positions.constants import ProposalStatus as PS

MOVES: dict[str, Move] = {
    move.action: move
    for move in (
        Move(
            "submit",
            "提交初审",
            frozenset({S.DRAFT, S.RETURNED}),
            S.SUBMITTED,
            p.is_district_clerk & p.in_same_district,
        ),
        Move("approve", "初审通过", frozenset({S.SUBMITTED}), S.APPROVED, p.is_district_reviewer & p.in_same_district),
        Move(
            "district_return",
            "退回修改",
            frozenset({S.SUBMITTED, S.APPROVED}),
            S.RETURNED,
            p.is_district_reviewer & p.in_same_district,
            needs_reason=True,
        ),
        # "send" happens per batch (positions.services.batch_send): APPROVED → SENT for the whole 旬.
        Move("aggregate", "汇总", frozenset({S.SENT}), S.AGGREGATED, p.is_talent_centre),
        Move(
            "city_return",
            "退回区县",
            frozenset({S.SENT, S.AGGREGATED}),
            S.RETURNED,
            p.is_talent_centre | p.is_bureau_reviewer,
            needs_reason=True,
        ),
        Move("publish", "复核发布", frozenset({S.AGGREGATED}), S.PUBLISHED, p.is_bureau_reviewer),
        Move(
            "close_filled",
            "关闭（已招满）",
            frozenset({S.PUBLISHED}),
            S.CLOSED,
            p.is_bureau_reviewer | (p.is_district_staff & p.in_same_district),
        ),
        Move(
            "close_withdrawn",
            "关闭（撤回）",
            frozenset({S.PUBLISHED}),
            S.CLOSED,
            p.is_bureau_reviewer | (p.is_district_staff & p.in_same_district),
            needs_reason=True,
        ),
    )
}

#: States in which the district clerk may still edit the post's fields.
EDITABLE = frozenset({S.DRAFT, S.RETURNED})


@rules.predicate
def is_proposing_employer(user: object, proposal: object) -> bool:
    """The proposal is the employer account's own company's."""
    employer_id = getattr(user, "employer_id", None)
    return employer_id is not None and getattr(proposal, "employer_id", None) == employer_id


#: An employer's post proposal (``positions.models.PostProposal``): proposed by the employer to its district, adopted
#: into the district's 旬 batch or returned by the district's clerk. Services: ``positions.proposals``.
PROPOSAL_MOVES: dict[str, Move] = {
    move.action: move
    for move in (
        Move("adopt", "采纳", frozenset({PS.PROPOSED}), PS.ADOPTED, p.is_district_clerk & p.in_same_district),
        Move(
            "return",
            "退回",
            frozenset({PS.PROPOSED}),
            PS.RETURNED,
            p.is_district_clerk & p.in_same_district,
            needs_reason=True,
        ),
        Move(
            "repropose", "修改后重新提出", frozenset({PS.RETURNED}), PS.PROPOSED, p.is_employer & is_proposing_employer
        ),
        Move(
            "withdraw",
            "撤回",
            frozenset({PS.PROPOSED, PS.RETURNED}),
            PS.WITHDRAWN,
            p.is_employer & is_proposing_employer,
        ),
    )
}
