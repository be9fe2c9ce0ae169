"""Incidents handed to the 110 command system (三台合一) and the progress it reports back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from chalicelib.domain.status import Status

CadEvent = Literal["accepted", "dispatched", "arrived", "closed"]
SCHEMA_ID = "https://police24.example/schemas/cad-incident/v1"
SCHEMA_VERSION = "1.1"  # 1.1: photos, location, address (optional)

# What the resident reads on the timeline, and the status each event moves the post forward to.
CAD_EVENTS: dict[str, tuple[str, Status]] = {
    "accepted": ("110指挥中心已接警", Status.ACKNOWLEDGED),
    "dispatched": ("民警已出警", Status.IN_PROGRESS),
    "arrived": ("民警已到达现场", Status.IN_PROGRESS),
    "closed": ("警情已处置完毕", Status.RESOLVED),
}


def incident_id_for(post_id: str) -> str:
    """Return the one incident id a post can have (so a repeated hand-off is the same incident)."""
    return f"INC-{post_id}"


@dataclass(frozen=True)
class CadEventIn:
    """A progress event reported by the command system."""

    incident_id: str
    post_id: str
    event: str
    unit_name: str
    at: datetime
    note: str | None = None
