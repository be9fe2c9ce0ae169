"""Render docs/RELIABILITY.md: latency and load on the local stack, the fault scenarios, calls and import time."""

from __future__ import annotations

import ast
import os
import platform
from dataclasses import dataclass
from datetime import datetime

from bench.faults import SUITE, FaultReport
from bench.imports import ImportReport
from bench.latency import Latency
from bench.load import MIX, Results, Settings, percentile
from bench.operations import OPERATIONS, ROUTES
from bench.report import Goal, _nproc
from bench.report import Results as CallResults
from bench.stack import ROOT

COMMAND = "make bench    # or: .venv/bin/python -m bench"


@dataclass(frozen=True)
class Gathered:
    """Whatever this run of the bench measured (None: not measured this time)."""

    calls: CallResults | None
    imports: ImportReport | None
    goals: list[Goal]
    latency: Latency | None
    load: Results | None
    load_settings: Settings | None
    faults: FaultReport | None


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def verdicts(g: Gathered) -> list[Goal]:
    """The reliability promises, each with what this run saw."""
    goals = []
    if g.faults is not None:
        failed = [o for o in g.faults.outcomes if o.outcome != "passed"]
        goals.append(
            Goal(
                "every fault scenario holds",
                not failed,
                f"{g.faults.passed} of {len(g.faults.outcomes)} passed"
                + ("; failed: " + ", ".join(f"{o.name}[{o.case}]" for o in failed) if failed else ""),
            )
        )
    if g.load is not None:
        goals.append(
            Goal(
                "no 5xx under load",
                g.load.server_errors == 0,
                f"{g.load.server_errors} 5xx or unanswered of {g.load.total:,} requests",
            )
        )
        goals.append(
            Goal(
                "every accepted write reads back",
                not g.load.readback_failures,
                f"{len(g.load.posts)} posts, {sum(map(len, g.load.replies.values()))} replies"
                + (f"; {len(g.load.readback_failures)} failures" if g.load.readback_failures else ""),
            )
        )
    if g.latency is not None:
        p95 = percentile(g.latency.seconds, 0.95)
        goals.append(
            Goal(
                "officer notified within a second or two on the local stack (p95 <= 2 s)",
                p95 <= 2.0,
                f"p50 {_ms(percentile(g.latency.seconds, 0.5))}, p95 {_ms(p95)}",
            )
        )
    return goals + g.goals


def _module_docs() -> dict[str, str]:
    docs = {}
    for path in sorted((ROOT / SUITE).glob("test_*.py")):
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        docs[path.stem] = docstring.splitlines()[0] if docstring else ""
    return docs


def _faults(report: FaultReport) -> list[str]:
    out = [
        "## Fault injection",
        "",
        f"`{report.command}` ({len(report.outcomes)} tests, {report.seconds:.0f} s). Faults are injected where moto",
        "answers botocore, under botocore's own retries (standard mode, 5 attempts), so a throttle or 5xx is seen",
        "and retried exactly as one from AWS; queue tests drive the real dispatch queue (redrive to its DLQ after",
        "3 receives) with real receipt handles; the last module runs the whole local stack over HTTP. Each test",
        "asserts what a resident or an officer would see afterwards.",
    ]
    docs = _module_docs()
    for module in dict.fromkeys(o.module for o in report.outcomes):
        out += [
            "",
            f"### {docs.get(module, module)}",
            "",
            f"`{SUITE}/{module}.py`",
            "",
            "| scenario | case | result | s | measured |",
            "|---|---|---|---:|---|",
        ]
        for o in (o for o in report.outcomes if o.module == module):
            measured = ", ".join(f"{k} {v}" for k, v in o.figures.items())
            result = "pass" if o.outcome == "passed" else f"**{o.outcome.upper()}** {o.message}"
            out.append(f"| {o.scenario} | {o.case or '-'} | {result} | {o.seconds:.1f} | {measured or '-'} |")
    return out


