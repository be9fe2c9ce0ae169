"""Open311 GeoReport v2 in our terms: boards are services, posts are service requests, the timeline is updates.

Plain functions and dataclasses, no pydantic and no I/O: the use cases in services/open311.py call them, and
the edge renders what they return as JSON or XML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain.boards import BOARDS, BOARDS_BY_ID, POLICE_ONLY_TYPES, POST_TYPE_NAMES, Board
from chalicelib.domain.errors import NotFound, ValidationFailed
from chalicelib.domain.masking import mask_text
from chalicelib.domain.times import CST, now_cst

if TYPE_CHECKING:
    from chalicelib.domain.posts import Event, Post

MAX_DESCRIPTION = 4000
MAX_TITLE = 100
MAX_RESULTS = 1000
MAX_IDS = 100
WINDOW = timedelta(days=90)
CHANGESET = "2026-11-28T00:00:00+08:00"  # move on whenever the services or their definitions change
SERVICE_TYPE = "realtime"  # a POST answers with the service_request_id at once: no tokens
CITIZEN_TYPES = ("report", "help", "question")
# The four families of boards, as `group` of the services.
GROUPS: Mapping[str, tuple[str, ...]] = {
    "举报线索": ("report", "environment"),
    "公安业务": ("hukou", "exit-entry", "traffic"),
    "宣传防范": ("anti-drug", "anti-terror", "legal-education"),
    "法律咨询与互助": ("online-lawyer", "legal-aid", "hometown", "qa"),
}
GROUP_OF = {board: group for group, boards in GROUPS.items() for board in boards}
# Timeline kinds after which a request is closed, or open again.
CLOSING_KINDS = frozenset({"resolved", "cad_closed"})
REOPENING_KINDS = frozenset({"reopened"})


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

    @property
    def title(self) -> str:
        """Return the first non-empty line of the description, cut to 100 characters."""
        first = next((line.strip() for line in self.description.splitlines() if line.strip()), "")
        return first[:MAX_TITLE]


@dataclass(frozen=True)
class Window:
    """A time range of a query, both ends included."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class RequestQuery:
    """What `GET requests` asks for: some ids, or services, a window and statuses."""

    ids: tuple[str, ...]
    service_codes: tuple[str, ...]
    window: Window
    statuses: frozenset[str]


@dataclass(frozen=True)
class Update:
    """One entry of a request's public timeline, with the request's status right after it."""

    post_id: str
    event: Event
    status: str


# -- services ----------------------------------------------------------------------------------


def citizen_types(board: Board) -> tuple[str, ...]:
    """Return the post types a citizen may file on a board (publicity is the police's own)."""
    return tuple(t for t in board.post_types if t not in POLICE_ONLY_TYPES)


def board_of(service_code: str) -> Board:
    """Return the board a service code names, or refuse it as an unknown service."""
    board = BOARDS_BY_ID.get(service_code)
    if board is None:
        raise NotFound(f"没有这项服务: {service_code}")
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
                "datatype_description": "包头市的旗县区;也可在 address_string 中写明",
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
        "key_service": "合作方接入密钥由平台管理员签发(POST /admin/api-keys)",
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
    return "closed" if post.status == "resolved" else "open"


def service_notice(post: Post) -> str | None:
    """Return the promise of a first official reply, e.g. 民警将在15分钟内首次回复."""
    if post.first_response_due is None:
        return None
    minutes = max(1, round((post.first_response_due - post.created_at).total_seconds() / 60))
    span = f"{minutes // 60}小时" if minutes % 60 == 0 else f"{minutes}分钟"
    return f"民警将在{span}内首次回复"


def _time(moment: datetime | None) -> str | None:
    return now_cst(moment) if moment is not None else None


