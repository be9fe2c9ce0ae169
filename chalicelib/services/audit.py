"""The audit trail of every officer and admin action: who, when, what, before and after."""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.people import Actor
from chalicelib.domain.posts import Post
from chalicelib.services.ports import Clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditEntry:
    """Who did what to which thing, when, and the state before and after."""

    id: str
    at: datetime
    actor: str
    role: str
    action: str
    target: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


class AuditLog(Protocol):
    """The append-only trail of privileged actions."""

    def record(self, entry: AuditEntry) -> None:
        """Append one entry."""

    def month(self, month: str, limit: int, after: str | None) -> tuple[list[AuditEntry], str | None]:
        """Return a month's entries newest first, and where the next page starts."""


def snapshot(post: Post) -> dict[str, Any]:
    """Return the fields of a post an audit entry compares."""
    data: dict[str, Any] = post.model_dump(mode="json", include={"status", "version", "hidden", "hidden_reason", "pin"})
    data["assigned_unit"] = post.assigned_unit.id if post.assigned_unit else None
    return data


class Auditor:
    """Writes audit entries for the use cases."""

    def __init__(self, trail: AuditLog, clock: Clock) -> None:
        self.trail, self.clock = trail, clock

    def log(self, actor: Actor, action: str, target: str, before: Any = None, after: Any = None) -> None:
        """Append an entry; a failure is logged loudly but does not undo the action."""
        who = actor.officer_id or actor.user_id or "system"
        entry = AuditEntry(f"a{secrets.token_hex(8)}", self.clock.now(), who, actor.role, action, target, before, after)
        try:
            self.trail.record(entry)
        except Exception:
            log.exception("audit write failed", extra={"audit": json.dumps(entry.__dict__, default=str)})
