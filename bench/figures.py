"""docs/bench.json: the per-operation figures `make cost` reads (tools/cost.py), as a program can read them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from bench.counting import Calls

SOURCE = "make bench (bench/); units by DynamoDB's size rules, bench/units.py"
LEGEND = {
    "calls": "DynamoDB calls",
    "bytes_read": "bytes of the items DynamoDB read, by its size rules (before any filter)",
    "bytes_returned": "bytes of the HTTP response body the route returned (0: not an HTTP route)",
    "read_units": "read request units (eventually consistent unless the call asked otherwise)",
    "write_units": "write request units: the table's and every global secondary index's",
    "index_write_units": "of which the indexes'",
    "items_read": "items the DynamoDB responses returned",
    "sqs, sns, s3": "calls to each",
    "partition_writes": "write calls and units by the table's partition prefix (STATS: single-item writes only) "
    "and by index partition (`GSI1 FEED#all`: the index and its key's value)",
    "handlers": "Lambda time per invocation, median, in this process on moto: own_cpu_ms excludes AWS calls",
}


def key(name: str) -> str:
    """An operation's key in docs/bench.json: `feed first page` -> `feed_first_page`."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def operation(calls: Calls, route: str) -> dict[str, Any]:
    """One operation's figures."""
    units = calls.units
    return {
        "route": route,
        "calls": len(calls.dynamodb),
        "dynamodb": calls.summary(),
        "items_read": calls.items_read,
        "bytes_read": calls.item_bytes,
        "bytes_returned": calls.bytes_returned,
        "read_units": units.read,
        "write_units": units.writes,
        "index_write_units": units.index_write,
        "sqs": len(calls.of("sqs")),
        "sns": len(calls.of("sns")),
        "s3": len(calls.of("s3")),
        "partition_writes": partition_writes(calls),
    }


def partition_writes(calls: Calls) -> dict[str, dict[str, float]]:
    """Write calls and units by the table's partition prefix (STATS, POST, ...; the table's own units) and by
    index partition (`GSI1 FEED#all`): where hot keys would show."""
    out: dict[str, dict[str, float]] = {}

    def add(name: str, units: float) -> None:
        entry = out.setdefault(name, {"calls": 0, "write_units": 0.0})
        entry["calls"] += 1
        entry["write_units"] += units

    for call in calls.dynamodb:
        if call.units.write and call.partition:
            add(call.partition, call.units.write)
        for name, units in call.index_partitions.items():
            add(many(name), units)
    return out


_ID = re.compile(r"^[a-z]{1,2}_[0-9a-z]{8,}$|^[0-9a-f]{12,}$|^[0-9A-Z]{20,}$")


def many(name: str) -> str:
    """`GSI3 AUTHOR#u_93997592b48517ea` -> `GSI3 AUTHOR#*`: a partition per user or post is many keys, not one."""
    index, _, value = name.partition(" ")
    parts = ["*" if _ID.match(part) else part for part in value.split("#")]
    return f"{index} {'#'.join(parts)}"


def bench_json(
    size: int,
    calls: dict[str, Calls],
    routes: dict[str, str],
    handlers: dict[str, dict[str, Any]],
    sweep: dict[str, int],
) -> dict[str, Any]:
    """The whole file: every measured operation at one table size, and the handlers' times."""
    return {
        "generated_by": SOURCE,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "table_posts": size,
        "legend": LEGEND,
        "operations": {key(name): operation(c, routes.get(name, "")) for name, c in calls.items()},
        "handlers": {key(name): figures for name, figures in handlers.items()},
        "sweep_report": sweep,
    }
