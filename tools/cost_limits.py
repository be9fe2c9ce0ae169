"""`make cost`'s limits: at a load, the busiest minute's rates against the AWS quotas they would hit first.

Rates are the month's average times PEAK (a guess: nothing measured the seed's busiest minute). The quotas are
the accounts' defaults (most can be raised on request) and DynamoDB's fixed per-partition limit, which no request
raises: a single-value key (STATS, DAILY) takes every write of its kind.
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
    index_wcu = 0.0
    for name, count in monthly.items():
        op = bill.bench.op(name)
        index_wcu += count * op.index_wru * per_second
        for key in HOT_KEYS:
            hot[key] += count * op.partition_writes.get(key, {}).get("write_units", 0.0) * per_second
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
        *(
            Limit(f"DynamoDB partition {key} (one key)", rate, 1_000, "WCU/s", "per partition, fixed")
            for key, rate in hot.items()
        ),
        Limit(
            "DynamoDB index writes, all indexes (bound for one index partition such as FEED)",
            index_wcu,
            1_000,
            "WCU/s",
            "per partition, fixed",
        ),
    ]
    if bill.provider == "sns":
        sms_usd = bill.month(load).usd("sns")
        out.append(Limit("SNS SMS spend", sms_usd, 1, "USD/month", "account default spend limit, raised on request"))
    return sorted(out, key=lambda limit: limit.used, reverse=True)
