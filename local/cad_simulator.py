"""A stand-in for the city's 110 command system: accepts and dispatches each incident it receives.

It reads the incident records the collector takes off `cad-outbox`, then, after short delays,
reports `accepted` and `dispatched` to `POST /api/cad/events`, signed as a real system would.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any

from chalicelib.services.incidents import sign

log = logging.getLogger(__name__)
CST = timezone(timedelta(hours=8))
STEPS = (("accepted", 3.0, "110指挥中心"), ("dispatched", 8.0, "巡警大队"))


class CadSimulator:
    """Answer each incident record with signed progress events after a delay."""

    def __init__(self, api_base: str, secret: str, steps: tuple[tuple[str, float, str], ...] = STEPS) -> None:
        self.api_base, self.secret, self.steps = api_base.rstrip("/"), secret, steps
        self._timers: list[threading.Timer] = []
        self.sent: list[tuple[str, int]] = []

    def on_record(self, body: str) -> None:
        """Schedule the events for one incident record."""
        try:
            record = json.loads(body)
            incident, post = str(record["incident_id"]), str(record["post_id"])
        except (ValueError, KeyError, TypeError):
            log.warning("cad simulator: not an incident record: %.80s", body)
            return
        for event, delay, unit in self.steps:
            timer = threading.Timer(delay, self.report, args=(incident, post, event, unit))
            timer.daemon = True
            self._timers.append(timer)
            timer.start()

    def report(self, incident: str, post: str, event: str, unit: str) -> int:
        """Send one signed event; return the HTTP status."""
        payload = {
            "incident_id": incident,
            "post_id": post,
            "event": event,
            "unit_name": unit,
            "at": datetime.now(CST).isoformat(timespec="seconds"),
        }
        raw = json.dumps(payload, ensure_ascii=False).encode()
        stamp = str(int(time.time()))
        request = urllib.request.Request(
            f"{self.api_base}/cad/events",
            data=raw,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Timestamp": stamp,
                "X-Signature": sign(self.secret, stamp, raw),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                status = int(response.status)
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            log.exception("cad simulator: could not reach the API")
            status = 0
        self.sent.append((event, status))
        return status

    def stop(self) -> None:
        """Cancel the events not sent yet."""
        for timer in self._timers:
            timer.cancel()


def describe(record: dict[str, Any]) -> str:
    """Return a one-line summary of an incident record for the console."""
    return f"{record.get('incident_id')} {record.get('board')}/{record.get('type')} {record.get('title', '')[:20]}"
