"""The OpenAPI 3.1 description stays true: every route, the models the routes parse, the copy in docs/."""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

import pytest
from openapi_spec_validator import validate

from app import app
from chalicelib.api import spec
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
    assert not undocumented, "add a row to chalicelib/api/spec.py ROUTES"


def test_the_route_table_has_a_row_for_every_json_route_and_no_stale_one() -> None:
    json_routes = {(m, p) for m, p in ROUTES if not p.startswith("/open311/")}  # Open311 follows its own spec
    assert json_routes == set(spec.ROUTES)


def test_each_summary_is_the_views_docstring(served: dict[str, Any]) -> None:
    for method, path in ROUTES:
        view = app.routes[path][method].view_function
        assert served["paths"][path][method.lower()]["summary"] == inspect.getdoc(view).splitlines()[0]


def _parsed_model(method: str, path: str) -> set[str]:
    """Return the names of the models a route's view parses its body with: `parse(request, schemas.X)`."""
    source = inspect.getsource(app.routes[path][method].view_function)
    return set(re.findall(r"\bparse\(\s*[^,()]+(?:\([^)]*\))?[^,()]*,\s*\w+\.(\w+)\s*\)", source))


@pytest.mark.parametrize(("method", "path"), sorted(spec.ROUTES), ids=lambda v: str(v))
def test_a_request_body_is_the_pydantic_model_the_route_parses(served: dict[str, Any], method: str,
                                                                path: str) -> None:
    op = spec.ROUTES[(method, path)]
    if (method, path) not in ROUTES:
        pytest.skip("not a route on this stage")
    assert _parsed_model(method, path) == ({op.request.__name__} if op.request else set())
    operation = served["paths"][path][method.lower()]
    if op.request is None:
        assert "requestBody" not in operation
        return
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == f"#/components/schemas/{op.request.__name__}"
    schema = op.request.model_json_schema(ref_template="#/components/schemas/{model}")
    nested = schema.pop("$defs", {})
    components = served["components"]["schemas"]
    assert components[op.request.__name__] == schema
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
            assert any(s.startswith("2") for s in statuses), (method, path)
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
