"""Local-only routes: the outbox of every SMS and email SNS would have delivered."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import to_item
from chalicelib.api.http import http_errors, ok, query, query_int
from chalicelib.bootstrap import services
from chalicelib.domain.errors import NotFound

bp = Blueprint(__name__)


def _bare(phone: str) -> str:
    return phone.strip().removeprefix("+86")


@bp.route("/dev/outbox", methods=["GET"])
@http_errors
def outbox() -> Response:
    """List sent messages newest first, optionally for one recipient (local stage only)."""
    svc = services()
    if not svc.settings.is_local:
        raise NotFound("not found")
    request = bp.current_request
    limit = query_int(request, "limit", 100, 1, 1000)
    params = query(request)
    to = params.get("to")
    messages = []
    for item in svc.table.query_all(
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues=to_item({":pk": keys.OUTBOX}),
        ScanIndexForward=False,
        Limit=50,  # pages of the newest first: a recipient's recent message is found without reading them all
    ):
        if to and _bare(str(item.get("to", ""))) != _bare(to):
            continue
        message = {k: item[k] for k in ("channel", "to", "subject", "body", "at") if k in item}
        messages.append(message)
        if len(messages) >= limit:
            break
    return ok({"messages": messages})
