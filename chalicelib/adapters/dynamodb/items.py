"""Convert domain objects to table items and back; index attributes are set here."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.domain import work
from chalicelib.domain.boards import BOARDS
from chalicelib.domain.cards import card_text
from chalicelib.domain.parts import BodySizes
from chalicelib.domain.people import Officer, Unit, User
from chalicelib.domain.posts import Event, Post, Reply, epoch_ms

_INDEX_ATTRS = tuple(f"GSI{n}{part}" for n in (1, 2, 3, 5, 6, 7, 8, 9, 10) for part in ("PK", "SK"))
FEED_INDEX, BOARD_INDEX = "GSI8", "GSI10"  # the public feeds, every board's and one board's (keys.py 3, 4)
# What the feed indexes project besides the keys: what a card shows (api/render.py post_summary_out), with the
# head of the body (domain/cards.py) for the body. Equal to the NonKeyAttributes of GSI8 and GSI10 in
# infra/stateful.json (tests/integration/test_infra.py).
CARD_ATTRS = (
    "board",
    "type",
    "title",
    "body_head",
    "body_length",
    "body_masked_length",
    "author_id",
    "author_nickname",
    "district",
    "status",
    "visibility",
    "pin",
    "created_at",
    "updated_at",
    "first_response_due",
    "assigned_unit",
    "reply_count",
    "version",
    "urgent",
    "first_official_reply_at",
    "awaiting_feedback",
    "satisfied",
    "hidden",
    "via",
    "photos",
    "refused_photos",
    "location",
    "address",
)
FEED_KEYS = ("GSI8PK", "GSI8SK", "GSI10PK", "GSI10SK")
# Attributes of a post not stored while they hold their default (rebuilding the post gives the default back): a
# card is read on every feed page, and these are most posts' values. Never one a condition or a filter reads.
OMITTED_AT_DEFAULT = ("hidden", "urgent", "awaiting_feedback", "photos", "refused_photos", "visibility")


def feed_key(post: Post) -> str:
    """Return the sort key of a post in the feed indexes."""
    return keys.epoch_ms_key(epoch_ms(post.created_at), post.id)


def post_id_of_feed_key(key: str) -> str:
    """Return the post id a feed sort key names."""
    return key.split("#", 1)[1]


def pinned_now(post: Post, now: datetime | None = None) -> bool:
    """Tell whether a post sorts as pinned when written at `now` (by default its update time): a pin in force
    on a post shown. A pin that lapses later is put back in its place by the feed read (adapters/dynamodb/posts.py)."""
    return not post.hidden and post.pin is not None and post.pin.active(now or post.updated_at)


def feed_keys(post: Post, now: datetime | None = None) -> dict[str, str]:
    """Return the post's keys in the public feeds (GSI8: every board, GSI10: its board), none while hidden: a pin
    in force sorts it ahead of every post (keys.pinned_key), a global pin in both, a board pin on its board only."""
    if post.hidden:
        return {}
    sort = feed_key(post)
    pinned = sort
    if pinned_now(post, now) and post.pin is not None:
        pinned = keys.pinned_key(post.pin.scope == "global", epoch_ms(post.pin.at), post.id)
    everywhere = pinned if post.pin is not None and post.pin.scope == "global" else sort
    return {"GSI8PK": keys.FEED, "GSI8SK": everywhere, "GSI10PK": keys.board_pk(post.board), "GSI10SK": pinned}


def _at_default(post: Post) -> dict[str, None]:
    """Return the attributes not stored because they hold their default (None: a save removes them)."""
    return {name: None for name in OMITTED_AT_DEFAULT if getattr(post, name) == Post.model_fields[name].get_default()}


def card_attrs(post: Post) -> dict[str, Any]:
    """Return the attributes of a post's card the feed indexes project, the head of its body for its body (the
    masked body's length only where masking changed it); None for one not stored."""
    data = post.model_dump(mode="json", include=set(CARD_ATTRS) & set(Post.model_fields))
    if post.location is not None:  # DynamoDB takes numbers as Decimal, never float
        data["location"] = {"lat": Decimal(str(post.location.lat)), "long": Decimal(str(post.location.long))}
    text = card_text(post.title, post.body)
    masked = text.masked_length if text.masked_length != text.length else None
    data.update(body_head=text.head, body_length=text.length, body_masked_length=masked)
    data.update(_at_default(post))
    return data


def copy_boards(post: Post, now: datetime | None = None) -> tuple[str, ...]:
    """Return the boards whose feed holds a copy of the post's card: every other board while a global pin holds."""
    if not pinned_now(post, now) or post.pin is None or post.pin.scope != "global":
        return ()
    return tuple(board.id for board in BOARDS if board.id != post.board)


def copied_anywhere(post: Post) -> bool:
    """Tell whether a post may have copies in other boards' feeds: it carries a global pin (held or lapsed)."""
    return post.pin is not None and post.pin.scope == "global"


def other_boards(post: Post) -> tuple[str, ...]:
    return tuple(board.id for board in BOARDS if board.id != post.board)


def pin_copy_items(post: Post, now: datetime | None = None) -> list[dict[str, Any]]:
    """Return the copies of a globally pinned post's card in every other board's feed (GSI10), ahead of its posts."""
    boards = copy_boards(post, now)
    if not boards:
        return []
    card = card_attrs(post)
    sort = feed_keys(post, now)["GSI10SK"]
    return [
        {
            **card,
            "PK": keys.pin_copy_pk(post.id),
            "SK": keys.board_pk(board),
            "item_type": "pin_copy",
            "GSI10PK": keys.board_pk(board),
            "GSI10SK": sort,
        }
        for board in boards
    ]


def pin_copy_key(post_id: str, board: str) -> dict[str, str]:
    """Return the table key of a post's copy in a board's feed."""
    return {"PK": keys.pin_copy_pk(post_id), "SK": keys.board_pk(board)}


def card_from(item: dict[str, Any]) -> Post:
    """Rebuild a feed card from a feed index entry (the post's own or a copy): the body is only its head."""
    post_id = str(item["PK"]).split("#", 1)[1]
    fields = {k: v for k, v in item.items() if k in Post.model_fields}
    length = int(item["body_length"])
    sizes = BodySizes(length=length, masked_length=int(item.get("body_masked_length", length)))
    return Post.model_validate({**fields, "id": post_id, "body": item["body_head"], "head_of": sizes})


def post_item(post: Post, now: datetime | None = None) -> dict[str, Any]:
    """Return the META item of a post with its index attributes, its feed keys as at `now` (by default its update
    time). A feed card (`head_of`) holds only the head of its body and is never written back."""
    if post.head_of is not None:
        raise ValueError(f"post {post.id} is a feed card: its body is a head only")
    data = post.model_dump(mode="json")
    data.update(card_attrs(post))
    data.update(PK=keys.post_pk(post.id), SK=keys.META, item_type="post")
    sort = feed_key(post)
    if not post.hidden:
        data.update(GSI1PK=keys.FEED, GSI1SK=sort, GSI2PK=keys.board_pk(post.board), GSI2SK=sort)
    data.update(feed_keys(post, now))
    data.update(GSI3PK=keys.author_pk(post.author_id), GSI3SK=sort)
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
