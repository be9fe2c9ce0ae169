"""Routes of the public figures (阳光执法): totals, the last 30 days per day, and the same as CSV."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib.api.operation import ANYONE, Call, operation
from chalicelib.api.params import UNIT

bp = Blueprint(__name__)
CSV_NAME = "police24-daily.csv"
CSV = "text/csv; charset=utf-8"


@operation(bp, "GET", "/stats", who=ANYONE, response="Stats", tag="figures")
def stats(call: Call) -> dict[str, Any]:
    """Return the public figures, overall and per unit, each with how it is computed (anyone)."""
    return call.svc.stats.public()  # the figures' own dict, as the model describes it


@operation(bp, "GET", "/stats/daily", who=ANYONE, response="DailyStats", errors=(404,), query=(UNIT,), tag="figures")
def stats_daily(call: Call) -> dict[str, Any]:
    """Return the last 30 days per day, of the platform or of one unit (`?unit=`) (anyone)."""
    return call.svc.stats.daily(call.params["unit"])


@operation(
    bp, "GET", "/stats/daily.csv", who=ANYONE, response=None, errors=(404,), query=(UNIT,), tag="figures", media=CSV
)
def stats_daily_csv(call: Call) -> Response:
    """Download the last 30 days per day as CSV (UTF-8 with BOM): the platform and each unit, or one (anyone)."""
    unit = call.params["unit"]
    name = f"police24-daily-{unit}.csv" if unit else CSV_NAME
    body = call.svc.stats.daily_csv(unit)
    return Response(body=body, headers={"Content-Type": CSV, "Content-Disposition": f'attachment; filename="{name}"'})
