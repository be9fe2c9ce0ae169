"""A post's statuses and the one table of the moves between them."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a post is in its handling (stored and shown by value)."""

    RECEIVED = "received"
    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    HIDDEN = "hidden"


STATUS_NAMES: dict[str, str] = {  # keyed by Status; a plain str finds its entry too
    Status.RECEIVED: "已收悉",
    Status.DISPATCHED: "已分派",  # routed to a unit; 已派警 (police sent) is only what 110 reports
    Status.ACKNOWLEDGED: "已受理",
    Status.IN_PROGRESS: "处置中",
    Status.RESOLVED: "已办结",
    Status.REOPENED: "重新办理",
    Status.HIDDEN: "已隐藏",
}

_HANDLING = (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED)
# The one transition table: from each status, the statuses a post may move to. A post moves forward (skipping
# steps is fine), never back; only a resolved post is reopened, and a reopened one is handled again from
# `acknowledged`. `received -> dispatched` is the dispatcher's assignment. A status missing on the left (hidden)
# never moves; one missing everywhere on the right (received, hidden) is never a target of a move.
MOVES: dict[str, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.DISPATCHED, *_HANDLING}),
    Status.DISPATCHED: frozenset(_HANDLING),
    Status.REOPENED: frozenset(_HANDLING),
    Status.ACKNOWLEDGED: frozenset(_HANDLING[1:]),
    Status.IN_PROGRESS: frozenset(_HANDLING[2:]),
    Status.RESOLVED: frozenset({Status.REOPENED}),
}
# The statuses a move may name (a move to any other is a validation error, not a conflict).
MOVABLE = frozenset({Status.RECEIVED, *(target for targets in MOVES.values() for target in targets)})


def may_move(current: str, target: str) -> bool:
    """Tell whether the table allows moving from `current` to `target`."""
    return target in MOVES.get(current, frozenset())
