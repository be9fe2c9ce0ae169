"""Convert domain objects to table items and back; index attributes are set here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.domain import work
from chalicelib.domain.people import Officer, Unit, User
from chalicelib.domain.posts import Event, Post, Reply, epoch_ms

_INDEX_ATTRS = tuple(f"GSI{n}{part}" for n in (*range(1, 8), 9) for part in ("PK", "SK"))


def feed_key(post: Post) -> str:
    """Return the sort key of a post in the feed indexes."""
    return keys.epoch_ms_key(epoch_ms(post.created_at), post.id)


def post_id_of_feed_key(key: str) -> str:
    """Return the post id a feed sort key names."""
    return key.split("#", 1)[1]


def post_item(post: Post) -> dict[str, Any]:
    """Return the META item of a post with its index attributes."""
    data = post.model_dump(mode="json")
    if post.location is not None:  # DynamoDB takes numbers as Decimal, never float
        data["location"] = {"lat": Decimal(str(post.location.lat)), "long": Decimal(str(post.location.long))}
    data.update(PK=keys.post_pk(post.id), SK=keys.META, item_type="post")
    sort = feed_key(post)
    if not post.hidden:
        data.update(GSI1PK=keys.FEED, GSI1SK=sort, GSI2PK=keys.board_pk(post.board), GSI2SK=sort)
    data.update(GSI3PK=keys.author_pk(post.author_id), GSI3SK=sort)
    if post.pin is not None:
        data.update(GSI4PK=keys.PINNED, GSI4SK=keys.epoch_ms_key(epoch_ms(post.pin.at), post.id))
    data.update(due_attrs(post))
    data.update(work_attrs(post))
    if post.awaiting_review:
        data.update(GSI9PK=keys.REVIEW, GSI9SK=review_key(post))
    return data


def due_attrs(post: Post) -> dict[str, str]:
    """Return the post's entry in the sweep's due index (GSI5), or none when the sweep has nothing to do for it."""
    due = post.next_check()
    if due is None:
        return {}
    return {"GSI5PK": keys.DUE, "GSI5SK": keys.epoch_ms_key(epoch_ms(due), post.id)}


def review_key(post: Post) -> str:
    """Return the sort key of a post in the review queue: since when it waits (held before: its creation)."""
    return keys.epoch_ms_key(epoch_ms(post.review_since or post.created_at), post.id)


def work_attrs(post: Post) -> dict[str, str]:
    """Return the workbench index attributes of a post (GSI6: its unit's bucket, GSI7: every unit's), or none."""
    place = work.slot(post)
    if place is None or post.assigned_unit is None:
        return {}
    sort = keys.epoch_ms_key(epoch_ms(place.at), post.id)
    return {
        "GSI6PK": keys.work_pk(post.assigned_unit.id, place.bucket),
        "GSI6SK": sort,
        "GSI7PK": keys.work_pk(keys.ALL_UNITS, place.bucket),
        "GSI7SK": sort,
    }


WORK_ATTRS = ("GSI6PK", "GSI6SK", "GSI7PK", "GSI7SK")


def index_attrs() -> tuple[str, ...]:
    """Return the names of every index attribute a post item may carry."""
    return _INDEX_ATTRS


def post_from(item: dict[str, Any]) -> Post:
    """Rebuild a post from its META item."""
    return Post.model_validate({k: v for k, v in item.items() if k in Post.model_fields})


def reply_item(reply: Reply) -> dict[str, Any]:
    data = reply.model_dump(mode="json")
    sort = keys.reply_sk(epoch_ms(reply.created_at), reply.id)
    data.update(PK=keys.post_pk(reply.post_id), SK=sort, item_type="reply")
    return data


def reply_from(item: dict[str, Any]) -> Reply:
    return Reply.model_validate({k: v for k, v in item.items() if k in Reply.model_fields})


def event_item(post_id: str, event: Event) -> dict[str, Any]:
    data = event.model_dump(mode="json")
    data.update(PK=keys.post_pk(post_id), SK=keys.event_sk(epoch_ms(event.at), event.id), item_type="event")
    data.update(post_id=post_id, GSI1PK=keys.UPDATES, GSI1SK=keys.epoch_ms_key(epoch_ms(event.at), event.id))
    return data


def event_from(item: dict[str, Any]) -> Event:
    return Event.model_validate({k: v for k, v in item.items() if k in Event.model_fields})


def user_items(user: User) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the phone item and the profile item of an account."""
    data = user.model_dump(mode="json")
    return (
        {**data, "PK": keys.phone_pk(user.phone), "SK": "USER", "item_type": "user_phone"},
        {**data, "PK": keys.user_pk(user.id), "SK": "PROFILE", "item_type": "user"},
    )


def user_from(item: dict[str, Any]) -> User:
    return User.model_validate({k: v for k, v in item.items() if k in User.model_fields})


def unit_item(unit: Unit) -> dict[str, Any]:
    """Return a unit's item; it sits in its officers' partition of GSI2 too, so a dispatch reads both at once."""
    return {
        **unit.model_dump(mode="json"),
        "PK": keys.DIR,
        "SK": keys.unit_sk(unit.id),
        "item_type": "unit",
        "GSI2PK": keys.unit_officers_pk(unit.id),
        "GSI2SK": "UNIT",
    }


def unit_from(item: dict[str, Any]) -> Unit:
    return Unit.model_validate({k: v for k, v in item.items() if k in Unit.model_fields})


def officer_item(officer: Officer) -> dict[str, Any]:
    sk = keys.officer_sk(officer.id)
    return {
        **officer.model_dump(mode="json"),
        "PK": keys.DIR,
        "SK": sk,
        "item_type": "officer",
        "GSI1PK": keys.officer_phone_pk(officer.phone),
        "GSI1SK": sk,
        "GSI2PK": keys.unit_officers_pk(officer.unit_id),
        "GSI2SK": sk,
    }


def officer_from(item: dict[str, Any]) -> Officer:
    return Officer.model_validate({k: v for k, v in item.items() if k in Officer.model_fields})
