"""The filters of Open311 reads (ids, services, statuses, time windows) and what partners name in an address."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.open311 import board_of
from chalicelib.domain.times import CST

MAX_IDS = 100
WINDOW = timedelta(days=90)
# W3C date-times: a date, or a date and time to the minute or second (any fraction), with Z, ±hh:mm or no offset.
W3C_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?", re.ASCII)
EARLIEST = datetime(2000, 1, 1, tzinfo=CST)  # dates outside [EARLIEST, LATEST) are refused, not searched
LATEST = datetime(2100, 1, 1, tzinfo=CST)
MAX_OFFSET = timedelta(hours=14)


@dataclass(frozen=True)
class Window:
    """A time range of a query, both ends included."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class RequestQuery:
    """What `GET requests` asks for: some ids (which override the rest), or services, a window and statuses."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    window: Window | None = None
    statuses: frozenset[str] = frozenset({"open", "closed"})


def district_in(address: str, districts: Iterable[str]) -> str | None:
    """Return the district an address names (the longest name wins), or None."""
    found = [d for d in districts if d and d in address]
    return max(found, key=len) if found else None


def parse_time(value: str, name: str) -> datetime:
    """Read a W3C date-time (`2026-03-01T00:00:00Z`, or a date); without an offset it is +08:00.

    Times before 2000 or from 2100 on, and offsets beyond ±14:00, are refused.
    """
    text = value.strip()
    try:
        if not W3C_TIME.fullmatch(text):
            raise ValueError(text)
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise ValidationFailed(f"{name} 不是合法的时间", {name: "expected a W3C date-time"}) from error
    offset = moment.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise ValidationFailed(f"{name} 的时区有误", {name: "the offset must be within ±14:00"})
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=CST)
    if not EARLIEST <= moment < LATEST:
        raise ValidationFailed(
            f"{name} 超出可查询的时间范围（2000年至2099年）", {name: "must fall in the years 2000 to 2099"}
        )
    return moment


def parse_window(params: Mapping[str, str], now: datetime, default: timedelta = WINDOW) -> Window:
    """Read start_date and end_date: by default the last 90 days; never longer than 90 days."""
    raw_start, raw_end = params.get("start_date") or "", params.get("end_date") or ""
    start = parse_time(raw_start, "start_date") if raw_start else None
    end = parse_time(raw_end, "end_date") if raw_end else None
    if start is None:
        end = end or now
        start = end - default
    elif end is None:
        end = max(start, min(now, start + WINDOW))
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
    """Read the filters of `GET requests`; ids override the rest; unknown services are 404, bad input 400."""
    ids = parse_ids(params.get("service_request_id"))
    if ids:
        return RequestQuery(ids=ids)
    statuses = frozenset(_listed(params.get("status")))
    if not statuses <= {"open", "closed"}:
        raise ValidationFailed("status 只能是 open 或 closed", {"status": "expected open and/or closed"})
    codes = _listed(params.get("service_code"))
    for code in codes:
        board_of(code)
    return RequestQuery(
        service_codes=codes,
        window=parse_window(params, now),
        statuses=statuses or frozenset({"open", "closed"}),
    )


def parse_update_query(params: Mapping[str, str], now: datetime) -> tuple[tuple[str, ...], Window | None]:
    """Read the filters of `GET servicerequestupdates`: some ids (any time unless dated), or a window."""
    ids = parse_ids(params.get("service_request_id"))
    dated = bool(params.get("start_date") or params.get("end_date"))
    return ids, parse_window(params, now) if dated or not ids else None
