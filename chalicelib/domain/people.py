"""Who acts: users, officers, units, and the routing rules that pick a unit."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.domain.actors import ANONYMOUS, POLICE_ROLES, Actor, Role, normalize_phone
from chalicelib.domain.values import Value

UnitKind = Literal["command_center", "station", "brigade", "department"]


class User(Value):
    """A signed-in account: a citizen by phone, or an officer from the directory."""

    id: str
    phone: str
    nickname: str
    role: Role = "citizen"
    created_at: str = ""
    verified: bool = True  # False for an account a partner app opened, until its phone signs in with a code


class Unit(Value):
    """A police unit: the command center, a station, a brigade or a department."""

    id: str
    name: str
    kind: UnitKind
    name_en: str | None = None  # what the page shows in English; the Chinese name stays the official one
    district: str | None = None
    parent_id: str | None = None
    public_contact: str | None = None


class Officer(Value):
    """A police officer, known by real name, title and unit."""

    id: str
    name: str
    title: str
    phone: str
    email: str | None = None
    unit_id: str
    role: Literal["officer", "leader", "admin"] = "officer"
    on_duty: bool = True
    public_contact: str | None = None
    # The officer's session stamp: sessions and reply links issued under another stamp are void. Set anew when
    # the officer is created or the phone changes; kept out of every dump (admin answers, audit entries).
    sessions: str = Field(default="", exclude=True, repr=False)


class RoutingRule(Value):
    """Send posts of a board (and optionally a type and a district) to a unit."""

    board: str
    type: str | None = None
    district: str | None = None
    unit_id: str

    def matches(self, board: str, type_: str, district: str | None) -> bool:
        """Tell whether every field the rule gives matches the post."""
        return (
            self.board == board
            and (self.type is None or self.type == type_)
            and (self.district is None or self.district == district)
        )

    @property
    def specificity(self) -> int:
        """District counts more than type, type more than the board alone."""
        return (2 if self.district is not None else 0) + (1 if self.type is not None else 0)


class Routing(Value):
    """The whole set of routing rules."""

    rules: tuple[RoutingRule, ...] = ()
    default_unit_id: str | None = None

    def unit_for(self, board: str, type_: str, district: str | None) -> str | None:
        """Pick the most specific matching rule's unit (ties go to the earlier rule)."""
        best: RoutingRule | None = None
        for rule in self.rules:
            if rule.matches(board, type_, district) and (best is None or rule.specificity > best.specificity):
                best = rule
        return best.unit_id if best else self.default_unit_id


__all__ = [
    "ANONYMOUS",
    "POLICE_ROLES",
    "Actor",
    "Officer",
    "Role",
    "Routing",
    "RoutingRule",
    "Unit",
    "UnitKind",
    "User",
    "normalize_phone",
]
