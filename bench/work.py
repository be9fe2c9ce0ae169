"""The workbench's reads (GET /work/queue, GET /work/board) as a unit's officer and a leader would make them.

The fill (bench/fill.py) assigns posts to four units round-robin and answers every assigned one, so the queue
views it holds are `in_progress` (dispatched, acknowledged, in progress) and `resolved`; the partitions grow with
the table, which is the worst case for the counts (a real unit's open work does not grow with its history).
"""

from __future__ import annotations

from bench.counting import CallRecorder, Calls
from bench.stack import BENCH_ENV, Http

ADMIN_KEY = BENCH_ENV["ADMIN_KEY"]

WORK_OPERATIONS = ("work queue page (unit)", "work queue page (all units)", "command-center board")
WORK_ROUTES = {
    "work queue page (unit)": "GET /work/queue?view=in_progress",
    "work queue page (all units)": "GET /work/queue?view=resolved",
    "command-center board": "GET /work/board",
}
UNITS = {
    "kun-branch": {"name": "昆都仑区公安分局", "kind": "station", "district": "昆都仑区"},
    "command-center": {"name": "包头市公安局指挥中心", "kind": "command_center"},
}
OFFICERS = {
    "o-bench-kun": {"name": "王警官", "title": "社区民警", "phone": "13900009002", "unit_id": "kun-branch"},
    "o-bench-chief": {
        "name": "卜连海",
        "title": "局长",
        "phone": "13900009001",
        "unit_id": "command-center",
        "role": "leader",
    },
}


def seed_officers(http: Http) -> dict[str, str]:
    """Put two units and two officers in the directory; return their sessions (`unit`, `leader`)."""
    for unit_id, unit in UNITS.items():
        http.call("PUT", f"/admin/units/{unit_id}", unit, token=ADMIN_KEY)
    for officer_id, officer in OFFICERS.items():
        body = {"role": "officer", "on_duty": True, **officer}
        http.call("PUT", f"/admin/officers/{officer_id}", body, token=ADMIN_KEY)
    return {
        "unit": http.sign_in(OFFICERS["o-bench-kun"]["phone"]),
        "leader": http.sign_in(OFFICERS["o-bench-chief"]["phone"]),
    }


def run_work(http: Http, recorder: CallRecorder, tokens: dict[str, str]) -> dict[str, Calls]:
    """Measure each workbench read once."""
    found: dict[str, Calls] = {}
    for op, who in zip(WORK_OPERATIONS, ("unit", "leader", "leader"), strict=True):
        path = WORK_ROUTES[op].split(" ", 1)[1]
        with recorder.recording(http) as found[op]:
            http.call("GET", path, token=tokens[who])
    return found


def work_ok(calls: Calls) -> bool:
    """Only Queries of the workbench indexes (the review queue's count on the board), at most one BatchGetItem, and
    the directory's GetItems: no Scan."""
    labels = [c.label for c in calls.dynamodb]
    allowed = ("Query[GSI6]", "Query[GSI7]", "Query[GSI9]", "BatchGetItem")
    reads = [label for label in labels if not label.startswith(("GetItem(", "Query[table]"))]
    return all(label in allowed for label in reads) and labels.count("BatchGetItem") <= 1
