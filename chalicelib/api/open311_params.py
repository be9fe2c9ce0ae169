"""The Open311 GeoReport v2 routes' one decorator, and the query parameters they read (domain/open311_filters.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib.api.open311_format import spec_errors
from chalicelib.api.operation import ANYONE, Op, register
from chalicelib.api.params import Param
from chalicelib.domain.boards import BOARDS

_ID_LIST = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}(,[A-Za-z0-9_-]{1,64}){0,99}$"}
IDS = Param("service_request_id", _ID_LIST, "comma-delimited, at most 100; with ids the other filters are ignored")
UPDATE_IDS = Param("service_request_id", _ID_LIST, "comma-delimited, at most 100; of any time unless dated")
_CODES = "|".join(b.id for b in BOARDS)
SERVICE_CODES = Param(
    "service_code",
    {"type": "string", "pattern": f"^({_CODES})(,({_CODES}))*$"},
    "comma-delimited board ids; an unknown one is 404",
)
DATES = tuple(
    Param(
        name,
        {"type": "string", "format": "date-time"},
        "W3C date-time (+08:00 without an offset); start to end at most 90 days, by default the last 90",
    )
    for name in ("start_date", "end_date")
)
STATUS = Param("status", {"type": "string", "pattern": "^(open|closed)(,(open|closed))?$"}, "open, closed or both")


def georeport(
    bp: Blueprint,
    *routes: str,
    response: str | None,
    many: bool = True,
    errors: tuple[int, ...] = (),
    query: tuple[Param, ...] = (),
    storage: bool = True,
    content_types: list[str] | None = None,
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Declare an Open311 route, each of `routes` as "METHOD path": the view answers in the format the path
    names (open311_format.answer); domain errors become the spec's `[{code, description}]`."""

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        wrapped = spec_errors(bp)(view)
        options: dict[str, Any] = {"content_types": content_types} if content_types else {}
        for route in routes:
            method, path = route.split(" ", 1)
            op = Op(method, path, view, ANYONE, response, errors=errors, query=query, tag="Open311", storage=storage)
            register(bp, replace(op, georeport=True, many=many), wrapped, **options)
        return wrapped

    return decorate
