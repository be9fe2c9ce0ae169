"""Run the fault-injection suite (tests/reliability) and collect each scenario's outcome and figures."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.live import APP_ENV
from bench.stack import ROOT
from local.launch import stack_env

SUITE = "tests/reliability"


@dataclass(frozen=True)
class Outcome:
    """One test of the suite: where, what, how it ended, how long it took, and what it measured."""

    module: str
    name: str
    case: str
    outcome: str  # passed, failed, error or skipped
    seconds: float
    figures: dict[str, Any] = field(default_factory=dict)
    message: str = ""

    @property
    def scenario(self) -> str:
        """The test's name as the sentence it is."""
        return self.name.removeprefix("test_").replace("_", " ")


@dataclass(frozen=True)
class FaultReport:
    outcomes: list[Outcome]
    seconds: float
    command: str

    @property
    def passed(self) -> int:
        return sum(o.outcome == "passed" for o in self.outcomes)


def _outcome(case: ElementTree.Element) -> tuple[str, str]:
    for tag in ("failure", "error", "skipped"):
        found = case.find(tag)
        if found is not None:
            return ("failed" if tag == "failure" else tag), (found.get("message") or "")[:300]
    return "passed", ""


def run(suite: str = SUITE) -> FaultReport:
    """Run the suite in a fresh interpreter; return each test's outcome."""
    with tempfile.TemporaryDirectory(prefix="police24-faults-") as folder:
        junit, figures = Path(folder) / "junit.xml", Path(folder) / "figures.jsonl"
        env = stack_env(APP_ENV)
        env["RELIABILITY_FIGURES"] = str(figures)
        command = [sys.executable, "-m", "pytest", suite, "-q", "-p", "no:cacheprovider", f"--junitxml={junit}"]
        started = time.monotonic()
        subprocess.run(command, cwd=ROOT, env=env, check=False, stdout=sys.stderr, stderr=sys.stderr)
        seconds = time.monotonic() - started
        measured: dict[str, dict[str, Any]] = {}
        if figures.exists():
            for line in figures.read_text(encoding="utf-8").splitlines():
                entry = json.loads(line)
                measured[entry.pop("test")] = entry
        outcomes = []
        for case in ElementTree.parse(junit).getroot().iter("testcase"):
            module = (case.get("classname") or "").rsplit(".", 1)[-1]
            full = case.get("name") or ""
            name, _, rest = full.partition("[")
            node = f"{(case.get('classname') or '').replace('.', '/')}.py::{full}"
            outcome, message = _outcome(case)
            outcomes.append(
                Outcome(
                    module,
                    name,
                    rest.rstrip("]"),
                    outcome,
                    float(case.get("time") or 0),
                    measured.get(node, {}),
                    message,
                )
            )
    return FaultReport(outcomes, seconds, "python -m pytest " + suite)
