"""The OpenAPI 3.1 description stays true: every route, the models the routes parse, the copy in docs/.

Each route declares itself once (chalicelib/api/operation.py); the description is generated from those."""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from app import app
from chalicelib.api import schemas, spec
from chalicelib.api.operation import OPERATIONS
from chalicelib.domain.actors import PHONE_PATTERN, normalize_phone
from chalicelib.domain.text import unprintable
from tests.conftest import ROOT
from tests.functional.conftest import World

DOC_FILE = ROOT / "docs" / "openapi.json"
REGENERATE = "regenerate it: STAGE=test .venv/bin/python -m chalicelib.api.spec > docs/openapi.json"
ROUTES = {(method, path) for path, methods in app.routes.items() for method in methods}


@pytest.fixture(scope="module")
def served(people: World) -> dict[str, Any]:
    status, document, headers = people.api.call("GET", "/openapi.json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    return dict(document)


def test_the_description_is_valid_openapi_3_1(served: dict[str, Any]) -> None:
    validate(served)
    assert served["openapi"].startswith("3.1.") and served["servers"] == [{"url": "/api"}]


def test_docs_openapi_json_is_what_the_api_serves(served: dict[str, Any]) -> None:
    assert json.loads(DOC_FILE.read_text(encoding="utf-8")) == served, REGENERATE


def test_every_route_is_described_and_nothing_else(served: dict[str, Any]) -> None:
    described = {(method.upper(), path) for path, operations in served["paths"].items() for method in operations}
    assert described == ROUTES
    undocumented = [(m, p) for p, ops in served["paths"].items() for m, op in ops.items() if "x-undocumented" in op]
    assert not undocumented


def test_every_route_is_declared_by_its_operation_and_every_operation_is_a_route() -> None:
    assert set(OPERATIONS) == ROUTES
    for (method, path), op in OPERATIONS.items():
        assert (op.method, op.path) == (method, path)
        assert getattr(app.routes[path][method].view_function, "__wrapped__", None) is op.view, (method, path)


def test_each_summary_is_the_views_docstring(served: dict[str, Any]) -> None:
    for method, path in ROUTES:
        view = app.routes[path][method].view_function
        assert served["paths"][path][method.lower()]["summary"] == inspect.getdoc(view).splitlines()[0]


JSON_BODY_ROUTES = sorted(key for key, op in OPERATIONS.items() if not op.georeport)


@pytest.mark.parametrize(("method", "path"), JSON_BODY_ROUTES, ids=lambda v: str(v))
def test_a_request_body_is_the_pydantic_model_the_route_parses(served: dict[str, Any], method: str, path: str) -> None:
    op = OPERATIONS[(method, path)]
    source = inspect.getsource(op.view)
    assert "parse(" not in source, "the operation parses the body with its model; the view reads `call.body`"
    assert ("call.body" in source) == (op.request is not None), "a model is declared exactly when the body is read"
    operation = served["paths"][path][method.lower()]
    model = op.request_model
    if model is None:
        assert "requestBody" not in operation
        return
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == f"#/components/schemas/{model.__name__}"
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    nested = schema.pop("$defs", {})
    components = served["components"]["schemas"]
    assert components[model.__name__] == schema
    for name, definition in nested.items():
        assert components[name] == definition


def test_every_operation_documents_its_errors_in_the_api_shape(served: dict[str, Any]) -> None:
    error = served["components"]["responses"]["E400"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Error"}
    for path, operations in served["paths"].items():
        if path.startswith("/open311/"):
            continue
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert "415" in statuses, (method, path)
            assert any(s.startswith(("2", "3")) for s in statuses), (method, path)  # 302: the WeChat sign-in
            if operation["security"] != [{}, {"session": []}] and path != "/cad/events":
                assert "401" in statuses, (method, path)
            if "requestBody" in operation:
                assert {"400", "413"} <= statuses, (method, path)


def test_serving_the_description_keeps_import_light() -> None:
    """`import app` must not pull in pydantic models: the description is built on the first request."""
    import subprocess
    import sys

    probe = "import sys, app; print(any(m.startswith('pydantic') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False", result.stderr


def test_every_open311_operation_documents_its_shapes_by_extension_and_its_errors_in_the_spec_shape(
    served: dict[str, Any],
) -> None:
    open311 = {
        (m.upper(), p): op for p, ops in served["paths"].items() if p.startswith("/open311/") for m, op in ops.items()
    }
    georeport = {key for key, op in OPERATIONS.items() if op.georeport}
    assert set(open311) == {(m, p) for m, p in ROUTES if p.startswith("/open311/")} and set(open311) == georeport
    errors = {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Open311Error"}}
    for (method, path), operation in open311.items():
        media = {"json": {"application/json"}, "xml": {"text/xml"}}.get(
            path.rsplit(".", 1)[-1], {"application/json", "text/xml"}
        )
        assert "x-undocumented" not in operation and operation["tags"] == ["Open311"]
        assert "415" in operation["responses"], (method, path)
        for status, response in operation["responses"].items():
            assert set(response["content"]) == media, (method, path, status)
            if status.startswith("4") or status.startswith("5"):
                assert response["content"].get("application/json", {"schema": errors})["schema"] == errors
        if method == "POST" and not path.endswith("{file_name}"):  # the catch-all only ever answers 404
            assert set(operation["requestBody"]["content"]) == {"application/x-www-form-urlencoded"}
            assert {"400", "403", "413", "429"} <= set(operation["responses"])


def _property(served: dict[str, Any], model: str, name: str) -> dict[str, Any]:
    prop: dict[str, Any] = served["components"]["schemas"][model]["properties"][name]
    if "$ref" in prop:  # a shared component (the domain's Status)
        prop = served["components"]["schemas"][prop["$ref"].rsplit("/", 1)[-1]]
    return next((branch for branch in prop.get("anyOf", [prop]) if branch.get("type") == "string"), prop)


def test_the_description_names_the_real_enums_patterns_and_limits(served: dict[str, Any]) -> None:
    from chalicelib.config import BAOTOU_DISTRICTS
    from chalicelib.domain.actors import PHONE_PATTERN
    from chalicelib.domain.boards import BOARDS, POST_TYPES
    from chalicelib.domain.status import Status

    boards = [board.id for board in BOARDS]
    for model in ("PostIn", "RuleIn"):
        assert _property(served, model, "board")["enum"] == boards
        assert _property(served, model, "type")["enum"] == list(POST_TYPES)
        assert _property(served, model, "district")["enum"] == list(BAOTOU_DISTRICTS)
    assert _property(served, "UnitIn", "district")["enum"] == list(BAOTOU_DISTRICTS)
    assert _property(served, "PostIn", "visibility")["enum"] == ["public", "police_only"]
    assert _property(served, "StatusIn", "status")["enum"] == [status.value for status in Status]
    for model in ("OtpIn", "SessionIn", "OfficerIn"):
        phone = _property(served, model, "phone")
        assert (phone["type"], phone["maxLength"], phone["pattern"]) == ("string", 20, PHONE_PATTERN)
    assert _property(served, "PostIn", "title")["maxLength"] == 100
    assert _property(served, "PostIn", "body")["maxLength"] == 5000
    for model, name in [
        ("PostIn", "title"),
        ("ReplyIn", "body"),
        ("ProfileIn", "nickname"),
        ("FlagIn", "reason"),
        ("TemplateIn", "text"),
        ("ApiKeyIn", "name"),
        ("StatusIn", "note"),
    ]:
        assert _property(served, model, name)["pattern"] == schemas.PRINTABLE, (model, name)
    for path in ("/posts", "/posts/{post_id}/replies"):
        header = next(p for p in served["paths"][path]["post"]["parameters"] if p["name"] == "Idempotency-Key")
        assert header["schema"] == {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}


def test_districts_configured_for_a_deployment_are_the_ones_described(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISTRICTS", "甲区,乙区")
    document = spec.document(app.routes)
    assert _property(document, "PostIn", "district")["enum"] == ["甲区", "乙区"]
    form = document["paths"]["/open311/v2/requests.json"]["post"]["requestBody"]["content"]
    assert form["application/x-www-form-urlencoded"]["schema"]["allOf"][2]["properties"]["attribute[district]"][
        "enum"
    ] == ["甲区", "乙区"]


PHONEISH = st.text(st.sampled_from("0123456789 -+８"), max_size=22)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(raw=PHONEISH | st.from_regex(PHONE_PATTERN, fullmatch=True))
def test_the_phone_pattern_is_exactly_what_a_phone_field_takes(raw: str) -> None:
    from chalicelib.domain.errors import ValidationFailed

    try:
        normalize_phone(raw)
        taken = True
    except ValidationFailed:
        taken = False
    assert taken == bool(re.fullmatch(PHONE_PATTERN, raw)), raw


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    text=st.text(
        st.characters(exclude_categories=["Cs"]) | st.sampled_from("\r\n\t\x00\x1f\x7f\x85\x9f\ufffe"), max_size=12
    )
)
def test_the_printable_pattern_is_exactly_what_a_text_field_takes(text: str) -> None:
    assert (unprintable(text) is None) == bool(re.fullmatch(schemas.PRINTABLE, text)), repr(text)
