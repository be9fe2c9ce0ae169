"""`make dev` end to end: the stack starts, serves the site and the API, seeds once, survives a restart."""

from __future__ import annotations

import json
import re
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from local.chalice_local import free_port
from local.launch import interrupt, start_devstack, wait_until_ready

pytestmark = pytest.mark.slow


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def _json(url: str) -> Any:
    status, _, body = _get(url)
    assert status == 200, body
    return json.loads(body)


class DevStack:
    """`python -m local.devstack` as a subprocess in its own process group, like a terminal runs it."""

    def __init__(self, port: int, data_dir: Path, log: Path) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.log = log
        self.process = start_devstack(port, data_dir, log)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_until_ready(self, timeout: float = 90) -> None:
        wait_until_ready(self.process, self.output, timeout)

    def interrupt(self) -> float:
        """Send Ctrl-C to the process group; return how long the stack took to exit."""
        started = time.monotonic()
        interrupt(self.process, grace=15)
        return time.monotonic() - started

    def chalice_port(self) -> int:
        found = re.search(r"Serving on http://127\.0\.0\.1:(\d+)", self.output())
        assert found, self.output()
        return int(found.group(1))


def _closed(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_devstack_serves_seeds_once_and_survives_a_restart(tmp_path: Path) -> None:
    port, data = free_port(), tmp_path / "data"
    stack = DevStack(port, data, tmp_path / "first.log")
    try:
        stack.wait_until_ready()
        status, headers, body = _get(stack.base + "/")
        assert status == 200
        assert headers["Content-Type"].startswith("text/html")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert b"<html" in body.lower()
        assert _get(stack.base + "/../../etc/passwd")[0] == 404
        assert len(_json(stack.base + "/api/boards")["boards"]) == 12
        units = _json(stack.base + "/api/units")["units"]
        assert "command-center" in {unit["id"] for unit in units}
        feed = _json(stack.base + "/api/posts")
        titles = [post["title"] for post in feed["pinned"] + feed["posts"]]
        assert "欢迎来到包头24小时警局" in titles
        assert _get(stack.base + "/api/no-such-route")[0] in (403, 404)
        deadline = time.monotonic() + 5
        while not _json(stack.base + "/api/dev/outbox?to=13900000003")["messages"]:
            assert time.monotonic() < deadline, "the admin's sign-in code never reached the outbox"
            time.sleep(0.2)
        admin_key = json.loads((data / "secrets.json").read_text())["ADMIN_KEY"]
        assert admin_key in stack.output()
        internal = stack.chalice_port()
    finally:
        elapsed = stack.interrupt()
    assert stack.process.returncode == 0, stack.output()
    assert elapsed < 10
    assert _closed(internal) and _closed(port)
    assert (data / "table.json").exists()

    again = DevStack(port, data, tmp_path / "second.log")
    try:
        again.wait_until_ready()
        assert "seeded" not in again.output()
        assert admin_key in again.output()
        assert len(_json(again.base + "/api/units")["units"]) == len(units)
        refeed = _json(again.base + "/api/posts")
        assert sorted(p["id"] for p in refeed["pinned"] + refeed["posts"]) == sorted(
            p["id"] for p in feed["pinned"] + feed["posts"]
        )
    finally:
        again.interrupt()
    assert again.process.returncode == 0, again.output()
