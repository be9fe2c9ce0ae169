"""`make cost`'s limits: at a load, the busiest minute's rates against the AWS quotas they would hit first.

Rates are the month's average times PEAK (a guess: nothing measured the seed's busiest minute). The quotas are
the accounts' defaults (most can be raised on request) and DynamoDB's fixed per-partition limit, which no request
raises: a single-value key (STATS, DAILY, an index's FEED#all or DUE) takes every write of its kind. Index
partitions are bench's (docs/bench.json `partition_writes`, `GSI1 FEED#all`); a partition named by a unit or a
post is one unit's or post's, and the bench sends every post to one unit: an upper bound for a unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.cost import Bill, Load

PEAK = 4.0  # guess: the busiest minute's rate over the month's average
HOT_KEYS = ("STATS", "DAILY")  # partitions the app writes as one key (the figures, the day's figures)


@dataclass(frozen=True)
class Limit:
    """One quota and the rate the load asks of it at its busiest minute."""

    name: str
    rate: float
    limit: float
    unit: str
    source: str

    @property
    def used(self) -> float:
        """The share of the quota used (1.0: at the limit)."""
        return self.rate / self.limit

    def text(self) -> str:
        return f"{self.name}: {self.rate:,.1f} of {self.limit:,.0f} {self.unit} ({self.used:.0%}; {self.source})"


def limits(bill: Bill, load: Load) -> list[Limit]:
    """Every quota the model follows, the most used first."""
    from tools.cost import LAMBDA, SECONDS

    traffic = bill.traffic(load)
    per_second = PEAK / SECONDS
    invocations = bill.invocations(load, traffic)
    concurrency = 0.0
    for name, (function, count) in invocations.items():
        _, cold, init = LAMBDA[function]
        warm = bill.seconds("feed first page") * 3 if name == "static rewrite" else bill.seconds(name)
        concurrency += count * per_second * (warm + cold * init)
    monthly = {**traffic.origin, **bill.counts(load)}
    hot: dict[str, float] = dict.fromkeys(HOT_KEYS, 0.0)
    for name, count in monthly.items():
        for key, writes in bill.bench.op(name).partition_writes.items():
            if key in HOT_KEYS or (key.startswith("GSI") and "*" not in key):  # `*`: one key per user or post
                hot[key] = hot.get(key, 0.0) + count * writes.get("write_units", 0.0) * per_second
    hottest = sorted(hot.items(), key=lambda item: item[1], reverse=True)[:4]
    out = [
        Limit(
            "API Gateway requests",
            traffic.api_requests * per_second,
            10_000,
            "requests/s",
            "account throttle per Region, default",
        ),
        Limit("Lambda concurrency", concurrency, 1_000, "concurrent executions", "account default per Region"),
        Limit(
            "CloudFront requests",
            traffic.viewer_requests * per_second,
            250_000,
            "requests/s",
            "per distribution, default",
        ),
        *(Limit(f"DynamoDB partition {key}", rate, 1_000, "WCU/s", "per partition, fixed") for key, rate in hottest),
    ]
    if bill.provider == "sns":
        sms_usd = bill.month(load).usd("sns")
        out.append(Limit("SNS SMS spend", sms_usd, 1, "USD/month", "account default spend limit, raised on request"))
    return sorted(out, key=lambda limit: limit.used, reverse=True)
