"""Publishing a post through the Chalice test client, for the tests that need one to act on."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api

# A report in 昆都仑区: routed to the Kunqu station by the test directory (tests/conftest.py).
REPORT = {
    "board": "report",
    "type": "report",
    "title": "可疑人员",
    "body": "小区门口有可疑人员徘徊",
    "district": "昆都仑区",
}


def publish(api: Api, token: str | None, body: dict[str, Any]) -> dict[str, Any]:
    """POST /posts with this body; assert it was published and return the post."""
    status, data, _ = api.call("POST", "/posts", body, token=token)
    assert status == 201, data
    return dict(data)


def new_post(api: Api, token: str | None, **fields: Any) -> dict[str, Any]:
    """Publish a post (REPORT unless `fields` say otherwise) and return it."""
    return publish(api, token, {**REPORT, **fields})
