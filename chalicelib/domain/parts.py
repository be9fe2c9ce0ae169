"""The parts a post is made of and hangs on to: units, pins, timeline entries, replies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import SerializerFunctionWrapHandler, model_serializer

from chalicelib.domain.photos import Photo
from chalicelib.domain.values import Value

Visibility = Literal["public", "police_only"]
PinScope = Literal["board", "global"]


class UnitRef(Value):
    """A unit as a post or a reply shows it; `name_en` when the directory gives the unit an English name."""

    id: str
    name: str
    name_en: str | None = None

    @model_serializer(mode="wrap")
    def _without_absent_name_en(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        if out.get("name_en") is None:
            out.pop("name_en", None)
        return out


class BodySizes(Value):
    """The sizes of a whole body, carried by a feed card whose `body` is only its head (`Post.head_of`)."""

    length: int
    masked_length: int


class Pin(Value):
    """An admin's pin on a post: on its board or on every feed, maybe until a time."""

    scope: PinScope
    until: datetime | None = None
    at: datetime

    def active(self, now: datetime) -> bool:
        """Tell whether the pin still holds."""
        return self.until is None or self.until > now


class Event(Value):
    """One entry of a post's public timeline."""

    id: str
    at: datetime
    kind: str
    text: str
    unit: UnitRef | None = None
    actor: str | None = None
    officer_id: str | None = None  # the officer who did it, if one did (never shown: finds who handles a post)


class Via(Value):
    """The partner app (by its Open311 key) a post was filed through."""

    key_id: str
    name: str


class OfficialAuthor(Value):
    """The real name, title and unit under an official reply."""

    officer_id: str
    name: str
    title: str
    unit: UnitRef


class Reply(Value):
    """A reply: a citizen's follow-up or an officer's official answer."""

    id: str
    post_id: str
    body: str
    created_at: datetime
    author_id: str
    nickname: str | None = None
    official: OfficialAuthor | None = None
    template: str | None = None
    exempt: tuple[str, ...] = ()  # published contacts of units and officers in an official body: never masked
    photos: tuple[Photo, ...] = ()  # processed photos, in the author's order (services.photos)
    refused_photos: tuple[int, ...] = ()  # places (1-based) of the photos sent that were not images