def request_out(post: Post) -> dict[str, Any]:
    """Render a post as a public Open311 service request: masked, police-only ones as stubs."""
    stub = post.visibility == "police_only"
    notes = post.latest_official_reply
    return {
        "service_request_id": post.id,
        "status": public_status(post),
        "status_notes": None if stub or not notes else mask_text(notes),
        "service_name": BOARDS_BY_ID[post.board].name if post.board in BOARDS_BY_ID else post.board,
        "service_code": post.board,
        "description": None if stub else mask_text(post.body)[:MAX_DESCRIPTION],
        "agency_responsible": post.assigned_unit.name if post.assigned_unit else None,
        "service_notice": service_notice(post),
        "requested_datetime": _time(post.created_at),
        "updated_datetime": _time(post.updated_at),
        "expected_datetime": _time(post.first_response_due),
        "address": post.district,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def submitted_out(post: Post) -> dict[str, Any]:
    """Render the answer to a POST: the new request's id at once (we are `realtime`)."""
    return {"service_request_id": post.id, "service_notice": service_notice(post), "account_id": None}


def is_public(post: Post) -> bool:
    """Hidden posts never show through Open311."""
    return not post.hidden and post.status != "hidden"


# -- request updates (the FixMyStreet extension) -------------------------------------------------


def updates_of(post: Post, events: Iterable[Event]) -> list[Update]:
    """Pair each timeline entry with the status right after it, walking back from the current status."""
    status = public_status(post)
    out: list[Update] = []
    for event in sorted(events, key=lambda e: (e.at, e.id), reverse=True):
        out.append(Update(post.id, event, status))
        if event.kind in CLOSING_KINDS:
            status = "open"
        elif event.kind in REOPENING_KINDS:
            status = "closed"
    return out


def update_out(update: Update) -> dict[str, Any]:
    """Render one request update as FixMyStreet reads it."""
    return {
        "update_id": update.event.id,
        "service_request_id": update.post_id,
        "status": update.status,
        "updated_datetime": now_cst(update.event.at),
        "description": mask_text(update.event.text),
        "media_url": None,
        "external_status_code": update.event.kind,
    }


# -- parsing what partners send ----------------------------------------------------------------


def district_in(address: str, districts: Iterable[str]) -> str | None:
    """Return the district an address names (the longest name wins), or None."""
    found = [d for d in districts if d and d in address]
    return max(found, key=len) if found else None


def parse_time(value: str, name: str) -> datetime:
    """Read a W3C date-time (`2026-03-01T00:00:00Z`, or a date); without an offset it is +08:00."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise ValidationFailed(f"{name} 不是合法的时间", {name: "expected a W3C date-time"}) from error
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=CST)


def parse_window(params: Mapping[str, str], now: datetime, default: timedelta = WINDOW) -> Window:
    """Read start_date and end_date: by default the last 90 days; never longer than 90 days."""
    raw_start, raw_end = params.get("start_date") or "", params.get("end_date") or ""
    start = parse_time(raw_start, "start_date") if raw_start else None
    end = parse_time(raw_end, "end_date") if raw_end else None
    if start is None and end is None:
        end = now
    if end is None:
        assert start is not None
        end = min(now, start + WINDOW)
    if start is None:
        start = end - default
    if start > end:
        raise ValidationFailed("start_date 晚于 end_date", {"start_date": "must not be after end_date"})
    if end - start > WINDOW:
        raise ValidationFailed("查询时间范围不能超过90天", {"end_date": "the range may span at most 90 days"})
    return Window(start, end)


def _listed(value: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in (value or "").split(",") if part.strip()))


def parse_ids(value: str | None) -> tuple[str, ...]:
    """Read a comma-delimited list of service_request_id values (at most 100)."""
    ids = _listed(value)
    if len(ids) > MAX_IDS:
        raise ValidationFailed(f"一次最多查询{MAX_IDS}个编号", {"service_request_id": f"at most {MAX_IDS} ids"})
    if any(not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", i) for i in ids):
        raise ValidationFailed("编号格式有误", {"service_request_id": "invalid id"})
    return ids


def parse_request_query(params: Mapping[str, str], now: datetime) -> RequestQuery:
    """Read the filters of `GET requests`; unknown services are 404, other bad input 400."""
    statuses = frozenset(_listed(params.get("status")))
    if not statuses <= {"open", "closed"}:
        raise ValidationFailed("status 只能是 open 或 closed", {"status": "expected open and/or closed"})
    codes = _listed(params.get("service_code"))
    for code in codes:
        board_of(code)
    return RequestQuery(
        ids=parse_ids(params.get("service_request_id")),
        service_codes=codes,
        window=parse_window(params, now),
        statuses=statuses or frozenset({"open", "closed"}),
    )
