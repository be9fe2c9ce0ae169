"""Response shapes of API.md; public output is masked, police-only posts are stubs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.actors import Actor
from chalicelib.domain.masking import mask_text
from chalicelib.domain.nicknames import public_nickname
from chalicelib.domain.times import now_cst

if TYPE_CHECKING:
    from chalicelib.domain.people import Officer, Unit, User
    from chalicelib.domain.posts import Event, Post, Reply

POLICE_ONLY_NOTICE = "该线索仅警方可见"


def _time(moment: datetime | None) -> str | None:
    return now_cst(moment) if moment is not None else None


def sees_original(post: Post, viewer: Actor) -> bool:
    """The author and the police (a link session on its own post only) see a post as written; others masked."""
    return viewer.police_for(post.id) or (viewer.signed_in and viewer.user_id == post.author_id)


def post_out(post: Post, viewer: Actor, now: datetime) -> dict[str, Any]:
    """Render a post for a viewer."""
    original = sees_original(post, viewer)
    title, body = post.title, post.body
    if not original:
        if post.visibility == "police_only":
            title = body = POLICE_ONLY_NOTICE
        else:
            title, body = mask_text(title), mask_text(body)
    return {
        "id": post.id,
        "board": post.board,
        "type": post.type,
        "title": title,
        "body": body,
        "author": {"nickname": public_nickname(post.author_nickname, post.author_id)},
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
    }


def reply_out(reply: Reply, post: Post, viewer: Actor) -> dict[str, Any]:
    """Render a reply; an official one names the officer, title and unit."""
    author: dict[str, Any]
    if reply.official is not None:
        author = {"name": reply.official.name, "title": reply.official.title, "unit": reply.official.unit.model_dump()}
    else:
        author = {"nickname": public_nickname(reply.nickname or "", reply.author_id)}
    original = sees_original(post, viewer) or (viewer.signed_in and viewer.user_id == reply.author_id)
    hidden = post.visibility == "police_only" and not sees_original(post, viewer)
    body = POLICE_ONLY_NOTICE if hidden else reply.body if original else mask_text(reply.body, reply.exempt)
    return {
        "id": reply.id,
        "post_id": reply.post_id,
        "body": body,
        "created_at": _time(reply.created_at),
        "official": reply.official is not None,
        "author": author,
    }


def event_out(event: Event, post: Post | None = None, viewer: Actor | None = None) -> dict[str, Any]:
    """Render a timeline entry; the public sees it masked, and a police-only post's without officers' notes."""
    text = event.text
    if post is not None and viewer is not None and not sees_original(post, viewer):
        text = mask_text(text)
        if post.visibility == "police_only":
            text = text.split(":", 1)[0]  # "…将状态改为处置中:<note>" keeps only what a stub may say
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
