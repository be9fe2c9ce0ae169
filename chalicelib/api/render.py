"""Render the domain as the response models of responses.py; public output is masked, police-only and hidden
posts are stubs. Input is trusted, so models are built without validation (`build`); a field a viewer
must not see is left out, and stays absent from the answer."""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from chalicelib.api.shapes import out
from chalicelib.domain import access
from chalicelib.domain.actors import Actor
from chalicelib.domain.boards import POLICE_ONLY_TYPES
from chalicelib.domain.cards import EXCERPT_CHARS
from chalicelib.domain.incidents import CAD_EVENTS
from chalicelib.domain.masking import mask_text, mask_title_and_body
from chalicelib.domain.nicknames import public_nickname
from chalicelib.domain.status import STATUS_NAMES

if TYPE_CHECKING:
    from pydantic import BaseModel

    from chalicelib.domain.people import Officer, Unit, User
    from chalicelib.domain.photos import Photo
    from chalicelib.domain.posts import Event, Post, Reply, UnitRef

POLICE_ONLY_NOTICE = "该线索仅警方可见"
HIDDEN_NOTICE = "该帖子已被隐藏"
ANONYMOUS_NICKNAME = "匿名"
ROUTING_WORDS = {"dispatched": "已分派至", "transferred": "已转交"}
# What the public reads on the timeline of a withheld post, by kind: never a note, a name or a reason.
PUBLIC_EVENT_TEXT = {
    **{status: name for status, name in STATUS_NAMES.items() if status not in (*ROUTING_WORDS, "hidden")},
    "replied": "民警已回复",
    "escalated": "已督办",
    "rated": "发帖人已评价",
    **{f"cad_{event}": words for event, (words, _) in CAD_EVENTS.items()},
}


def routing_text(event: Event) -> str:
    """Say where a post was routed (已分派至<unit> or 已转交<unit>): routing is not a police dispatch."""
    return ROUTING_WORDS[event.kind] + (event.unit.name if event.unit is not None else "处置单位")


Shape = TypeVar("Shape", bound="BaseModel")
_set = object.__setattr__


@functools.cache
def _fields(shape: type[BaseModel]) -> tuple[tuple[str, Any], ...]:
    return tuple(
        (name, None if info.is_required() else info.get_default(call_default_factory=True))
        for name, info in shape.model_fields.items()
    )


def build(shape: type[Shape], **fields: Any) -> Shape:
    """Build a response model from trusted values: `model_construct`, at a third of its cost on a feed.
    Only the fields given count as set; the others keep their defaults and are not written."""
    model = shape.__new__(shape)
    _set(model, "__dict__", {name: fields.get(name, default) for name, default in _fields(shape)})
    _set(model, "__pydantic_fields_set__", set(fields))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


def written(shape: BaseModel) -> dict[str, Any]:
    """Return a response model as the API writes it: JSON types, aliases, and no field it was not given."""
    return shape.model_dump(mode="json", by_alias=True, exclude_unset=True)


def _unit_ref(unit: UnitRef) -> out.UnitRef:
    if unit.name_en is None:  # absent, as the domain writes it
        return build(out.UnitRef, id=unit.id, name=unit.name)
    return build(out.UnitRef, id=unit.id, name=unit.name, name_en=unit.name_en)


def _post_fields(post: Post, viewer: Actor, now: datetime) -> dict[str, Any]:
    """Return the fields of a post as a viewer sees it; a withheld one has no title, body or author."""
    original = access.sees_whole(viewer, post)
    title, body = post.title, post.body
    if access.withheld(viewer, post):
        title = body = POLICE_ONLY_NOTICE if post.visibility == "police_only" else HIDDEN_NOTICE
    elif not original:
        title, body = mask_title_and_body(title, body)
    nickname = (
        ANONYMOUS_NICKNAME if access.withheld(viewer, post) else public_nickname(post.author_nickname, post.author_id)
    )
    fields: dict[str, Any] = {
        "id": post.id,
        "board": post.board,
        "type": post.type,
        "title": title,
        "body": body,
        "author": build(out.CitizenAuthor, nickname=nickname),
        "district": post.district,
        "status": None if post.type in POLICE_ONLY_TYPES else post.status,  # a police notice tracks no work
        "visibility": post.visibility,
        "pinned": post.is_pinned(now),
        "created_at": post.created_at,
        "updated_at": post.updated_at,
        "first_response_due": post.first_response_due,
        "assigned_unit": _unit_ref(post.assigned_unit) if post.assigned_unit else None,
        "reply_count": post.reply_count,
        "version": post.version,
        "urgent": post.urgent,
        "answered": post.first_official_reply_at is not None,
        "first_official_reply_at": post.first_official_reply_at,
    }
    if viewer.signed_in and viewer.user_id == post.author_id:
        fields.update(mine=True, awaiting_feedback=post.awaiting_feedback, satisfied=post.satisfied)
    if post.hidden and original:
        fields.update(hidden=True, hidden_reason=post.hidden_reason)
    if post.via is not None:
        fields["via"] = build(out.Partner, name=post.via.name)
    if not access.withheld(viewer, post):
        fields.update(_place(post, original))
        fields["photos"] = photos_out(post.photos, post)
        if post.refused_photos:
            fields["photos_refused"] = list(post.refused_photos)
    return fields