def _load(results: Results, settings: Settings) -> list[str]:
    total = results.total
    out = [
        "## Load test (local stack)",
        "",
        f"`make load` (`python -m bench.load`): {settings.users} residents on {settings.concurrency} threads for up to "
        f"{settings.duration:.0f} s or {settings.requests:,} requests, each signing in first (code from the outbox),",
        "then a weighted mix (" + ", ".join(f"{op} {w}" for op, w in MIX.items()) + ") within the limits `make dev`",
        "enforces (a post every 30 s and five on an account's first day, a reply every 5 s).",
        "",
        f"- **{total:,} requests in {results.elapsed:.1f} s = {total / results.elapsed:.1f} requests/s**",
        f"- 5xx or unanswered: **{results.server_errors}**",
        f"- accepted writes: {len(results.posts)} posts, {sum(map(len, results.replies.values()))} replies; read back "
        f"(post by id, each reply, reply_count, dispatched): "
        + ("**all**" if not results.readback_failures else f"**{len(results.readback_failures)} failures**"),
        "",
        "| operation | requests | p50 ms | p95 ms | p99 ms | statuses |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for op, n, p50, p95, p99, statuses in results.rows(" × "):
        out.append(f"| {op} | {n} | {p50:.0f} | {p95:.0f} | {p99:.0f} | {statuses} |")
    if results.readback_failures:
        out += ["", *(f"- read-back failure: {f}" for f in results.readback_failures[:20])]
    return out


def latency_section(latency: Latency) -> list[str]:
    s = latency.seconds
    return [
        "## Post-to-notification latency (local stack)",
        "",
        f"{len(s)} questions on `{latency.board}`, one after another, each by its own signed-in resident; the time",
        f"from `POST /api/posts` answering 201 to the officer's link (to {latency.officer}) appearing in",
        "`/api/dev/outbox`: SQS, the pump's long poll, the dispatcher, SNS and the outbox collector (every 0.5 s).",
        "",
        "| posts | p50 | p95 | min | max | mean |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {len(s)} | {_ms(percentile(s, 0.5))} | {_ms(percentile(s, 0.95))} | {_ms(min(s))} | {_ms(max(s))} | "
        f"{_ms(sum(s) / len(s))} |",
    ]


def _calls(calls: CallResults | None, imports: ImportReport | None) -> list[str]:
    out = ["## DynamoDB calls per operation and import time", ""]
    if calls is None:
        return [*out, "Not measured in this run (see [PERFORMANCE.md](PERFORMANCE.md) of the last full run)."]
    size = max(calls)
    out += [
        f"At {size:,} posts, through each route on moto ([PERFORMANCE.md](PERFORMANCE.md) has both sizes):",
        "",
        "| operation | route | DynamoDB calls | n | bytes read | SQS/SNS |",
        "|---|---|---|---:|---:|---|",
    ]
    for op in OPERATIONS:
        c = calls[size][op]
        out.append(
            f"| {op} | {ROUTES[op]} | {c.summary().replace('|', '/')} | {len(c.dynamodb)} | "
            f"{c.bytes_read:,} | {c.summary(('sqs', 'sns'))} |"
        )
    if imports is not None:
        out += [
            "",
            f"`import app`: {imports.app * 1000:.0f} ms CPU against {imports.baseline * 1000:.0f} ms for "
            f"`import chalice, boto3, pydantic` ({imports.ratio:.2f}x); AWS clients built at import: "
            + ("none" if imports.no_client else ", ".join(imports.clients_created) or "some")
            + ".",
        ]
    return out


def markdown(g: Gathered) -> str:
    """Render docs/RELIABILITY.md."""
    goals = verdicts(g)
    out = [
        "# Reliability",
        "",
        "Generated by `bench/` — do not edit by hand; rerun it instead.",
        "",
        f"- date: {datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {platform.machine()} (`uname -m`), {_nproc()} CPUs (`nproc`), {os.cpu_count()} visible to Python",
        f"- python: {platform.python_version()} ({platform.python_implementation()})",
        f"- reproduce: `{COMMAND}`; parts alone: `make load`, `.venv/bin/python -m pytest {SUITE}`",
        "",
        "The local stack is `make dev` itself on loopback: moto (serving one AWS request at a time, as DynamoDB",
        "applies each request atomically) and the pump in one Python process, `chalice local` in another, the",
        "same-origin proxy in front. Both are bound by the GIL and share this machine with the load generator, so",
        "the times say how the local stack behaves, not what Lambda and DynamoDB would do; the counts, the",
        "statuses and the read-backs hold anywhere. moto's queries walk every item of the table, so the local",
        "stack slows as its table grows: the latency and the load each run on a freshly started stack (the demo",
        "seed only).",
        "",
        "## Verdicts",
        "",
        "| promise | result | detail |",
        "|---|---|---|",
        *(f"| {goal.name} | {'PASS' if goal.passed else '**FAIL**'} | {goal.detail} |" for goal in goals),
    ]
    if g.latency is not None:
        out += ["", *latency_section(g.latency)]
    if g.load is not None and g.load_settings is not None:
        out += ["", *_load(g.load, g.load_settings)]
    if g.faults is not None:
        out += ["", *_faults(g.faults)]
    out += ["", *_calls(g.calls, g.imports), "", *LIMITS]
    return "\n".join(out).rstrip() + "\n"


LIMITS = [
    "## What survives kill -9 of the local stack",
    "",
    "- Every DynamoDB write moto served successfully (PutItem, UpdateItem, DeleteItem, BatchWriteItem,",
    "  TransactWriteItems) is appended to `.data/journal.log` and fsynced before moto's answer leaves",
    "  (`local/journal.py`, `local/serial.py`): whatever the app stored before it answered (a post, a reply, a",
    "  status change, a session, an outbox item already collected) is there after `kill -9` of the whole stack.",
    "  A refused write (a failed condition) is not journalled.",
    "- At start the snapshot (`table.json`) is restored and the journal entries numbered after its",
    "  `journal_seq` are replayed in order; a replayed write whose condition fails is logged and skipped. What",
    "  TTL would have removed by now goes next, and the table is saved at once, so that later writes replay",
    "  against exactly the table they were made on. Each",
    "  snapshot (temporary file, fsync, rename, directory fsync) records the last entry it holds, then the",
    "  journal is emptied: a crash between the two replays nothing twice. A torn last entry (a crash in the",
    "  middle of its write, before its answer) is dropped. Writes wait while the snapshot reads the table.",
    "- Cost: one fsync per write, after moto's lock is released, so writes answered together share one",
    "  (`fsync_ms_p50` above, per write in a row; a post is five DynamoDB writes).",
    "- Not journalled: SQS messages and SNS deliveries (moto's memory). After a kill, a post whose dispatch",
    "  message was lost is re-queued by the sweep (still `received` after 2 minutes); an official reply's SMS to",
    '  its author, an incident hand-off still on the CAD queue, and an SMS or email SNS "sent" in the last half',
    "  second (not yet collected into the outbox, such as a sign-in code: ask again after 60 s) are lost.",
    "- The journal belongs to its snapshot: delete the whole data folder to start over. Entries that do not",
    "  follow the snapshot (`table.json` deleted alone) are moved aside to `journal.log.orphaned-<time>`, not",
    "  replayed.",
    "",
    "## Known limits",
    "",
    "- The local stack's queues live in moto's memory: a restart (Ctrl-C or kill -9) loses the messages queued",
    "  at that moment. Posts come back through the sweep (still `received` after 2 minutes, re-queued); an",
    "  official reply's SMS to its author that was queued at the stop is not sent. In AWS the queues are durable.",
    "- A code request answered 503 because SNS kept throttling has already used the phone's 60-second",
    "  interval: retrying at once is 429 with `Retry-After`.",
    "- A public figure that cannot be counted after its write was stored (the `STATS` item throttled past the",
    "  retries) is logged and lost, so that the stored post or reply is never reported as failed; the figures",
    "  can undercount by that much.",
    "- moto never cancels a transaction for a conflict; the conflict tests inject the cancellation DynamoDB",
    "  would send (`TransactionCanceledException` with `TransactionConflict`).",
]
