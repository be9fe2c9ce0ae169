"""Open311 GeoReport v2 in our terms: boards are services, posts are service requests, the timeline is updates.

Plain functions and dataclasses, no pydantic and no I/O: the use cases in services/open311.py call them, and
the edge renders what they return as JSON or XML.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.boards import BOARDS, BOARDS_BY_ID, POLICE_ONLY_TYPES, POST_TYPE_NAMES, Board
from chalicelib.domain.emergency import CALL_110
from chalicelib.domain.errors import NotFound
from chalicelib.domain.incidents import CAD_EVENTS
from chalicelib.domain.masking import mask_text
from chalicelib.domain.status import STATUS_NAMES, Status
from chalicelib.domain.times import iso_cst

if TYPE_CHECKING:
    from chalicelib.domain.posts import Event, Post

MAX_DESCRIPTION = 4000
MAX_TITLE = 100
MAX_RESULTS = 1000
CHANGESET = "2026-11-28T00:00:00+08:00"  # move on whenever the services or their definitions change
SERVICE_TYPE = "realtime"  # a POST answers with the service_request_id at once: no tokens
# The four families of boards, as `group` of the services.
GROUPS: Mapping[str, tuple[str, ...]] = {
    "举报线索": ("report", "environment"),
    "公安业务": ("hukou", "exit-entry", "traffic"),
    "宣传防范": ("anti-drug", "anti-terror", "legal-education"),
    "法律咨询与互助": ("online-lawyer", "legal-aid", "hometown", "qa"),
}
GROUP_OF = {board: group for group, boards in GROUPS.items() for board in boards}
# Timeline kinds after which a request is closed, or open again.
CLOSING_KINDS = frozenset({Status.RESOLVED, "cad_closed"})
REOPENING_KINDS = frozenset({Status.REOPENED})
# What an update of a police-only post says, by timeline kind: that something happened, in our words only.
STUB_UPDATES: Mapping[str, str] = {
    "received": "已收悉",
    "replied": "民警已回复",
    "escalated": "已提请督办",
    "rated": "发帖人已评价",
    **{f"cad_{event}": words for event, (words, _) in CAD_EVENTS.items()},
}


@dataclass(frozen=True)
class PartnerKey:
    """An API key issued to a partner app; only the hash of its secret is kept."""

    id: str
    name: str
    secret_hash: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class Submission:
    """A service request as a partner app files it, already checked field by field."""

    service_code: str
    description: str
    phone: str
    type: str
    district: str | None = None
    lat: float | None = None  # kept only with long (a location needs both)
    long: float | None = None
    address: str | None = None

    @property
    def title(self) -> str:
        """Return the first non-empty line of the description, cut to 100 characters."""
        first = next((line.strip() for line in self.description.splitlines() if line.strip()), "")
        return first[:MAX_TITLE]


@dataclass(frozen=True)
class Update:
    """One entry of a request's public timeline, with the request's status right after it."""

    post_id: str
    event: Event
    status: str
    stub: bool = False  # of a police-only post: its text is never shown


# -- services ----------------------------------------------------------------------------------


def citizen_types(board: Board) -> tuple[str, ...]:
    """Return the post types a citizen may file on a board (publicity is the police's own)."""
    return tuple(t for t in board.post_types if t not in POLICE_ONLY_TYPES)


def board_of(service_code: str) -> Board:
    """Return the board a service code names, or refuse it as an unknown service."""
    board = BOARDS_BY_ID.get(service_code)
    if board is None:
        raise NotFound(f"没有这项服务：{service_code}")
    return board


def service(board: Board) -> dict[str, Any]:
    """Describe a board as an Open311 service."""
    return {
        "service_code": board.id,
        "service_name": board.name,
        "description": board.description,
        "metadata": True,
        "type": SERVICE_TYPE,
        "keywords": ",".join(POST_TYPE_NAMES[t] for t in citizen_types(board)),
        "group": GROUP_OF[board.id],
    }


def services() -> list[dict[str, Any]]:
    """Describe every board as a service."""
    return [service(board) for board in BOARDS]


def service_definition(board: Board, districts: Iterable[str]) -> dict[str, Any]:
    """Describe the attributes of a service: the post type (required) and the district."""
    return {
        "service_code": board.id,
        "attributes": [
            {
                "variable": True,
                "code": "type",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": "举报、求助或问题",
                "order": 1,
                "description": "诉求类型",
                "values": [{"key": t, "name": POST_TYPE_NAMES[t]} for t in citizen_types(board)],
            },
            {
                "variable": True,
                "code": "district",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": "包头市的旗县区；也可在 address_string 中写明",
                "order": 2,
                "description": "所在地区",
                "values": [{"key": d, "name": d} for d in districts],
            },
        ],
    }


def discovery(endpoint_url: str, contact: str) -> dict[str, Any]:
    """Describe this endpoint for Open311 service discovery."""
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": "合作方接入密钥由平台管理员签发（POST /admin/api-keys）",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": endpoint_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }


