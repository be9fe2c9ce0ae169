"""Business metrics in CloudWatch's embedded metric format (EMF), written by Powertools Metrics.

In Lambda, CloudWatch Logs turns each line on stdout into metrics (namespace `Police24`, dimension
`Service`); nothing is called. Outside Lambda the emitter stays quiet unless METRICS=emf. The
platform-wide counters the use cases already keep (the `all` scope of the stats port) are the source, so
no use case knows about metrics. Events someone must look at (a platform budget ran out) arrive through
`alarm` and count 1 under their own metric, which a CloudWatch alarm watches. Powertools is imported on
the first metric written, so importing the app stays light.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aws_lambda_powertools.metrics import EphemeralMetrics

    from chalicelib.services.ports import Count, StatsRepository

NAMESPACE = "Police24"
# Stats counter -> metric name; each name is one custom metric on the bill, so only these six.
COUNTERS = {
    "posts": "Posts",
    "replies": "Replies",
    "official_replies": "OfficialReplies",
    "dispatches": "Dispatches",
    "escalations": "Escalations",
}
FIRST_RESPONSE = "FirstResponseMinutes"  # from the `h_<minutes>` counter of a first official answer
# Alarming event (services.limits) -> metric name; the template's alarms watch these names.
ALARMS = {"otp_platform_budget": "OtpBudgetExhausted"}
# The one dimension the template's alarms and dashboard name (Powertools' own would be `service`).
DIMENSION = "Service"


class EmfMetrics:
    """Write metric sets as EMF lines, one line per set."""

    def __init__(self, service: str, namespace: str = NAMESPACE, enabled: bool = True) -> None:
        self.service, self.namespace, self.enabled = service, namespace, enabled
        self._emitter: EphemeralMetrics | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> EmfMetrics:
        """Emit in Lambda (or when METRICS=emf), under POWERTOOLS_SERVICE_NAME and _METRICS_NAMESPACE."""
        return cls(
            service=environ.get("POWERTOOLS_SERVICE_NAME", "police24"),
            namespace=environ.get("POWERTOOLS_METRICS_NAMESPACE", NAMESPACE),
            enabled=bool(environ.get("AWS_LAMBDA_FUNCTION_NAME")) or environ.get("METRICS") == "emf",
        )

    def emitter(self) -> EphemeralMetrics:
        """Powertools' metrics without shared state; `service=""` keeps its `service` dimension out."""
        if self._emitter is None:
            from aws_lambda_powertools.metrics import EphemeralMetrics

            self._emitter = EphemeralMetrics(
                namespace=self.namespace, service="", default_dimensions={DIMENSION: self.service}
            )
        return self._emitter

    def put(self, values: Mapping[str, tuple[float, str]]) -> None:
        """Write one line: metric name -> (value, CloudWatch unit)."""
        if not self.enabled or not values:
            return
        emitter = self.emitter()
        for name, (value, unit) in values.items():
            emitter.add_metric(name=name, unit=unit, value=value)
        emitter.flush_metrics()

    def alarm(self, event: str) -> None:
        """Count one occurrence of an alarming event under its metric (count 1)."""
        name = ALARMS.get(event)
        if name is not None:
            self.put({name: (1.0, "Count")})


def counter_metrics(counters: Mapping[str, int]) -> dict[str, tuple[float, str]]:
    """Translate platform-wide stats counters into metric values."""
    values: dict[str, tuple[float, str]] = {
        COUNTERS[name]: (float(amount), "Count") for name, amount in counters.items() if name in COUNTERS and amount
    }
    minutes = [int(name[2:]) for name in counters if name.startswith("h_") and name[2:].isdigit()]
    if minutes:
        values[FIRST_RESPONSE] = (float(minutes[0]), "None")
    return values


class MeteredStats:
    """A stats repository that also reports each platform-wide addition as metrics, after it is stored."""

    def __init__(self, inner: StatsRepository, metrics: EmfMetrics) -> None:
        self.inner, self.metrics = inner, metrics

    def add(self, scopes: list[str], counters: dict[str, int], day: str | None = None) -> None:
        self.inner.add(scopes, counters, day)
        if "all" in scopes:
            self.metrics.put(counter_metrics(counters))

    def add_once(self, post_id: str, key: str, scopes: list[str], counters: dict[str, int], day: str) -> bool:
        added = self.inner.add_once(post_id, key, scopes, counters, day)
        if added and "all" in scopes:
            self.metrics.put(counter_metrics(counters))
        return added

    def note(self, count: Count) -> None:
        self.inner.note(count)
        if "all" in count.scopes:
            self.metrics.put(counter_metrics(count.counters))

    def all(self) -> dict[str, dict[str, int]]:
        return self.inner.all()

    def days(self, scope: str, first: str, last: str) -> dict[str, dict[str, int]]:
        return self.inner.days(scope, first, last)
