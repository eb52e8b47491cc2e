"""What every workflow table is made of: moves, and the one check that a move may be made.

Each app keeps its own table (``positions.workflow.MOVES``, ``referrals.workflow.MOVES``, ...): state →
action → target state, with the predicate of who may make it. Services call ``check_move`` after locking
the row, then write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import rules

from portal.errors import PermissionDenied, PortalError


@dataclass(frozen=True)
class Move:
    action: str
    label: str
    source: frozenset[str]
    target: str
    who: rules.Predicate
    needs_reason: bool = False


def check_move(moves: dict[str, Move], *, action: str, obj: Any, by: Any, reason: str, subject: str) -> Move:
    """The move ``action`` on ``obj`` (with ``status`` and ``get_status_display``), or a Chinese refusal.

    ``subject`` names the object in messages, e.g. the post's or the person's name.
    """
    move = moves.get(action)
    if move is None:
        raise PortalError("未知的操作。", "unknown_action")
    if not move.who.test(by, obj):
        raise PermissionDenied(f"您无权对“{subject}”执行“{move.label}”。")
    if obj.status not in move.source:
        raise PortalError(
            f"“{subject}”当前状态为“{obj.get_status_display()}”，不能{move.label}。", "invalid_transition"
        )
    if move.needs_reason and not reason.strip():
        raise PortalError(f"{move.label}须填写原因。", "reason_required", field="reason")
    return move


def moves_open(moves: dict[str, Move], *, obj: Any, user: Any) -> list[Move]:
    """The moves ``user`` may make on ``obj`` now, in the table's order: the buttons a detail page offers."""
    return [move for move in moves.values() if obj.status in move.source and move.who.test(user, obj)]
