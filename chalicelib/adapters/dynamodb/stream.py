"""Read the table's stream records (Lambda's DynamoDB event) as the posts they change (services.publish)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.services.publish import PostChange


def _text(image: Mapping[str, Any] | None, name: str) -> str | None:
    value = (image or {}).get(name)
    return value.get("S") if isinstance(value, dict) else None


def _global_pin(image: Mapping[str, Any] | None) -> bool:
    pin = (image or {}).get("pin")
    scope = pin.get("M", {}).get("scope") if isinstance(pin, dict) else None
    return isinstance(scope, dict) and scope.get("S") == "global"


def post_changes(records: Iterable[Mapping[str, Any]]) -> list[PostChange]:
    """Return a change for each record of a post's partition (its item, a reply, a timeline entry); other
    partitions (accounts, limits, figures, ledgers) change nothing the public reads. The images say only
    where the post was and is shown (boards, a global pin): what is written is read again from the table."""
    changes = []
    for record in records:
        stream = record.get("dynamodb", {})
        post_id = keys.post_id_of_pk(_text(stream.get("Keys"), "PK") or "")
        if post_id is None:
            continue
        images = [stream.get("OldImage"), stream.get("NewImage")]
        if _text(stream.get("Keys"), "SK") != keys.META:
            images = []  # a reply or a timeline entry: the post's own item says where it shows
        boards = frozenset(board for board in (_text(image, "board") for image in images) if board)
        changes.append(PostChange(post_id, boards, any(_global_pin(image) for image in images)))
    return changes