def _place(post: Post, original: bool) -> dict[str, Any]:
    """Where the post is about: exact for those who see it whole, about 100 m (and the address masked) for others."""
    fields: dict[str, Any] = {}
    if post.location is not None:
        where = post.location if original else post.location.rounded()
        fields["location"] = build(out.Location, lat=where.lat, long=where.long)
    if post.address:
        fields["address"] = post.address if original else mask_text(post.address)
    return fields


def photos_out(photos: tuple[Photo, ...], post: Post) -> list[out.Photo]:
    """Render photos a viewer may see: public, long-cached copies while the post is public and visible; signed,
    short-lived links otherwise (the viewer sees the post whole, or it would be withheld)."""
    if not photos:
        return []
    from chalicelib.bootstrap import services  # the storage signs links; built once per process

    links = services().photos.links
    shown = []
    for photo in photos:
        thumb, full = links(photo, post.shown_publicly)
        shown.append(build(out.Photo, id=photo.id, thumb_url=thumb, url=full, width=photo.width, height=photo.height))
    return shown


def post_out(post: Post, viewer: Actor, now: datetime) -> out.Post:
    """Render a post for a viewer."""
    return build(out.Post, **_post_fields(post, viewer, now))


def new_post_out(post: Post, viewer: Actor, now: datetime, notice: str) -> out.NewPost:
    """Render a post just created; an urgent one carries the notice to call 110."""
    fields = _post_fields(post, viewer, now)
    if post.urgent:
        fields["notice"] = notice
    return build(out.NewPost, **fields)


# A cut looks for the last clause end (else space) in the excerpt's final stretch, so a card ends on a whole clause.
CLAUSE_ENDS = "。！？；，、!?;：)）」』】"  # not "." "," ":" (3.5, 1,000, 12:30); English gets a space
SPACES = " \n\t\u3000"
BREAK_WINDOW = 30
_WORDISH = re.compile(r"[A-Za-z0-9*]")
JOINERS = frozenset({"\u200d", "\ufe0e", "\ufe0f"})


def _joins_previous(char: str) -> bool:
    """A character that belongs to the one before it (combining mark, joiner, variation selector, skin tone)."""
    return char in JOINERS or unicodedata.combining(char) > 0 or "\U0001f3fb" <= char <= "\U0001f3ff"


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> tuple[str, bool]:
    """Cut text for a feed card: at most `limit` characters, at a clause or word where one is near, never
    inside a character sequence (emoji with joiners, combining marks); return (excerpt, whether it was cut)."""
    if len(text) <= limit:
        return text, False
    end = limit
    while end > 0 and (_joins_previous(text[end]) or text[end - 1] == "\u200d"):
        end -= 1
    floor = max(0, end - BREAK_WINDOW)
    start = end
    while start > floor and _WORDISH.match(text[start - 1]) and _WORDISH.match(text[start]):
        start -= 1  # never half a number, a word or a masked run ("139****5678")
    if start > floor:
        end = start
    head = text[:end]
    for marks in (CLAUSE_ENDS, SPACES):  # a clause's end if one is near, else a space
        best = max(head.rfind(mark, floor) for mark in marks)
        if best > 0:
            head = head[: best + 1]
            break
    return head.rstrip(), True


