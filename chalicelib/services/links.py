"""Short reply links: a random code in the link, only its hash in the table (SMS stays short)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from chalicelib.domain.errors import Unauthenticated
from chalicelib.services.ports import LinkStore, ReplyLink

LINK_TTL = timedelta(hours=72)
_BAD_LINK = "链接无效或已过期"


def code_hash(code: str) -> str:
    """Return the stored form of a link code."""
    return hashlib.sha256(code.encode()).hexdigest()


def issue_link(store: LinkStore, officer_id: str, post_id: str, now: datetime, sessions: str = "") -> str:
    """Make a new 128-bit link code for an officer and a post (under the officer's session stamp); return it."""
    code = secrets.token_urlsafe(16)
    store.put(code_hash(code), ReplyLink(officer_id, post_id, now + LINK_TTL, sessions))
    return code


def issue_links(store: LinkStore, officers: Sequence[tuple[str, str]], post_id: str, now: datetime) -> dict[str, str]:
    """Make a link code for each (officer id, session stamp) on one post, stored at once; return id -> code."""
    codes = {officer_id: secrets.token_urlsafe(16) for officer_id, _ in officers}
    store.put_many({code_hash(codes[o]): ReplyLink(o, post_id, now + LINK_TTL, sessions) for o, sessions in officers})
    return codes


def resolve_link(store: LinkStore, code: object, now: datetime) -> ReplyLink:
    """Return the link a code stands for, or refuse a bad or expired one with 401."""
    if not isinstance(code, str) or not 16 <= len(code) <= 64 or not code.replace("-", "").replace("_", "").isalnum():
        raise Unauthenticated(_BAD_LINK)
    link = store.get(code_hash(code))
    if link is None or link.expires_at <= now:
        raise Unauthenticated(_BAD_LINK)
    return link
