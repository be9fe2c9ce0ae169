"""Commands: what a caller asks the system to do, before any rule has looked at it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NewPost:
    """What an author asks to publish."""

    board: str
    type: str
    title: str
    body: str
    district: str | None = None
    visibility: str = "public"
