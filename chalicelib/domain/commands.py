"""Commands: what a caller asks the system to do, before any rule has looked at it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.domain.photos import Location
    from chalicelib.domain.posts import Via


@dataclass(frozen=True)
class NewPost:
    """What an author asks to publish."""

    board: str
    type: str
    title: str
    body: str
    district: str | None = None
    visibility: str = "public"
    via: Via | None = None  # the partner app filing it for a citizen's phone
    photos: tuple[str, ...] = ()  # upload ids, in order
    location: Location | None = None
    address: str | None = None
