"""Public figures (阳光执法), computed from counters kept as things happen (services.tally writes them).

Reading never scans: the totals are one Query (every scope under PK = STATS), and a scope's last 30 days one
Query on its DAILY#<scope> partition (30 small items at most).
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from chalicelib.domain.errors import NotFound
from chalicelib.domain.response_times import median_of
from chalicelib.domain.times import CST
from chalicelib.services.ports import Clock, DirectoryRepository, StatsRepository

DAYS = 30
# How each figure is computed, one line each: the page shows them (English in web/js/i18n.js, `stats.how.*`).
NOTES: dict[str, str] = {
    "posts": "网友和民警发布的帖子数（含仅警方可见的线索）；单位一栏为分派或转交给该单位的帖子数。",
    "replies": "全部回复条数，含网友跟帖。",
    "official_replies": "民警以实名发布的官方回复条数。",
    "assigned": "按分派规则或由领导、指挥中心分派给处置单位的帖子数；单位一栏也计入转交给它的帖子。分派不等于出警。",
    "incidents": "转为110警情、交给110指挥系统的帖子数。",
    "police_dispatches": "110指挥系统回报已派民警出警的警情数。",
    "resolved": "状态改为已办结的帖子数（含110回报处置完毕）。",
    "escalations": "超过首次回复时限仍未回复、提请单位领导或指挥中心督办的次数。",
    "median_first_response_minutes": "从发帖到首次官方回复（或先办结）的用时中位数，按分钟计，一天以上按一天计。",
    "answered_within_deadline": (
        "首次回复时限已到的帖子中按时回复的比例：迟回复和至今未回复的都计入，时限未到且未回复的暂不计入。"
    ),
    "satisfaction": "发帖人评价为满意的次数占全部评价次数的比例。",
}
DAILY_NOTES: dict[str, str] = {
    "date": "日期（北京时间）；每项计入事情发生的那一天，按时回复率计入时限所在的那一天。",
    "posts": NOTES["posts"],
    "official_replies": NOTES["official_replies"],
    "median_first_response_minutes": "当天作出的首次回复的用时中位数（分钟）；当天没有首次回复则为空。",
    "answered_within_deadline": "时限在当天到期的帖子中按时回复的比例；当天没有到期的帖子则为空。",
    "satisfaction": "当天评价中满意的比例；当天没有评价则为空。",
}
CSV_COLUMNS = (
    ("date", "日期"),
    ("unit_id", "单位编号"),
    ("unit", "单位"),
    ("posts", "帖子数"),
    ("official_replies", "官方回复数"),
    ("first_responses", "首次回复数"),
    ("median_first_response_minutes", "首次回复中位用时（分钟）"),
    ("deadlines", "到期帖子数"),
    ("answered_in_time", "按时回复数"),
    ("answered_within_deadline", "按时回复率"),
    ("ratings", "评价数"),
    ("satisfaction", "满意度"),
)
OVERALL_NAME = "全平台"


def median_minutes(counters: dict[str, int]) -> int | None:
    """Return the median first-response time in minutes from the histogram counters (`h_<bucket start>`)."""
    return median_of({int(k[2:]): v for k, v in counters.items() if k.startswith("h_")})


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def figures(counters: dict[str, int]) -> dict[str, Any]:
    """Turn one scope's counters into the published figures."""
    with_deadline = counters.get("with_deadline", 0)
    rated = counters.get("rated", 0)
    return {
        "posts": counters.get("posts", counters.get("posts_assigned", 0)),
        "replies": counters.get("replies", 0),
        "official_replies": counters.get("official_replies", 0),
        "assigned": counters.get("posts_assigned", 0),
        "incidents": counters.get("incidents", 0),
        "police_dispatches": counters.get("police_dispatches", 0),
        "resolved": counters.get("resolved", 0),
        "escalations": counters.get("escalations", 0),
        "first_responses": counters.get("answered", 0),
        "median_first_response_minutes": median_minutes(counters),
        "deadlines": with_deadline,
        "answered_in_time": counters.get("answered_in_time", 0),
        "answered_within_deadline": _share(counters.get("answered_in_time", 0), with_deadline),
        "satisfaction": _share(counters.get("satisfied", 0), rated),
        "ratings": rated,
    }


def cell(text: str) -> str:
    """Keep a spreadsheet from reading a name as a formula (=, +, -, @ first)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def day_row(day: str, counters: dict[str, int]) -> dict[str, Any]:
    """Return one day's figures (zeros and nulls on a day without data)."""
    every = figures(counters)
    keep = (
        "posts",
        "official_replies",
        "first_responses",
        "median_first_response_minutes",
        "deadlines",
        "answered_in_time",
        "answered_within_deadline",
        "ratings",
        "satisfaction",
    )
    return {"date": day, **{name: every[name] for name in keep}}


class Stats:
    """Read the counters and shape the public figures."""

    def __init__(self, stats: StatsRepository, directory: DirectoryRepository, clock: Clock) -> None:
        self.stats, self.directory, self.clock = stats, directory, clock

    def public(self) -> dict[str, Any]:
        """Return the platform's figures and each unit's, with how each is computed."""
        scopes = self.stats.all()
        units = []
        for unit in self.directory.units():
            counters = scopes.get(unit.id, {})
            units.append({"unit": {"id": unit.id, "name": unit.name}, **figures(counters)})
        return {"overall": figures(scopes.get("all", {})), "units": units, "notes": NOTES}

    def window(self) -> list[str]:
        """Return the last 30 Beijing dates, oldest first, today last."""
        today = self.clock.now().astimezone(CST).date()
        return [(today - timedelta(days=back)).isoformat() for back in range(DAYS - 1, -1, -1)]

    def daily(self, unit_id: str | None = None) -> dict[str, Any]:
        """Return the figures of each of the last 30 days, of the platform or of one unit (one Query)."""
        unit = None
        if unit_id:
            found = self.directory.unit(unit_id)
            if found is None:
                raise NotFound("没有这个单位")
            unit = {"id": found.id, "name": found.name}
        days = self.window()
        stored = self.stats.days(unit_id or "all", days[0], days[-1])
        return {
            "unit": unit,
            "from": days[0],
            "to": days[-1],
            "days": [day_row(day, stored.get(day, {})) for day in days],
            "notes": DAILY_NOTES,
        }

    def daily_csv(self, unit_id: str | None = None) -> str:
        """Return the last 30 days as CSV with a BOM (so Excel reads UTF-8): the platform, then each unit."""
        scopes: list[tuple[str, str]]
        if unit_id:
            unit = self.directory.unit(unit_id)
            if unit is None:
                raise NotFound("没有这个单位")
            scopes = [(unit.id, unit.name)]
        else:
            scopes = [("all", OVERALL_NAME)] + [(u.id, u.name) for u in self.directory.units()]
        days = self.window()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([label for _, label in CSV_COLUMNS])
        for scope, name in scopes:
            stored = self.stats.days(scope, days[0], days[-1])
            for day in days:
                row = {**day_row(day, stored.get(day, {})), "unit_id": scope, "unit": cell(name)}
                writer.writerow(["" if row[key] is None else row[key] for key, _ in CSV_COLUMNS])
        return "\ufeff" + out.getvalue()