# -- service requests -------------------------------------------------------------------------


def public_status(post: Post) -> str:
    """Map our lifecycle onto Open311's: `resolved` is closed, every other status open."""
    return "closed" if post.status == Status.RESOLVED else "open"


def service_notice(post: Post) -> str | None:
    """Return the promise of a first official reply, e.g. 民警将在15分钟内首次回复."""
    if post.first_response_due is None:
        return None
    minutes = max(1, round((post.first_response_due - post.clock_start).total_seconds() / 60))
    span = f"{minutes // 60}小时" if minutes % 60 == 0 else f"{minutes}分钟"
    return f"民警将在{span}内首次回复"


def _time(moment: datetime | None) -> str | None:
    return iso_cst(moment) if moment is not None else None


def request_out(post: Post, exempt: Iterable[str] = (), media: str = "") -> dict[str, Any]:
    """Render a post as a public Open311 service request: masked, police-only ones as stubs.

    `exempt` lists published contact numbers, which official notes may quote unmasked; `media` is where the public
    reads photos (MEDIA_URL): the first photo of a public post is its `media_url`. A location is rounded (~100 m).
    """
    stub = post.visibility == "police_only"
    notes = post.latest_official_reply
    where = post.location.rounded() if post.location is not None and not stub else None
    photo = post.photos[0].id if post.photos and post.shown_publicly else None
    return {
        "service_request_id": post.id,
        "status": public_status(post),
        "status_notes": None if stub or not notes else mask_text(notes, exempt),
        "service_name": BOARDS_BY_ID[post.board].name if post.board in BOARDS_BY_ID else post.board,
        "service_code": post.board,
        "description": None if stub else mask_text(post.body)[:MAX_DESCRIPTION],
        "agency_responsible": post.assigned_unit.name if post.assigned_unit else None,
        "service_notice": service_notice(post),
        "requested_datetime": _time(post.created_at),
        "updated_datetime": _time(post.updated_at),
        "expected_datetime": _time(post.first_response_due),
        "address": post.district,
        "lat": where.lat if where else None,
        "long": where.long if where else None,
        "media_url": f"{media}/media/{photo}/full.jpg" if photo else None,
    }


def submitted_out(post: Post) -> dict[str, Any]:
    """Render the answer to a POST: the new request's id at once (we are `realtime`)."""
    notice = service_notice(post)
    if post.urgent:
        notice = f"{CALL_110};{notice}" if notice else CALL_110
    return {"service_request_id": post.id, "service_notice": notice, "account_id": None}


def is_public(post: Post) -> bool:
    """Hidden posts never show through Open311."""
    return not post.hidden and post.status != Status.HIDDEN


# -- request updates (the FixMyStreet extension) -------------------------------------------------


def updates_of(post: Post, events: Iterable[Event]) -> list[Update]:
    """Pair each timeline entry with the status right after it, walking back from the current status."""
    status = public_status(post)
    stub = post.visibility == "police_only"
    out: list[Update] = []
    for event in sorted(events, key=lambda e: (e.at, e.id), reverse=True):
        out.append(Update(post.id, event, status, stub))
        if event.kind in CLOSING_KINDS:
            status = "open"
        elif event.kind in REOPENING_KINDS:
            status = "closed"
    return out


def stub_text(event: Event) -> str:
    """Say what an entry of a police-only post's timeline did, from its kind, never from its stored text."""
    if event.kind == Status.DISPATCHED:
        return f"已分派至{event.unit.name}" if event.unit is not None else "已分派至处置单位"
    if event.kind == "transferred":
        return f"已转交{event.unit.name}" if event.unit is not None else "已转交处置单位"
    if event.kind in STUB_UPDATES:
        return STUB_UPDATES[event.kind]
    return f"状态改为{STATUS_NAMES[event.kind]}" if event.kind in STATUS_NAMES else "状态已更新"


def update_out(update: Update) -> dict[str, Any]:
    """Render one request update as FixMyStreet reads it: masked; a police-only post's without any note."""
    return {
        "update_id": update.event.id,
        "service_request_id": update.post_id,
        "status": update.status,
        "updated_datetime": iso_cst(update.event.at),
        "description": stub_text(update.event) if update.stub else mask_text(update.event.text),
        "media_url": None,
        "external_status_code": update.event.kind,
    }
