"""`make cost`'s measured inputs: docs/bench.json (per operation: request units, AWS calls, bytes; per handler:
Lambda time) and docs/page-weight.json (what a cold and a warm visit load in Chromium), with the few figures
nothing measures, each marked `guess`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "docs" / "bench.json"
PAGE = ROOT / "docs" / "page-weight.json"
GZIP_RATIO = 0.35  # guess: gzip of the API's JSON (Chinese text, repeated keys) over its raw bytes
DEFAULT_GZIP_BYTES = 800  # guess: a write's answer, gzip


@dataclass(frozen=True)
class Op:
    """What one operation costs in DynamoDB units and AWS calls; `source` says whether bench measured it."""

    rru: float
    wru: float
    sqs: float = 0.0
    sns: float = 0.0
    gzip_bytes: float = DEFAULT_GZIP_BYTES
    source: str = "make bench"
    index_wru: float = 0.0  # of `wru`, the indexes' copies
    partition_writes: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def guessed(self) -> bool:
        return self.source.startswith("guess")


# What bench does not measure (no route or flow drives it yet), estimated from the code path.
GUESSED_OPS = {
    "officer link": Op(1, 1, source="guess: token check, officer get, session"),
    "escalation": Op(2, 25, sqs=1, source="guess: post update transaction, leaders Query, notices, stats"),
}


@dataclass(frozen=True)
class Handler:
    """One handler's time per invocation (median): the app's own CPU and its AWS calls."""

    function: str
    own_cpu_ms: float
    aws_calls: float
    source: str = "make bench"


# Operations with no handler timing of their own are timed as the nearest measured one.
TIMED_AS = {
    "feed next page": "feed first page",
    "reply": "author follow up",
    "officer link": "sign in verify",
    "escalation": "dispatch message",
    "refresh pins": "sweep run",
}


@dataclass(frozen=True)
class Bench:
    """docs/bench.json as the cost model uses it."""

    ops: dict[str, Op]
    handlers: dict[str, Handler]
    table_posts: int
    sweep_posts: int  # posts the recorded sweep run handled
    date: str

    def op(self, name: str) -> Op:
        """A measured operation, else its marked guess."""
        found = self.ops.get(name) or GUESSED_OPS.get(name)
        if found is None:
            raise KeyError(f"docs/bench.json lacks {name!r} and nothing guesses it: run `make bench`")
        return found

    def handler(self, name: str) -> Handler:
        """A handler's time, else the nearest measured handler's (marked)."""
        if name in self.handlers:
            return self.handlers[name]
        near = self.handlers[TIMED_AS[name]]
        return Handler(near.function, near.own_cpu_ms, near.aws_calls, f"guess: timed as {TIMED_AS[name]}")


def name_of(key: str) -> str:
    """`feed_first_page` -> `feed first page`; the messages keep their kind (`official_reply message`)."""
    if key.endswith("_message"):
        return key.removesuffix("_message") + " message"
    return key.replace("_", " ")


def read_bench(path: Path = BENCH) -> Bench:
    """Read docs/bench.json."""
    if not path.exists():
        raise SystemExit(f"{path} is missing: run `make bench` (or `python -m bench --only operations`)")
    data = json.loads(path.read_text(encoding="utf-8"))
    ops = {
        name_of(key): Op(
            float(v["read_units"]),
            float(v["write_units"]),
            float(v.get("sqs", 0)),
            float(v.get("sns", 0)),
            v["bytes_returned"] * GZIP_RATIO if v.get("bytes_returned") else DEFAULT_GZIP_BYTES,
            index_wru=float(v.get("index_write_units", 0)),
            partition_writes=v.get("partition_writes", {}),
        )
        for key, v in data["operations"].items()
        if "read_units" in v  # not another command's figures (python -m bench.sweep's sweep_backlog)
    }
    handlers = {
        name_of(key): Handler(v["function"], float(v["own_cpu_ms"]), float(v["aws_calls"]))
        for key, v in data.get("handlers", {}).items()
    }
    report: dict[str, Any] = data.get("sweep_report") or {}
    swept = sum(int(v) for v in report.values() if isinstance(v, int | float))
    return Bench(ops, handlers, int(data.get("table_posts", 0)), swept, str(data.get("date", "")))


@dataclass(frozen=True)
class Visit:
    """What one visit fetches over the network: the site's files and the data, requests and bytes (as sent)."""

    site_requests: int
    site_bytes: int
    data: dict[str, int]  # operation -> requests


DATA_ROUTES = (  # a data request's path -> the operation that answers it (or its static copy under /data/)
    (re.compile(r"/data/posts/"), "post detail"),
    (re.compile(r"/data/feed"), "feed first page"),
    (re.compile(r"/posts/[^/?]+"), "post detail"),
    (re.compile(r"/posts(\?(?!.*cursor)|$)"), "feed first page"),
    (re.compile(r"/posts\?.*cursor"), "feed next page"),
    (re.compile(r"/stats"), "figures"),
)


def route_of(path: str) -> str:
    """Which operation answers a data request (the page's reference lists otherwise)."""
    for pattern, name in DATA_ROUTES:
        if pattern.search(path):
            return name
    return "reference"


def is_data(item: dict[str, Any]) -> bool:
    """A request for data (the API, or its static copies under /data/), not a file of the site."""
    path = str(item.get("path", ""))
    return item.get("kind") in ("Fetch", "XHR") or path.startswith(("/api/", "/data/"))


def visit(section: dict[str, Any]) -> Visit:
    """One visit of docs/page-weight.json: the requests that reached the network (not the browser's cache)."""
    site = [i for i in section["items"] if not is_data(i) and i.get("bytes", 0) > 0]
    data: dict[str, int] = {}
    for item in section["items"]:
        if is_data(item):
            name = route_of(str(item["path"]))
            data[name] = data.get(name, 0) + 1
    return Visit(len(site), sum(int(i["bytes"]) for i in site), data)


def read_page(path: Path = PAGE) -> tuple[Visit, Visit, str]:
    """(cold visit, warm visit, the measurement's date) from docs/page-weight.json."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return visit(data["cold"]), visit(data["warm"]), str(data.get("date", ""))
