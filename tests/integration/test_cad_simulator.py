"""The local 110 simulator answers each incident record with correctly signed events."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from chalicelib.services.incidents import sign
from local.cad_simulator import CadSimulator


def test_each_record_gets_accepted_then_dispatched_signed_with_the_shared_secret() -> None:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            good = self.headers["X-Signature"] == sign("s3cret", self.headers["X-Timestamp"], raw)
            received.append({"path": self.path, "good": good, **json.loads(raw)})
            self.send_response(200 if good else 401)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        simulator = CadSimulator(
            f"http://127.0.0.1:{server.server_port}/api",
            "s3cret",
            steps=(("accepted", 0.05, "110"), ("dispatched", 0.1, "巡警")),
        )
        simulator.on_record(json.dumps({"incident_id": "INC-p1", "post_id": "p1"}))
        simulator.on_record("not a record")
        for timer in simulator._timers:
            timer.join(2)
    finally:
        server.shutdown()
    assert [(r["event"], r["good"], r["path"]) for r in received] == [
        ("accepted", True, "/api/cad/events"),
        ("dispatched", True, "/api/cad/events"),
    ]
    assert all(r["incident_id"] == "INC-p1" and r["post_id"] == "p1" for r in received)
    assert simulator.sent == [("accepted", 200), ("dispatched", 200)]
