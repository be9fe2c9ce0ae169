"""Judge the figures against the goals and render them as a console table and as Markdown."""

from __future__ import annotations

import os
import platform
import subprocess
import textwrap
from dataclasses import dataclass
from datetime import datetime

from bench.counting import Calls
from bench.imports import APP, BASELINE, LOADED, ImportReport
from bench.operations import OPERATIONS, ROUTES, STABLE
from bench.work import WORK_OPERATIONS, work_ok

MAX_IMPORT_RATIO = 1.25
# A feed page reads at most this much from DynamoDB for what it returns (issue 19): the index holds the card.
MAX_READ_RATIO = 1.25
FEED_INDEXES = ("Query[GSI8]", "Query[GSI10]")
# Bytes may differ this much between sizes (timestamps and ids of the post created during the run).
BYTES_TOLERANCE = 0.01
COMMAND = "make bench    # or: .venv/bin/python -m bench"


@dataclass(frozen=True)
class Goal:
    name: str
    passed: bool
    detail: str


Results = dict[int, dict[str, Calls]]


def feed_page_ok(calls: Calls) -> bool:
    """One Query on a feed index (GSI8 every board, GSI10 a board), pins included, nothing else."""
    return len(calls.dynamodb) == 1 and calls.dynamodb[0].label in FEED_INDEXES


def read_ratio(calls: Calls) -> float:
    """Bytes DynamoDB sent (compact UTF-8) per byte of the items the response returned."""
    return calls.bytes_compact / max(calls.bytes_returned, 1)


def detail_ok(calls: Calls) -> bool:
    """Exactly one DynamoDB call: a Query on the table (the post's partition)."""
    return [c.label for c in calls.dynamodb] == ["Query[table]"]


def _same(a: Calls, b: Calls) -> bool:
    if a.signature() != b.signature() or a.items_read != b.items_read:
        return False
    return abs(a.bytes_read - b.bytes_read) <= BYTES_TOLERANCE * max(a.bytes_read, b.bytes_read, 1)


def judge(results: Results, imports: ImportReport | None) -> list[Goal]:
    """Return one verdict per goal of the issue."""
    sizes = sorted(results)
    goals = []
    for op in ("feed first page", "feed next page"):
        seen = {size: results[size][op].summary() for size in sizes}
        ok = all(feed_page_ok(results[size][op]) for size in sizes)
        goals.append(Goal(f"{op}: 1 Query on a feed index, pins included", ok, _per_size(seen)))
        ratios = {size: read_ratio(results[size][op]) for size in sizes}
        detail = "; ".join(
            f"{size:,}: {results[size][op].bytes_compact:,} bytes read (compact UTF-8) for "
            f"{results[size][op].bytes_returned:,} returned = {ratios[size]:.2f}x"
            for size in sizes
        )
        goals.append(
            Goal(
                f"{op}: DynamoDB bytes read <= {MAX_READ_RATIO}x bytes of the items returned",
                all(ratio <= MAX_READ_RATIO for ratio in ratios.values()),
                detail,
            )
        )
    seen = {size: results[size]["post detail"].summary() for size in sizes}
    goals.append(
        Goal("post detail: 1 Query", all(detail_ok(results[s]["post detail"]) for s in sizes), _per_size(seen))
    )
    small, large = sizes[0], sizes[-1]
    grown = [op for op in STABLE if not _same(results[small][op], results[large][op])]
    goals.append(
        Goal(
            f"figures equal at {small:,} and {large:,} posts",
            not grown,
            "calls, items and bytes unchanged"
            if not grown
            else "changed: "
            + ", ".join(
                f"{op} ({results[small][op].bytes_read:,} -> {results[large][op].bytes_read:,} bytes)" for op in grown
            ),
        )
    )
    for op in WORK_OPERATIONS:
        if all(op in results[size] for size in sizes):
            seen = {size: results[size][op].summary() for size in sizes}
            ok = all(work_ok(results[size][op]) for size in sizes)
            goals.append(
                Goal(f"{op}: workbench index Queries (GSI6/GSI7) and one BatchGetItem, no Scan", ok, _per_size(seen))
            )
    if imports is not None:
        built = imports.clients_created or ([] if not imports.clients_cached else ["cached clients"])
        if imports.default_session:
            built = [*built, "boto3 default session"]
        goals.append(
            Goal("no AWS client built at import", imports.no_client, "none" if imports.no_client else ", ".join(built))
        )
        goals.append(
            Goal(
                f"import app <= {MAX_IMPORT_RATIO}x import chalice, boto3, pydantic",
                imports.ratio <= MAX_IMPORT_RATIO,
                f"CPU {imports.app * 1000:.0f} ms vs {imports.baseline * 1000:.0f} ms = {imports.ratio:.2f}x",
            )
        )
    return goals


def _per_size(seen: dict[int, str]) -> str:
    return "; ".join(f"{size:,}: {summary}" for size, summary in seen.items())


def _rows(results: Results) -> list[list[str]]:
    rows = []
    for op in OPERATIONS:
        if any(op not in results[size] for size in results):
            continue
        for n, size in enumerate(sorted(results)):
            calls = results[size][op]
            rows.append(
                [
                    op if n == 0 else "",
                    ROUTES[op] if n == 0 else "",
                    f"{size:,}",
                    calls.summary(),
                    str(len(calls.dynamodb)),
                    f"{calls.items_read:,}",
                    f"{calls.bytes_read:,}",
                    f"{calls.bytes_compact:,}",
                    f"{calls.units.read:g}",
                    f"{calls.units.writes:g}",
                    calls.summary(("sqs", "sns")),
                ]
            )
    return rows