def post_summary_out(post: Post, viewer: Actor, now: datetime) -> out.PostSummary:
    """Render a post for a list (the feed, my posts): the body as an excerpt of the text the viewer may read.
    A feed card read from its index holds the head of the body only (`Post.head_of`, domain/cards.py): its
    excerpt is the whole body's, and the body's length comes with it."""
    fields = _post_fields(post, viewer, now)
    fields["body_length"] = len(fields["body"])
    if post.head_of is not None and not access.withheld(viewer, post):
        whole = access.sees_whole(viewer, post)
        fields["body_length"] = post.head_of.length if whole else post.head_of.masked_length
    fields["body"], fields["truncated"] = excerpt(fields["body"])
    return build(out.PostSummary, **fields)


def reply_out(reply: Reply, post: Post, viewer: Actor) -> out.Reply:
    """Render a reply; an official one names the officer, title and unit; on a withheld post no text or nickname."""
    hidden = access.withheld(viewer, post)
    author: out.OfficialAuthor | out.CitizenAuthor
    if reply.official is not None:
        official = reply.official
        author = build(out.OfficialAuthor, name=official.name, title=official.title, unit=_unit_ref(official.unit))
    else:
        nickname = ANONYMOUS_NICKNAME if hidden else public_nickname(reply.nickname or "", reply.author_id)
        author = build(out.CitizenAuthor, nickname=nickname)
    original = access.sees_whole(viewer, post) or (viewer.signed_in and viewer.user_id == reply.author_id)
    body = POLICE_ONLY_NOTICE if hidden else reply.body if original else mask_text(reply.body, reply.exempt)
    fields: dict[str, Any] = {
        "id": reply.id,
        "post_id": reply.post_id,
        "body": body,
        "created_at": reply.created_at,
        "official": reply.official is not None,
        "author": author,
    }
    if reply.official is not None and reply.template and not hidden:
        fields["template"] = reply.template
    if not hidden:
        fields["photos"] = photos_out(reply.photos, post)
        if reply.refused_photos:
            fields["photos_refused"] = list(reply.refused_photos)
    return build(out.Reply, **fields)


def public_event_text(event: Event) -> str:
    """Return the fixed wording of a timeline entry of a withheld post: its kind, and the unit it went to."""
    if event.kind in ROUTING_WORDS:
        return routing_text(event)
    return PUBLIC_EVENT_TEXT.get(event.kind, "办理进展已更新")


def event_out(event: Event, post: Post | None = None, viewer: Actor | None = None) -> out.Event:
    """Render a timeline entry; the public sees it masked, and a withheld post's in fixed words only."""
    text = event.text
    if post is not None and viewer is not None and not access.sees_whole(viewer, post):
        text = public_event_text(event) if access.withheld(viewer, post) else mask_text(text)
    if event.unit is None:
        return build(out.Event, at=event.at, kind=event.kind, text=text)
    return build(out.Event, at=event.at, kind=event.kind, text=text, unit=_unit_ref(event.unit))


def unit_out(unit: Unit, officers: list[Officer] | None = None) -> out.Unit:
    """Render a unit of the public directory with its published contacts."""
    fields: dict[str, Any] = {
        "id": unit.id,
        "name": unit.name,
        "kind": unit.kind,
        "district": unit.district,
        "parent_id": unit.parent_id,
        "public_contact": unit.public_contact,
        **({"name_en": unit.name_en} if unit.name_en else {}),
    }
    if officers is not None:
        fields["officers"] = [
            build(out.PublicOfficer, name=o.name, title=o.title, public_contact=o.public_contact)
            for o in officers
            if o.public_contact
        ]
    return build(out.Unit, **fields)


def user_out(user: User, directory: Any = None, shape: Any = None, **extra: Any) -> Any:
    """Render the caller's own account (as `shape`, out.User by default, with `extra` fields); an officer's
    carries title and unit from the directory."""
    fields: dict[str, Any] = {"id": user.id, "nickname": user.nickname, "role": user.role, **extra}
    if user.role != "citizen" and directory is not None:
        officer = directory.officer(user.id)
        unit = directory.unit(officer.unit_id) if officer else None
        if officer is not None:
            fields["title"] = officer.title
        if unit is not None:
            fields["unit"] = build(
                out.UnitOfOfficer,
                id=unit.id,
                name=unit.name,
                kind=unit.kind,
                **({"name_en": unit.name_en} if unit.name_en else {}),
            )
    return build(shape or out.User, **fields)
