"""Junk on every route: never a 5xx, always a documented answer in the error shape of the route's API.

The first test draws arbitrary JSON (and objects with the model's own field names holding arbitrary or
plausible values, to get past the first check) for every route that takes a body, signed in as someone the
route serves, aimed at a real post. The second enumerates every route of the app (`app.routes`, Open311 too)
and sends hypothesis-drawn junk everywhere at once: bodies (JSON of any type, deep nesting, huge and
non-finite numbers, strings with controls, lone surrogates and invisible characters, bytes that are not
UTF-8), content types, headers, path parameters (junk or real ids) and query strings, as anonymous, citizen,
officer, leader or admin. Derandomized and bounded (a few examples per route) so that CI is deterministic.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from app import app
from chalicelib.api.operation import OPERATIONS
from chalicelib.domain.boards import BOARDS, POST_TYPE_NAMES
from chalicelib.services.incidents import sign
from tests.conftest import ADMIN_KEY, TEST_ENV
from tests.functional.conftest import World, assert_error_shape
from tests.functional.contract import Contract

EXAMPLES = 12
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
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
    "rules": st.lists(
        st.fixed_dictionaries({"board": st.sampled_from(["report", "qa"]), "unit_id": st.sampled_from(["kunqu", "x"])}),
        max_size=3,
    ),
    "templates": st.lists(
        st.fixed_dictionaries({"id": st.sampled_from(["t1", "bad id"]), "text": st.text(max_size=20)}), max_size=3
    ),
}
BODY_ROUTES = sorted(route for route, op in OPERATIONS.items() if op.request is not None and not op.georeport)


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
    post = api.new_post(
        people.token("citizen"), board="report", type="report", title="路灯坏了", body="第三根", district="昆都仑区"
    )
    return {"contract": contract, "post_id": post["id"]}


def token_for(people: World, method: str, template: str) -> str | None:
    if template.startswith("/admin/"):
        return ADMIN_KEY
    if template.rsplit("/", 1)[-1] in ("status", "route"):
        return people.token("leader")
    return people.token("citizen")


@pytest.mark.parametrize("route", BODY_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
@given(data=st.data())
def test_any_json_body_gets_a_documented_4xx_or_success_and_never_a_5xx(
    people: World, fuzz: dict[str, Any], route: tuple[str, str], data: Any
) -> None:
    method, template = route
    model = OPERATIONS[route].request_model
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


# -- junk on every route ---------------------------------------------------------------------------

ALL_ROUTES = sorted((method, path) for path, methods in app.routes.items() for method in methods)
ALL_EXAMPLES = 25
PERSONAS = ("anonymous", "citizen", "unit_officer", "leader", "admin_key")
ODD_CHARS = st.characters(categories=["Cc", "Cf", "Cs", "Co", "Zl", "Zp", "Zs", "Mn"]) | st.sampled_from(
    [
        "\x00",
        "\x01",
        "\r",
        "\x7f",
        "\x85",
        "\ud800",
        "\udfff",
        "\ufeff",
        "\u200b",
        "\u202e",
        "\ufffe",
        "\uffff",
        "\U0001f46e",
        "警",
        "'",
        '"',
        "\\",
        "<",
        "&",
        "%",
        ".",
    ]
)
ODD_TEXT = st.text(ODD_CHARS | st.characters(codec="utf-8"), max_size=40)
FIELD_NAMES = sorted(
    {name for op in OPERATIONS.values() if op.request_model for name in op.request_model.model_fields}
    | {"service_code", "description", "attribute[type]", "attribute[district]", "api_key"}
)
LITERALS = st.sampled_from(
    [
        "NaN",
        "Infinity",
        "-Infinity",
        "1e999",
        "-1e999",
        "1" + "0" * 5000,
        "-" + "9" * 4400,
        "0." + "0" * 3000 + "1",
        "1E400",
        "true",
        "null",
        '""',
        "[]",
        "{}",
        "-0",
        "1.5",
    ]
)


def _nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


def _escaped(text: str) -> str:
    return json.dumps(text)  # ASCII: controls and lone surrogates as \\u escapes


JUNK_TEXT: st.SearchStrategy[str] = st.one_of(
    JSON.map(json.dumps),
    ODD_TEXT.map(_escaped),
    st.integers(min_value=20, max_value=1500).map(_nested),
    st.integers(min_value=20, max_value=1500).map(lambda n: '{"a":' * n + "1" + "}" * n),
    st.builds(
        lambda name, value: json.dumps({name: "x"})[:-4] + value + "}",
        st.sampled_from(FIELD_NAMES),
        LITERALS | ODD_TEXT.map(_escaped) | st.integers(1, 100).map(_nested),
    ),
    st.fixed_dictionaries({}, optional={name: JSON | ODD_TEXT for name in FIELD_NAMES}).map(json.dumps),
    st.builds(lambda name: f'{{"{name}": "a", "{name}": "b"}}', st.sampled_from(FIELD_NAMES)),
)
JUNK_BODY: st.SearchStrategy[bytes | None] = st.one_of(
    st.none(),
    JUNK_TEXT.map(str.encode),
    ODD_TEXT.map(lambda text: json.dumps({"body": text}, ensure_ascii=False).encode("utf-8", "surrogatepass")),
    st.binary(max_size=60),
    st.builds(
        lambda pairs: "&".join(f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'))}" for k, v in pairs).encode(),
        st.lists(st.tuples(st.sampled_from(FIELD_NAMES), ODD_TEXT), max_size=6),
    ),
    st.integers(min_value=60_000, max_value=70_000).map(lambda n: b" " * n + b"{}"),
)
CONTENT_TYPES = st.sampled_from(
    [
        None,
        "application/json",
        "application/json; charset=utf-8",
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data",
        "application/xml",
        "application/json; charset=latin-1",
        "*/*",
        "\u00e9/\u00e9",
        "",
    ]
)
QUERY_NAMES = [
    "limit",
    "cursor",
    "board",
    "month",
    "to",
    "start_date",
    "end_date",
    "start_date",
    "end_date",
    "status",
    "service_request_id",
    "service_code",
    "api_key",
    "unit",
    "view",
    "x",
]
QUERY_VALUES = ODD_TEXT | st.sampled_from(
    [
        "0",
        "-1",
        "1" + "0" * 5000,
        "1.5",
        "1e3",
        "abc",
        "",
        "50",
        "2026-13",
        "0001-01",
        "9999-12",
        "2026-03",
        "2026-03-01T00:00:00+08:00",
        "9999-99-99",
        "open,closed,x",
        "a," * 200,
        "%00",
        "%ff",
        "%ED%A0%80",
    ]
)
DATES = st.sampled_from(
    [
        "0001-01-01T00:00:00",
        "9999-12-31T00:00:00",
        "0001-01-01",
        "9999-12-31T23:59:59+14:00",
        "2026-03-01T00:00:00Z",
        "2026-03-01",
        "2026-02-30",
        "1970-01-01T00:00:00-12:00",
        "now",
    ]
)
EDGES = st.sampled_from(["0001-01-01T00:00:00", "9999-12-31T00:00:00"])
QUERY_PAIR = st.sampled_from(QUERY_NAMES).flatmap(
    lambda name: st.tuples(st.just(name), EDGES | DATES | QUERY_VALUES if name.endswith("_date") else QUERY_VALUES)
)
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80) | st.sampled_from(
    ["k" * 3000, "", " ", "a b", "键", "\u00e9"]
)


def _path_value(draw: Any, name: str, real: dict[str, list[str]]) -> str:
    """A real id of the kind the route names, or junk (never a path separator, query or fragment)."""
    if draw(st.booleans()):
        return draw(st.sampled_from(real.get(name) or ["x"]))
    junk = draw(
        st.text(ODD_CHARS | st.characters(codec="utf-8"), max_size=70)
        | st.sampled_from(["", "..", ".json", "x.xml", "p" * 3000, "%2F", "%00", "report.csv", "report.json.xml"])
    )
    return "".join(c for c in junk if c not in "/?#") or "x"


def _query(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'), safe='%')}" for k, v in pairs)


@pytest.fixture(scope="module")
def real_ids(people: World, fuzz: dict[str, Any]) -> dict[str, list[str]]:
    """Real ids for path parameters: posts (public, police-only), units, officers, partner keys, Open311 files."""
    api = people.api
    tip = api.new_report(people.token("citizen"), "线索", "有人贩毒", board="anti-drug", visibility="police_only")["id"]
    posts = [fuzz["post_id"], tip]
    key = api.admin("POST", "/admin/api-keys", {"name": "模糊测试"})[1]["id"]
    files = [f"{post}.{fmt}" for post in posts for fmt in ("json", "xml")] + ["report.json", "qa.xml"]
    return {
        "post_id": posts,
        "unit_id": ["kunqu", "qingfu", "command-center"],
        "officer_id": ["o-kunqu", "o-qingfu"],
        "key_id": [key],
        "service_file": files,
        "request_file": files,
        "token_file": ["t1.json", "t2.xml"],
    }


def assert_open311_error(status: int, body: bytes, content_type: str) -> None:
    """Assert Open311's error shape: [{"code", "description"}], or <errors><error> in XML."""
    if content_type.startswith("text/xml"):
        root = ElementTree.fromstring(body)
        entries = [{child.tag: child.text for child in entry} for entry in root]
        assert root.tag == "errors" and all(entry.tag == "error" for entry in root), body
    else:
        entries = json.loads(body)
    assert isinstance(entries, list) and len(entries) == 1, body
    assert set(entries[0]) == {"code", "description"} and str(entries[0]["code"]) == str(status), body
    assert entries[0]["description"] and "Traceback" not in entries[0]["description"], body