HEADER = [
    "operation",
    "route",
    "posts",
    "DynamoDB calls",
    "n",
    "items",
    "bytes read",
    "compact UTF-8",
    "RRU",
    "WRU",
    "SQS/SNS calls",
]
RIGHT = {2, 4, 5, 6, 7, 8, 9}
LEGEND = (
    "n = DynamoDB calls; items = items their responses returned; bytes read = bytes of every DynamoDB response "
    "body as moto sent it; compact UTF-8 = the same JSON without padding and with Chinese as UTF-8 (moto escapes "
    "it as \\uXXXX, 6 bytes a character), closer to what DynamoDB sends; RRU and WRU = request units from the items' "
    "sizes by DynamoDB's rules (bench/units.py; WRU with every index copy; docs/bench.json has them all). "
    "`!` marks a call that failed."
)


def console(results: Results, imports: ImportReport | None, goals: list[Goal], notes: list[str]) -> str:
    """Render the plain-text report."""
    rows = [HEADER, *_rows(results)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = []
    for index, row in enumerate(rows):
        cells = [c.rjust(w) if i in RIGHT else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    lines += textwrap.wrap(LEGEND, 118)
    if imports is not None:
        wall_ratio = imports.app_wall / imports.baseline_wall
        base_cpu, base_wall, app_cpu, app_wall = (
            t * 1000 for t in (imports.baseline, imports.baseline_wall, imports.app, imports.app_wall)
        )
        lines += [
            "",
            f"import time (median of {imports.runs} fresh interpreters; CPU is judged):",
            "                                        CPU ms   wall ms",
            f"  import chalice, boto3, pydantic   {base_cpu:8.1f}  {base_wall:8.1f}",
            f"  import app                        {app_cpu:8.1f}  {app_wall:8.1f}",
            f"  ratio                             {imports.ratio:7.2f}x  {wall_ratio:7.2f}x",
            f"  (for reference: {LOADED} takes {imports.loaded * 1000:.1f} ms CPU;",
            f"   import app is {imports.app / imports.loaded:.2f}x that)",
            "  added by import app (self time under -X importtime, ms): "
            + ", ".join(f"{name} {ms:.0f}" for name, ms in imports.added if ms >= 1),
        ]
    if notes:
        lines += ["", "observations:", *(f"  - {note}" for note in notes)]
    lines += ["", "goals:"]
    for goal in goals:
        mark = "PASS" if goal.passed else "FAIL"
        lines.append(f"  {mark}  {goal.name}  [{goal.detail}]")
    failed = [g for g in goals if not g.passed]
    lines.append("")
    lines.append(
        f"!!! {len(failed)} GOAL(S) FAILED: " + "; ".join(g.name for g in failed) + " !!!"
        if failed
        else "all goals met"
    )
    return "\n".join(lines)


def markdown(results: Results, imports: ImportReport | None, goals: list[Goal], notes: list[str]) -> str:
    """Render docs/PERFORMANCE.md."""
    out = [
        "# Performance",
        "",
        "Generated by `bench/` — do not edit by hand; rerun it instead.",
        "",
        f"- date: {datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs (`nproc`: {_nproc()})",
        f"- python: {platform.python_version()} ({platform.python_implementation()})",
        f"- reproduce: `{COMMAND}`",
        "",
        "The app runs in-process on moto (the stack from `infra/stateful.json`) behind `chalice.test.Client`;",
        "every operation goes through its HTTP route as a signed-in citizen. The table is filled straight through",
        "BatchWriteItem. moto's Query walks every item, so times mean nothing here: we count calls and bytes.",
        "",
        LEGEND,
        "",
        "## Goals",
        "",
        "| goal | result | detail |",
        "|---|---|---|",
        *(f"| {g.name} | {'PASS' if g.passed else '**FAIL**'} | {g.detail} |" for g in goals),
        "",
        "## Calls per operation",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join("---:" if i in RIGHT else "---" for i in range(len(HEADER))) + "|",
        *("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in _rows(results)),
    ]
    if imports is not None:
        out += [
            "",
            "## Import time",
            "",
            f"Median of {imports.runs} fresh interpreters each, `STAGE=test`, bytecode already compiled. The goal",
            "is judged on CPU time (`time.process_time`): on a shared machine the wall clock mostly measures the",
            "neighbours.",
            "",
            "| import | CPU ms | wall ms |",
            "|---|---:|---:|",
            f"| `{BASELINE}` | {imports.baseline * 1000:.1f} | {imports.baseline_wall * 1000:.1f} |",
            f"| `{APP}` | {imports.app * 1000:.1f} | {imports.app_wall * 1000:.1f} |",
            f"| ratio | {imports.ratio:.2f}x | {imports.app_wall / imports.baseline_wall:.2f}x |",
            "",
            f"For reference, `{LOADED}` (pydantic loads BaseModel lazily) takes {imports.loaded * 1000:.1f} ms CPU;",
            f"`import app` is {imports.app / imports.loaded:.2f}x that.",
            "",
            "What `import app` adds on top of the baseline, self time per top-level package under "
            "`-X importtime` (ms, inflated by the instrumentation): "
            + ", ".join(f"{name} {ms:.0f}" for name, ms in imports.added if ms >= 1)
            + ".",
        ]
    if notes:
        out += ["", "## Observations", "", *(f"- {note}" for note in notes)]
    return "\n".join(out) + "\n"


def _nproc() -> str:
    try:
        return subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"
