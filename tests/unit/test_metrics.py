"""Business metrics in CloudWatch's embedded metric format, fed by the platform-wide stats counters."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.adapters.metrics import EmfMetrics, MeteredStats, counter_metrics
from chalicelib.services.ports import Count


class RecordingStats:
    """A stats repository that keeps what it was given."""

    def __init__(self, fail: bool = False) -> None:
        self.added: list[tuple[list[str], dict[str, int]]] = []
        self.once: set[tuple[str, str]] = set()
        self.noted: list[Count] = []
        self.fail = fail

    def add(self, scopes: list[str], counters: dict[str, int], day: str | None = None) -> None:
        if self.fail:
            raise RuntimeError("table unavailable")
        self.added.append((scopes, counters))

    def add_once(self, post_id: str, key: str, scopes: list[str], counters: dict[str, int], day: str) -> bool:
        if (post_id, key) in self.once:
            return False
        self.once.add((post_id, key))
        self.add(scopes, counters, day)
        return True

    def note(self, count: Count) -> None:
        self.noted.append(count)

    def all(self) -> dict[str, dict[str, int]]:
        return {"all": {"posts": len(self.added)}}

    def days(self, scope: str, first: str, last: str) -> dict[str, dict[str, int]]:
        return {}


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def emitter() -> EmfMetrics:
    return EmfMetrics("police24-test")


def test_a_metric_set_is_one_valid_emf_line(capsys: pytest.CaptureFixture[str]) -> None:
    emitter().put({"Posts": (1.0, "Count"), "FirstResponseMinutes": (12.0, "None")})
    (line,) = lines(capsys)
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "Police24"
    assert directive["Dimensions"] == [["Service"]]
    assert {m["Name"]: m["Unit"] for m in directive["Metrics"]} == {"Posts": "Count", "FirstResponseMinutes": "None"}
    assert isinstance(line["_aws"]["Timestamp"], int)
    # Powertools writes each metric's values as a list (EMF takes a number or a list of numbers).
    assert line["Service"] == "police24-test" and line["Posts"] == [1.0] and line["FirstResponseMinutes"] == [12.0]
    assert "service" not in line  # one dimension only, the one the alarms and the dashboard name


@pytest.mark.parametrize(
    ("counters", "expected"),
    [
        ({"posts": 1}, {"Posts": (1.0, "Count")}),
        ({"replies": 1, "official_replies": 1}, {"Replies": (1.0, "Count"), "OfficialReplies": (1.0, "Count")}),
        ({"dispatches": 1, "posts_assigned": 1}, {"Dispatches": (1.0, "Count")}),
        ({"escalations": 1}, {"Escalations": (1.0, "Count")}),
        ({"answered": 1, "h_17": 1, "answered_in_time": 1}, {"FirstResponseMinutes": (17.0, "None")}),
        ({"rated": 1, "satisfied": 0}, {}),
    ],
)
def test_stats_counters_become_the_dashboards_metrics(counters: dict[str, int], expected: dict[str, Any]) -> None:
    assert counter_metrics(counters) == expected


def test_platform_wide_additions_are_stored_then_reported(capsys: pytest.CaptureFixture[str]) -> None:
    inner = RecordingStats()
    stats = MeteredStats(inner, emitter())
    stats.add(["all", "kunqu"], {"dispatches": 1, "posts_assigned": 1})
    stats.add(["kunqu"], {"resolved": 1})
    assert inner.added == [(["all", "kunqu"], {"dispatches": 1, "posts_assigned": 1}), (["kunqu"], {"resolved": 1})]
    assert [line["Dispatches"] for line in lines(capsys)] == [[1.0]]
    assert stats.all() == {"all": {"posts": 2}}


def test_counts_stored_by_a_posts_own_transaction_or_once_are_reported_once(capsys: pytest.CaptureFixture[str]) -> None:
    inner = RecordingStats()
    stats = MeteredStats(inner, emitter())

    stats.note(Count(("all", "kunqu"), {"dispatches": 1, "posts_assigned": 1}, "2026-03-13"))
    stats.note(Count(("kunqu",), {"escalations": 1}, "2026-03-13"))  # a unit's alone: not platform-wide
    assert stats.add_once("p1", "first-response", ["all"], {"answered": 1, "h_45": 1}, "2026-03-13")
    assert not stats.add_once("p1", "first-response", ["all"], {"answered": 1, "h_45": 1}, "2026-03-13")

    reported = lines(capsys)
    assert [line.get("Dispatches") for line in reported] == [[1.0], None]
    assert reported[1]["FirstResponseMinutes"] == [45.0]
    assert len(inner.noted) == 2


def test_nothing_is_reported_when_the_counter_could_not_be_stored(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(RuntimeError):
        MeteredStats(RecordingStats(fail=True), emitter()).add(["all"], {"posts": 1})
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("environ", "enabled"),
    [
        ({}, False),
        ({"AWS_LAMBDA_FUNCTION_NAME": "police24-app-APIHandler"}, True),
        ({"METRICS": "emf"}, True),
    ],
)
def test_metrics_are_written_in_lambda_or_on_request(environ: dict[str, str], enabled: bool) -> None:
    assert EmfMetrics.from_env(environ).enabled is enabled


def test_each_metric_set_is_its_own_line(capsys: pytest.CaptureFixture[str]) -> None:
    metrics = emitter()
    metrics.put({"Posts": (1.0, "Count")})
    metrics.put({"Replies": (2.0, "Count")})
    first, second = lines(capsys)
    assert (first["Posts"], second["Replies"]) == ([1.0], [2.0]) and "Posts" not in second
    assert second["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Service"]]


def test_the_service_dimension_is_the_stacks_prefix() -> None:
    metrics = EmfMetrics.from_env({"POWERTOOLS_SERVICE_NAME": "police24-dev"})
    assert metrics.service == "police24-dev" and metrics.namespace == "Police24"


def test_a_disabled_emitter_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    EmfMetrics("police24", enabled=False).put({"Posts": (1.0, "Count")})
    assert capsys.readouterr().out == ""


def test_an_exhausted_platform_code_budget_counts_one_under_the_metric_the_alarm_watches(
    capsys: pytest.CaptureFixture[str],
) -> None:
    metrics = emitter()

    metrics.alarm("otp_platform_budget")
    metrics.alarm("something_nobody_watches")

    (line,) = lines(capsys)
    (directive,) = line["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "Police24"
    assert directive["Metrics"] == [{"Name": "OtpBudgetExhausted", "Unit": "Count"}]
    assert line["OtpBudgetExhausted"] == [1.0]
