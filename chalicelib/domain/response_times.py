"""The first-response histogram of the public figures: few buckets, so a counter item stays under 1 KB.

Exact to the minute under half an hour (where most answers fall and the published median is read most closely);
coarser after: 5 minutes to an hour, 10 to two hours, 30 to four hours, an hour to a day; a day or more is one
bucket. A time counts in the bucket that starts at or before it, and a median is the start of its bucket, so a
median under 30 minutes is exact and one above is at most a bucket short (a whole-minute median is a floor too).
67 buckets in all: with the other counters an item holds at most ~0.9 KB, one write unit.
"""

from __future__ import annotations

from bisect import bisect_right

MAX_MINUTES = 1440  # a first response after a day or more counts as one day
BUCKETS: tuple[int, ...] = (
    *range(0, 30),
    *range(30, 60, 5),
    *range(60, 120, 10),
    *range(120, 240, 30),
    *range(240, MAX_MINUTES, 60),
    MAX_MINUTES,
)


def bucket_of(minutes: int) -> int:
    """Return the start of the bucket a first response after `minutes` counts in."""
    return BUCKETS[bisect_right(BUCKETS, min(max(0, minutes), MAX_MINUTES)) - 1]


def median_of(histogram: dict[int, int]) -> int | None:
    """Return the (lower) median of a histogram of minutes -> count, as the start of its bucket.

    Counts kept per minute (before the buckets) are read into their buckets, so old and new counts add up."""
    buckets: dict[int, int] = {}
    for minutes, count in histogram.items():
        if count > 0:
            buckets[bucket_of(minutes)] = buckets.get(bucket_of(minutes), 0) + count
    total = sum(buckets.values())
    if total == 0:
        return None
    seen = 0
    for start in sorted(buckets):
        seen += buckets[start]
        if seen * 2 >= total:
            return start
    return max(buckets)
