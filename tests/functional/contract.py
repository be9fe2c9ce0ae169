"""Hold responses to the OpenAPI description: the status is documented and the body fits its schema."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator


class Contract:
    """The served OpenAPI document, as a checker of (method, path template, status, body)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._validators: dict[tuple[str, str, int], Draft202012Validator | None] = {}

    def operation(self, method: str, template: str) -> dict[str, Any]:
        operation: dict[str, Any] = self.document["paths"][template][method.lower()]
        return operation

    def check(self, method: str, template: str, status: int, body: Any) -> None:
        """Assert the status is documented for the operation and the JSON body fits the schema given for it."""
        key = (method, template, status)
        if key not in self._validators:
            self._validators[key] = self._validator(method, template, status)
        validator = self._validators[key]
        if validator is not None:
            errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
            assert not errors, (method, template, status, [f"{list(e.path)}: {e.message}" for e in errors[:3]])

    def _validator(self, method: str, template: str, status: int) -> Draft202012Validator | None:
        responses = self.operation(method, template)["responses"]
        response = responses.get(str(status)) or responses.get("default")
        assert response is not None, f"{method} {template} answered {status}, which it does not document"
        if "$ref" in response:
            response = self.document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            return None
        root = {**schema, "components": self.document["components"]}
        return Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
