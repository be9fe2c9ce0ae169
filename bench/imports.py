"""Import time of app.py against its dependencies, and no AWS client at import, in fresh interpreters."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass

from bench.stack import ROOT

BASELINE = "import chalice, boto3, pydantic"
# `import pydantic` loads its models lazily; this reference shows what BaseModel itself costs.
LOADED = "import chalice, boto3, pydantic; from pydantic import BaseModel"
APP = "import app"
_TIMED = (
    "import time; t, c = time.perf_counter(), time.process_time(); {statement}; "
    "print(time.perf_counter() - t, time.process_time() - c)"
)
_CLIENTS = """
import json, botocore.session
built = []
original = botocore.session.Session.create_client
def counting(self, service_name, *args, **kwargs):
    built.append(service_name)
    return original(self, service_name, *args, **kwargs)
botocore.session.Session.create_client = counting
import app
import boto3
from chalicelib.adapters import aws
print(json.dumps({"created": built, "cached": len(aws._clients), "default_session": boto3.DEFAULT_SESSION is not None}))
"""


@dataclass(frozen=True)
class ImportReport:
    """Median import times in CPU seconds (judged) and wall seconds, and what was built at import."""

    baseline: float
    app: float
    baseline_wall: float
    app_wall: float
    loaded: float
    runs: int
    clients_created: list[str]
    clients_cached: int
    default_session: bool
    added: list[tuple[str, float]]

    @property
    def ratio(self) -> float:
        return self.app / self.baseline

    @property
    def no_client(self) -> bool:
        return not self.clients_created and not self.clients_cached and not self.default_session


def _python(code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STAGE": "test"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return subprocess.run(
        [sys.executable, *flags, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )


def _time(statement: str) -> tuple[float, float]:
    """Return (CPU seconds, wall seconds) of one statement in a fresh interpreter."""
    wall, cpu = _python(_TIMED.format(statement=statement)).stdout.split()
    return float(cpu), float(wall)


def added_by_package() -> list[tuple[str, float]]:
    """Return what `import app` adds on top of the baseline, as self time (ms) per top-level package."""
    lines = _python(f"{BASELINE}; {APP}", "-X", "importtime").stderr.splitlines()
    rows: list[tuple[str, int]] = []
    for line in lines:
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        rows.append((name, int(self_us)))
    names = [name for name, _ in rows]
    if "pydantic" not in names:
        return []
    totals: dict[str, int] = {}
    for module, micros in rows[names.index("pydantic") + 1 :]:
        package = module.split(".", 1)[0]
        totals[package] = totals.get(package, 0) + micros
    return sorted(((package, us / 1000) for package, us in totals.items()), key=lambda row: -row[1])


def measure_imports(runs: int = 7) -> ImportReport:
    """Time both imports `runs` times each, interleaved, after one warm-up that writes bytecode.

    CPU time is judged: on a shared machine the wall clock mostly measures the neighbours.
    """
    _time(APP)
    baseline, app, loaded = [], [], []
    for n in range(runs):
        print(f"  import run {n + 1}/{runs}", file=sys.stderr, flush=True)
        baseline.append(_time(BASELINE))
        app.append(_time(APP))
        loaded.append(_time(LOADED))
    built = json.loads(_python(_CLIENTS).stdout.strip().splitlines()[-1])
    return ImportReport(
        baseline=statistics.median(cpu for cpu, _ in baseline),
        app=statistics.median(cpu for cpu, _ in app),
        baseline_wall=statistics.median(wall for _, wall in baseline),
        app_wall=statistics.median(wall for _, wall in app),
        loaded=statistics.median(cpu for cpu, _ in loaded),
        runs=runs,
        clients_created=list(built["created"]),
        clients_cached=int(built["cached"]),
        default_session=bool(built["default_session"]),
        added=added_by_package(),
    )
