"""Routes of the public figures (阳光执法): totals, the last 30 days per day, and the same as CSV."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api.http import http_errors, ok, query
from chalicelib.bootstrap import services

bp = Blueprint(__name__)
CSV_NAME = "police24-daily.csv"


@bp.route("/stats", methods=["GET"])
@http_errors
def stats() -> Response:
    """Return the public figures, overall and per unit, each with how it is computed (anyone)."""
    return ok(services().stats.public())


@bp.route("/stats/daily", methods=["GET"])
@http_errors
def stats_daily() -> Response:
    """Return the last 30 days per day, of the platform or of one unit (`?unit=`) (anyone)."""
    return ok(services().stats.daily(query(bp.current_request).get("unit") or None))


@bp.route("/stats/daily.csv", methods=["GET"])
@http_errors
def stats_daily_csv() -> Response:
    """Download the last 30 days per day as CSV (UTF-8 with BOM): the platform and each unit, or one (anyone)."""
    unit = query(bp.current_request).get("unit") or None
    name = f"police24-daily-{unit}.csv" if unit else CSV_NAME
    return Response(
        body=services().stats.daily_csv(unit),
        status_code=200,
        headers={"Content-Type": "text/csv; charset=utf-8", "Content-Disposition": f'attachment; filename="{name}"'},
    )
