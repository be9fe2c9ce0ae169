"""Any JSON value as the body of any route that takes one: never a 5xx, always a documented answer.

Hypothesis draws arbitrary JSON (and objects with the model's own field names holding arbitrary or plausible
values, to get past the first check) and sends it through the real app on the module's stack, signed in as
someone the route serves, aimed at a real post. A few examples per model keep it quick.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from chalicelib.api import spec
from chalicelib.domain.boards import BOARDS, POST_TYPE_NAMES
from chalicelib.services.incidents import sign
from tests.conftest import ADMIN_KEY, TEST_ENV
from tests.functional.conftest import World, assert_error_shape
from tests.functional.contract import Contract

EXAMPLES = 12
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(
    max_size=40)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                             max_size=4), max_leaves=12)
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "board": st.sampled_from([b.id for b in BOARDS]),
    "type": st.sampled_from(list(POST_TYPE_NAMES)),
    "status": st.sampled_from(["received", "dispatched", "acknowledged", "in_progress", "resolved", "reopened"]),
    "visibility": st.sampled_from(["public", "police_only"]),
    "district": st.sampled_from(["昆都仑区", "东河区", "朝阳区"]),
    "unit_id": st.sampled_from(["kunqu", "qingfu", "command-center", "nowhere"]),
    "phone": st.sampled_from(["13800009999", "+8613900000003", "1380000", "02112345678"]),
    "scope": st.sampled_from(["board", "global"]),
    "until": st.sampled_from(["2099-01-01T00:00:00+08:00", "2000-01-01T00:00:00+08:00", "2099-01-01T00:00:00"]),
    "at": st.sampled_from(["2026-03-13T16:05:00+08:00", "yesterday"]),
    "event": st.sampled_from(["accepted", "dispatched", "arrived", "closed", "exploded"]),
    "version": st.integers(min_value=-1, max_value=5),
    "satisfied": st.booleans(),
    "on_duty": st.booleans(),
    "role": st.sampled_from(["officer", "leader", "admin", "citizen"]),
    "kind": st.sampled_from(["station", "brigade", "command_center", "castle"]),
    "rules": st.lists(st.fixed_dictionaries({"board": st.sampled_from(["report", "qa"]),
                                              "unit_id": st.sampled_from(["kunqu", "x"])}), max_size=3),
    "templates": st.lists(st.fixed_dictionaries({"id": st.sampled_from(["t1", "bad id"]),
                                                  "text": st.text(max_size=20)}), max_size=3),
}
BODY_ROUTES = sorted(route for route, op in spec.ROUTES.items() if op.request is not None)


def bodies(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    """Arbitrary JSON, or an object with the model's fields holding arbitrary, plausible or textual values."""
    fields = {name: JSON | st.text(max_size=60) | PLAUSIBLE.get(name, SCALARS) for name in model.model_fields}
    near = st.fixed_dictionaries({}, optional=fields)  # type: ignore[arg-type]
    extra = st.dictionaries(st.text(max_size=8), JSON, max_size=2)
    return JSON | near | st.builds(lambda known, unknown: {**unknown, **known}, near, extra)


@pytest.fixture(scope="module")
def fuzz(people: World) -> dict[str, Any]:
    api = people.api
    contract = Contract(api.call("GET", "/openapi.json")[1])
    post = api.new_post(people.token("citizen"), board="report", type="report", title="路灯坏了", body="第三根",
                        district="昆都仑区")
    return {"contract": contract, "post_id": post["id"]}


def token_for(people: World, method: str, template: str) -> str | None:
    if template.startswith("/admin/"):
        return ADMIN_KEY
    if template.rsplit("/", 1)[-1] in ("status", "route"):
        return people.token("leader")
    return people.token("citizen")


@pytest.mark.parametrize("route", BODY_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_json_body_gets_a_documented_4xx_or_success_and_never_a_5xx(people: World, fuzz: dict[str, Any],
                                                                        route: tuple[str, str], data: Any) -> None:
    method, template = route
    model = spec.ROUTES[route].request
    assert model is not None
    body = data.draw(bodies(model), label="body")
    raw = json.dumps(body, ensure_ascii=False).encode()
    path = template.format(post_id=fuzz["post_id"], unit_id="fuzz-unit", officer_id="o-fuzz")
    headers = {"Content-Type": "application/json"}
    token = token_for(people, method, template)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if template == "/cad/events":  # signed, so that the body is what gets judged
        stamp = str(int(time.time()))
        headers |= {"X-Timestamp": stamp, "X-Signature": sign(TEST_ENV["CAD_SECRET"], stamp, raw)}
    status, answer, _ = people.api.raw(method, path, raw, headers)
    assert status < 500, (route, body, answer)
    if status >= 400:
        assert_error_shape(answer)
    fuzz["contract"].check(method, template, status, answer)
