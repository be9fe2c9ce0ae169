"""Response shapes of API.md; public output is masked, police-only and hidden posts are stubs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.actors import Actor
from chalicelib.domain.incidents import CAD_EVENTS
from chalicelib.domain.masking import mask_text, mask_title_and_body
from chalicelib.domain.nicknames import public_nickname
from chalicelib.domain.times import now_cst

if TYPE_CHECKING:
    from chalicelib.domain.people import Officer, Unit, User
    from chalicelib.domain.posts import Event, Post, Reply

POLICE_ONLY_NOTICE = "该线索仅警方可见"
HIDDEN_NOTICE = "该帖子已被隐藏"
ANONYMOUS_NICKNAME = "匿名"
# What the public reads on the timeline of a withheld post, by kind: never a note, a name or a reason.
PUBLIC_EVENT_TEXT = {
    "received": "已收悉",
    "acknowledged": "已受理",
    "in_progress": "处置中",
    "resolved": "已办结",
    "reopened": "重新办理",
    "replied": "民警已回复",
    "escalated": "已督办",
    "rated": "发帖人已评价",
    **{f"cad_{event}": words for event, (words, _) in CAD_EVENTS.items()},
}


def _time(moment: datetime | None) -> str | None:
    return now_cst(moment) if moment is not None else None


def sees_original(post: Post, viewer: Actor) -> bool:
    """The author and the police (a link session on its own post only) see a post as written; others masked."""
    return viewer.police_for(post.id) or (viewer.signed_in and viewer.user_id == post.author_id)


def withheld(post: Post, viewer: Actor) -> bool:
    """Tell whether a viewer gets only the stub: a police-only or hidden post, seen by someone not seeing it whole."""
    return (post.visibility == "police_only" or post.hidden) and not sees_original(post, viewer)


def post_out(post: Post, viewer: Actor, now: datetime) -> dict[str, Any]:
    """Render a post for a viewer; a withheld one has no title, body or author."""
    original = sees_original(post, viewer)
    title, body = post.title, post.body
    if withheld(post, viewer):
        title = body = POLICE_ONLY_NOTICE if post.visibility == "police_only" else HIDDEN_NOTICE
    elif not original:
        title, body = mask_title_and_body(title, body)
    return {
        "id": post.id,
        "board": post.board,
        "type": post.type,
        "title": title,
        "body": body,
        "author": {
            "nickname": ANONYMOUS_NICKNAME
            if withheld(post, viewer)
            else public_nickname(post.author_nickname, post.author_id)
        },
        "district": post.district,
        "status": post.status,
        "visibility": post.visibility,
        "pinned": post.pinned_at(now),
        "created_at": _time(post.created_at),
        "updated_at": _time(post.updated_at),
        "first_response_due": _time(post.first_response_due),
        "assigned_unit": post.assigned_unit.model_dump() if post.assigned_unit else None,
        "reply_count": post.reply_count,
        "version": post.version,
        "urgent": post.urgent,
        "answered": post.first_official_reply_at is not None,
        "first_official_reply_at": _time(post.first_official_reply_at),
        **(
            {"mine": True, "awaiting_feedback": post.awaiting_feedback, "satisfied": post.satisfied}
            if viewer.signed_in and viewer.user_id == post.author_id
            else {}
        ),
        **({"hidden": True, "hidden_reason": post.hidden_reason} if post.hidden and original else {}),
        **({"via": {"name": post.via.name}} if post.via is not None else {}),
    }


def reply_out(reply: Reply, post: Post, viewer: Actor) -> dict[str, Any]:
    """Render a reply; an official one names the officer, title and unit; on a withheld post no text or nickname."""
    hidden = withheld(post, viewer)
    author: dict[str, Any]
    if reply.official is not None:
        author = {"name": reply.official.name, "title": reply.official.title, "unit": reply.official.unit.model_dump()}
    else:
        author = {"nickname": ANONYMOUS_NICKNAME if hidden else public_nickname(reply.nickname or "", reply.author_id)}
    original = sees_original(post, viewer) or (viewer.signed_in and viewer.user_id == reply.author_id)
    body = POLICE_ONLY_NOTICE if hidden else reply.body if original else mask_text(reply.body, reply.exempt)
    return {
        "id": reply.id,
        "post_id": reply.post_id,
        "body": body,
        "created_at": _time(reply.created_at),
        "official": reply.official is not None,
        "author": author,
    }


def public_event_text(event: Event) -> str:
    """Return the fixed wording of a timeline entry of a withheld post: its kind, and the unit it went to."""
    if event.kind == "dispatched":
        return f"已派至{event.unit.name}" if event.unit is not None else "已派至处置单位"
    return PUBLIC_EVENT_TEXT.get(event.kind, "办理进展已更新")


def event_out(event: Event, post: Post | None = None, viewer: Actor | None = None) -> dict[str, Any]:
    """Render a timeline entry; the public sees it masked, and a withheld post's in fixed words only."""
    text = event.text
    if post is not None and viewer is not None and not sees_original(post, viewer):
        text = public_event_text(event) if withheld(post, viewer) else mask_text(text)
    out: dict[str, Any] = {"at": _time(event.at), "kind": event.kind, "text": text}
    if event.unit is not None:
        out["unit"] = event.unit.model_dump()
    return out


def unit_out(unit: Unit, officers: list[Officer] | None = None) -> dict[str, Any]:
    """Render a unit of the public directory with its published contacts."""
    out: dict[str, Any] = {
        "id": unit.id,
        "name": unit.name,
        "kind": unit.kind,
        "district": unit.district,
        "parent_id": unit.parent_id,
        "public_contact": unit.public_contact,
    }
    if officers is not None:
        out["officers"] = [
            {"name": o.name, "title": o.title, "public_contact": o.public_contact} for o in officers if o.public_contact
        ]
    return out


def user_out(user: User, directory: Any = None) -> dict[str, Any]:
    """Render the caller's own account; an officer's carries title and unit from the directory."""
    out: dict[str, Any] = {"id": user.id, "nickname": user.nickname, "role": user.role}
    if user.role != "citizen" and directory is not None:
        officer = directory.officer(user.id)
        unit = directory.unit(officer.unit_id) if officer else None
        if officer is not None:
            out["title"] = officer.title
        if unit is not None:
            out["unit"] = {"id": unit.id, "name": unit.name, "kind": unit.kind}
    return out
