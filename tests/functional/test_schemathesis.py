"""Schemathesis against the OpenAPI description, through the real app on the module's stack.

The description is docs/openapi.json, which test_openapi.py holds equal to what `/api/openapi.json` serves
(loaded at collection: Schemathesis' lazy fixture loader does not run on pytest 9). The app is reached over
a small WSGI adapter around chalice.test.Client (the API base `/api` stripped, as the same-origin proxy
does). Every operation gets a few generated requests, signed in as whoever may call it and aimed at real
posts; no answer may be a 5xx, and status, content type and body must be documented.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import ADMIN_KEY, ROOT
from tests.functional.conftest import World

EXAMPLES = 4  # per operation: ~45 operations, a few hundred requests in all
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
API_BASE = "/api"


class ChaliceWsgi:
    """A WSGI app that hands each request to chalice.test.Client, as API Gateway would hand it to Lambda."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        uri = environ.get("RAW_URI") or environ.get("PATH_INFO", "")
        if environ.get("QUERY_STRING") and "?" not in uri:
            uri += "?" + environ["QUERY_STRING"]
        path = uri.removeprefix(API_BASE) or "/"
        headers = {
            key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        response = self.client.http.request(environ["REQUEST_METHOD"], path, headers=headers, body=body)
        status = f"{response.status_code} {HTTPStatus(response.status_code).phrase}"
        start_response(status, [(name, str(value)) for name, value in response.headers.items()])
        return [response.body or b""]


@pytest.fixture(scope="module")
def wsgi(people: World) -> ChaliceWsgi:
    return ChaliceWsgi(people.api.client)


@pytest.fixture(scope="module")
def targets(people: World) -> list[str]:
    """Real posts for generated requests to act on: a question, a tip only the police see, a report."""
    api, citizen = people.api, people.token("citizen")
    return [
        api.new_post(citizen)["id"],
        api.new_post(
            citizen, board="anti-drug", type="report", title="线索", body="有人贩毒", visibility="police_only"
        )["id"],
        api.new_post(citizen, board="report", type="report", title="井盖丢了", body="路口", district="昆都仑区")["id"],
    ]


def credentials(people: World, template: str) -> str | None:
    """Sign in as someone the route serves: the admin key, a leader for police work, else the author."""
    if template.startswith("/admin/"):
        return ADMIN_KEY
    if template.rsplit("/", 1)[-1] in ("status", "route", "incident"):
        return people.token("leader")
    return people.token("citizen")


@pytest.fixture(scope="module")
def partner_key(people: World) -> str:
    """A live Open311 partner key, so that generated service requests get filed."""
    status, key, _ = people.api.admin("POST", "/admin/api-keys", {"name": "schemathesis"})
    assert status == 201, key
    return str(key["api_key"])


def _pick(generated: Any, posts: list[str]) -> str:
    return posts[hashlib.sha256(str(generated).encode()).digest()[0] % len(posts)]


def aim(case: Any, posts: list[str], api_key: str) -> None:
    """Point a generated post id (or Open311 request file) at one of the real posts, picked by the generated value
    so that it still varies, and give a generated Open311 form the live partner key."""
    params = case.path_parameters or {}
    if params.get("post_id") is not None:
        params["post_id"] = _pick(params["post_id"], posts)
    if params.get("request_file") is not None:
        generated = str(params["request_file"])
        params["request_file"] = f"{_pick(generated, posts)}.{generated.rsplit('.', 1)[-1]}"
    if isinstance(case.body, dict) and "api_key" in case.body:
        case.body["api_key"] = api_key


schema = schemathesis.openapi.from_path(
    ROOT / "docs" / "openapi.json",
    config=schemathesis.Config.from_dict(
        {"generation": {"mode": "positive", "max-examples": EXAMPLES, "allow-x00": False, "database": "none"}}
    ),
)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_generated_requests_get_documented_answers_and_never_a_5xx(
    case: Any, people: World, wsgi: ChaliceWsgi, targets: list[str], partner_key: str
) -> None:
    aim(case, targets, partner_key)
    token = credentials(people, case.path)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = case.call(app=wsgi, headers=headers)
    case.validate_response(response, checks=CHECKS, headers=headers, transport_kwargs={"app": wsgi})
