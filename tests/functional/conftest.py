"""Functional fixtures: a checked JSON client, one moto stack per module, and every kind of caller.

Each test of a module that uses `people` shares one stack (directory seeded, everyone signed in once);
tests there create their own posts and never assert on the whole feed. Tests that need an empty stack
use `fresh_api` (a new stack per test).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import ADMIN_KEY, DIRECTORY, ROOT, Api, moto_stack

# Every kind of caller of the role matrix: a phone to sign in with, the ADMIN_KEY, or nothing.
PERSONAS: dict[str, str | None] = {
    "anonymous": None,
    "citizen": "13800000001",  # the author of the posts a matrix test acts on
    "other_citizen": "13800000002",
    "unit_officer": "13900000003",  # 昆都仑区公安分局, where 昆都仑区 reports are routed
    "other_unit_officer": "13900000004",  # 东河区青福派出所
    "center_officer": "13900000002",  # 指挥中心
    "leader": "13900000001",
    "admin_officer": "13900000005",  # an officer whose directory role is admin: a person, not the ADMIN_KEY
    "admin_key": ADMIN_KEY,
}
ROLES = tuple(PERSONAS)
CITIZENS = ("citizen", "other_citizen")
POLICE = ("unit_officer", "other_unit_officer", "center_officer", "leader", "admin_officer")
OFFICERS = {  # persona -> the officer id and directory entry behind it
    "unit_officer": "o-kunqu",
    "other_unit_officer": "o-qingfu",
    "center_officer": "o-center",
    "leader": "o-chief",
    "admin_officer": "o-admin",
}
UNIT_NAMES = {unit_id: unit["name"] for unit_id, unit in DIRECTORY["units"].items()}


class CheckedApi(Api):
    """The JSON client, asserting what every response must honour (API.md conventions)."""

    def call(
        self, method: str, path: str, body: Any = None, token: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        status, data, got = super().call(method, path, body, token, headers)
        assert status < 500, (method, path, status, data)
        assert got.get("X-Content-Type-Options") == "nosniff", (method, path, got)
        assert got.get("Access-Control-Allow-Origin") in (None, "http://127.0.0.1:8000"), got
        if token is not None:
            assert "no-store" in got.get("Cache-Control", ""), (method, path, got)
        if status >= 400:
            assert_error_shape(data)
        return status, data, got

    def raw(self, method: str, path: str, body: bytes | str, headers: dict[str, str]) -> tuple[int, Any, dict]:
        """Send a body exactly as given, with exactly these headers."""
        response = getattr(self.client.http, method.lower())(path, headers=headers, body=body)
        data = json.loads(response.body) if response.body else None
        assert response.status_code < 500, data
        assert response.headers.get("X-Content-Type-Options") == "nosniff"
        return response.status_code, data, dict(response.headers)

    def new_post(self, token: str | None, **fields: Any) -> dict[str, Any]:
        """Publish a post (a question on the Q&A board unless told otherwise) and return it."""
        body = {"board": "qa", "type": "question", "title": "请问户口迁移要带什么材料", "body": "想把户口迁到青山区。"}
        body.update(fields)
        status, post, _ = self.call("POST", "/posts", body, token=token)
        assert status == 201, post
        return dict(post)

    def new_report(self, token: str | None, title: str, body: str, **fields: Any) -> dict[str, Any]:
        """Publish a report (on the report board unless told otherwise) and return it."""
        return self.new_post(token, **{"board": "report", "type": "report", "title": title, "body": body, **fields})

    def detail(self, post_id: str, token: str | None = None) -> dict[str, Any]:
        """Return a post's detail as a caller sees it."""
        status, data, _ = self.call("GET", f"/posts/{post_id}", token=token)
        assert status == 200, data
        return dict(data)

    def feed_ids(self, query: str = "", token: str | None = None) -> list[str]:
        """Return the ids of every post the feed shows (pinned, then every page)."""
        ids: list[str] = []
        cursor = None
        while True:
            path = "/posts?limit=50" + (f"&{query}" if query else "") + (f"&cursor={cursor}" if cursor else "")
            status, page, _ = self.call("GET", path, token=token)
            assert status == 200, page
            ids += [p["id"] for p in page["pinned"]] + [p["id"] for p in page["posts"]]
            cursor = page["next_cursor"]
            if cursor is None:
                return ids


def assert_error_shape(data: Any, code: str | None = None) -> None:
    """Assert the error body of API.md: {"error": {"code", "message", "fields"?}}."""
    assert isinstance(data, dict) and set(data) == {"error"}, data
    error = data["error"]
    assert isinstance(error.get("code"), str) and error["code"], data
    assert isinstance(error.get("message"), str) and error["message"], data
    assert set(error) <= {"code", "message", "fields", "post_id"}, data
    if "post_id" in error:
        assert error["code"] == "conflict" and isinstance(error["post_id"], str) and error["post_id"], data
    assert "Traceback" not in error["message"]
    if "fields" in error:
        assert isinstance(error["fields"], dict) and error["fields"], data
    if code is not None:
        assert error["code"] == code, data


def seed_directory(api: Api) -> None:
    """Seed units, officers and routing through the admin API."""
    for unit_id, unit in DIRECTORY["units"].items():
        assert api.admin("PUT", f"/admin/units/{unit_id}", unit)[0] == 200
    for officer_id, officer in DIRECTORY["officers"].items():
        assert api.admin("PUT", f"/admin/officers/{officer_id}", officer)[0] == 200
    assert api.admin("PUT", "/admin/routing", DIRECTORY["routing"])[0] == 200


class ShiftedClock:
    """The real time, moved forward by as much as the tests asked."""

    def __init__(self) -> None:
        self.shift = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.shift

    def advance(self, **delta: float) -> None:
        self.shift += timedelta(**delta)


@dataclass
class World:
    """One stack for a whole module: its client, its outputs, its clock and everyone's credentials."""

    api: CheckedApi
    outputs: dict[str, str]
    tokens: dict[str, str | None]
    clock: ShiftedClock = field(default_factory=ShiftedClock)

    def token(self, role: str) -> str | None:
        return self.tokens[role]


@pytest.fixture(scope="module")
def people() -> Iterator[World]:
    """A module-wide stack with the directory seeded and every persona signed in once."""
    from chalice.test import Client

    from app import app
    from chalicelib import bootstrap
    from chalicelib.config import Settings

    with pytest.MonkeyPatch.context() as patch, moto_stack(patch) as outputs:
        clock = ShiftedClock()
        settings = Settings.from_env()
        bootstrap._cache[settings] = bootstrap.build(settings, clock=clock)
        with Client(app, stage_name="test", project_dir=str(ROOT)) as client:
            api = CheckedApi(client)
            seed_directory(api)
            tokens: dict[str, str | None] = {}
            for role, phone in PERSONAS.items():
                tokens[role] = api.sign_in(phone) if phone and phone != ADMIN_KEY else phone
            yield World(api, outputs, tokens, clock)


@pytest.fixture
def fresh_api(client: Any) -> CheckedApi:
    """The checked client on a stack of its own (no directory)."""
    return CheckedApi(client)