# Open311 faults the fuzz finds whose fix belongs to the Open311 work of issue 13 (the XML writer escapes or drops
# what XML cannot hold; dates at the ends of the calendar are 400): strict, so the marks go once that is merged.
@pytest.mark.parametrize("route", ALL_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
@settings(
    max_examples=ALL_EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
@given(data=st.data())
def test_junk_anywhere_on_every_route_never_gets_a_5xx_and_errors_keep_their_shape(
    people: World, real_ids: dict[str, list[str]], route: tuple[str, str], data: Any
) -> None:
    method, template = route
    names = [part[1:-1] for part in template.split("/") if part.startswith("{")]
    path = template.format(**{name: _path_value(data.draw, name, real_ids) for name in names})
    pairs = data.draw(st.lists(QUERY_PAIR, max_size=4), label="query")
    if pairs:
        path += "?" + _query(pairs)
    headers: dict[str, str] = {}
    persona = data.draw(st.sampled_from(PERSONAS), label="persona")
    if persona != "anonymous":
        headers["Authorization"] = f"Bearer {people.token(persona)}"
    elif data.draw(st.booleans(), label="bad credentials"):
        headers["Authorization"] = data.draw(
            st.sampled_from(["Bearer", "Bearer x.y.z", "Basic YTpi", "k" * 3000, "Bearer " + "a." * 2000])
        )
    takes_body = method in ("POST", "PUT", "PATCH")
    expected = st.sampled_from(app.routes[template][method].content_types) if takes_body else st.none()
    content_type = data.draw(expected | expected | CONTENT_TYPES, label="content type")
    if content_type is not None:
        headers["Content-Type"] = content_type
    for name in ("Idempotency-Key", "X-Timestamp", "X-Signature", "Origin"):
        if data.draw(st.booleans(), label=name):
            headers[name] = data.draw(HEADER_TEXT | st.sampled_from(["²", "١٢٣", "9" * 5000, str(int(time.time()))]))
    body = data.draw(JUNK_BODY if takes_body else st.none() | st.none() | JUNK_BODY, label="body")
    response = people.api.client.http.request(method, path, headers=headers, body=body or b"")
    assert response.status_code < 500, (route, path, headers, body, response.body[:300])
    if response.status_code >= 400:
        content = response.headers.get("Content-Type", "")
        if template.startswith("/open311/"):
            assert_open311_error(response.status_code, response.body, content)
        else:
            assert content.startswith("application/json"), (route, content)
            assert_error_shape(json.loads(response.body))
