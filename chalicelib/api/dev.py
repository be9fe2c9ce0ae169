"""Local-only routes: the outbox of every SMS and email SNS would have delivered, and every WeChat notice."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import to_item
from chalicelib.api.operation import ANYONE, Call, operation
from chalicelib.api.params import TO, limit
from chalicelib.domain.errors import NotFound

bp = Blueprint(__name__)


def _bare(phone: str) -> str:
    return phone.strip().removeprefix("+86")


@operation(
    bp,
    "GET",
    "/dev/outbox",
    who=ANYONE,
    response="Outbox",
    errors=(400, 404),
    query=(TO, limit(100, 1000)),
    tag="local only",
)
def outbox(call: Call) -> dict[str, Any]:
    """List sent messages newest first, optionally for one recipient (local stage only)."""
    svc = call.svc
    if not svc.settings.is_local:
        raise NotFound("not found")
    to, most = call.params["to"], call.params["limit"]
    messages = []
    for item in svc.table.query_all(
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues=to_item({":pk": keys.OUTBOX}),
        ScanIndexForward=False,
        Limit=50,  # pages of the newest first: a recipient's recent message is found without reading them all
    ):
        if to and _bare(str(item.get("to", ""))) != _bare(to):
            continue
        message = {k: item[k] for k in ("channel", "to", "subject", "body", "url", "at") if k in item}
        messages.append(message)
        if len(messages) >= most:
            break
    return {"messages": messages}
