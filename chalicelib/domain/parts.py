"""The parts a post is made of and hangs on to: units, pins, timeline entries, replies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

Visibility = Literal["public", "police_only"]
PinScope = Literal["board", "global"]


class UnitRef(BaseModel):
    """A unit as a post or a reply shows it; `name_en` when the directory gives the unit an English name."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    name_en: str | None = None

    @model_serializer(mode="wrap")
    def _without_absent_name_en(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        if out.get("name_en") is None:
            out.pop("name_en", None)
        return out


class Pin(BaseModel):
    """An admin's pin on a post: on its board or on every feed, maybe until a time."""

    model_config = ConfigDict(frozen=True)

    scope: PinScope
    until: datetime | None = None
    at: datetime

    def active(self, now: datetime) -> bool:
        """Tell whether the pin still holds."""
        return self.until is None or self.until > now


class Event(BaseModel):
    """One entry of a post's public timeline."""

    model_config = ConfigDict(frozen=True)

    id: str
    at: datetime
    kind: str
    text: str
    unit: UnitRef | None = None
    actor: str | None = None
    officer_id: str | None = None  # the officer who did it, if one did (never shown: finds who handles a post)


class Via(BaseModel):
    """The partner app (by its Open311 key) a post was filed through."""

    model_config = ConfigDict(frozen=True)

    key_id: str
    name: str


class OfficialAuthor(BaseModel):
    """The real name, title and unit under an official reply."""

    model_config = ConfigDict(frozen=True)

    officer_id: str
    name: str
    title: str
    unit: UnitRef


class Reply(BaseModel):
    """A reply: a citizen's follow-up or an officer's official answer."""

    model_config = ConfigDict(frozen=True)

    id: str
    post_id: str
    body: str
    created_at: datetime
    author_id: str
    nickname: str | None = None
    official: OfficialAuthor | None = None
    template: str | None = None
    exempt: tuple[str, ...] = ()  # published contacts of units and officers in an official body: never masked
