"""Public figures (阳光执法), computed from counters kept as things happen."""

from __future__ import annotations

from typing import Any

from chalicelib.services.ports import DirectoryRepository, StatsRepository


def median_minutes(counters: dict[str, int]) -> int | None:
    """Return the median first-response time in minutes from a per-minute histogram."""
    buckets = sorted((int(k[2:]), v) for k, v in counters.items() if k.startswith("h_") and v > 0)
    total = sum(v for _, v in buckets)
    if total == 0:
        return None
    seen = 0
    for minute, count in buckets:
        seen += count
        if seen * 2 >= total:
            return minute
    return buckets[-1][0]


def figures(counters: dict[str, int]) -> dict[str, Any]:
    """Turn one scope's counters into the published figures."""
    with_deadline = counters.get("with_deadline", 0)
    rated = counters.get("rated", 0)
    return {
        "posts": counters.get("posts", counters.get("posts_assigned", 0)),
        "replies": counters.get("replies", 0),
        "official_replies": counters.get("official_replies", 0),
        "dispatches": counters.get("dispatches", 0),
        "resolved": counters.get("resolved", 0),
        "escalations": counters.get("escalations", 0),
        "police_dispatches": counters.get("police_dispatches", 0),
        "median_first_response_minutes": median_minutes(counters),
        "answered_within_deadline": (
            round(counters.get("answered_in_time", 0) / with_deadline, 4) if with_deadline else None
        ),
        "satisfaction": round(counters.get("satisfied", 0) / rated, 4) if rated else None,
        "ratings": rated,
    }


class Stats:
    """Read the counters and shape the public figures."""

    def __init__(self, stats: StatsRepository, directory: DirectoryRepository) -> None:
        self.stats, self.directory = stats, directory

    def public(self) -> dict[str, Any]:
        """Return the platform's figures and each unit's."""
        scopes = self.stats.all()
        units = []
        for unit in self.directory.units():
            counters = scopes.get(unit.id, {})
            units.append({"unit": {"id": unit.id, "name": unit.name}, **figures(counters)})
        return {"overall": figures(scopes.get("all", {})), "units": units}
