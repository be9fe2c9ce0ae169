"""Times: stored in UTC, shown with the +08:00 offset (Asia/Shanghai, which keeps no summer time)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8), "Asia/Shanghai")


def iso_cst(moment: datetime) -> str:
    """Format a time as ISO 8601 with the +08:00 offset, to the millisecond."""
    return moment.astimezone(CST).isoformat(timespec="milliseconds")


def epoch_ms(moment: datetime) -> int:
    """Return a time as whole milliseconds since the epoch."""
    return int(moment.timestamp() * 1000)
