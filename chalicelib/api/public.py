"""The answers of `GET /posts` and `GET /posts/{id}`, built once for the routes and for the public copies the
publisher writes (services.publish): a copy is the API's answer to an anonymous reader, byte for byte."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from chalicelib.api.render import build, event_out, post_out, post_summary_out, reply_out, written
from chalicelib.api.shapes import out
from chalicelib.domain.actors import ANONYMOUS, Actor

if TYPE_CHECKING:
    from chalicelib.services.feeds import Feed
    from chalicelib.services.ports import PostDetail


def feed_out(feed: Feed, viewer: Actor, now: datetime) -> out.Feed:
    """Render a page of a feed: pins (first page only), then the posts, and the next cursor."""
    return build(
        out.Feed,
        pinned=[post_summary_out(p, viewer, now) for p in feed.pinned],
        posts=[post_summary_out(p, viewer, now) for p in feed.posts],
        next_cursor=feed.next_cursor,
    )


def detail_out(detail: PostDetail, viewer: Actor, now: datetime) -> out.PostDetail:
    """Render a post's page: the post, its replies and its timeline."""
    return build(
        out.PostDetail,
        post=post_out(detail.post, viewer, now),
        replies=[reply_out(r, detail.post, viewer) for r in detail.replies],
        timeline=[event_out(e, detail.post, viewer) for e in detail.events],
    )


def _json(body: object) -> bytes:
    """Write a body as api.http.ok does."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class AnonymousRender:
    """The public copies' contents (services.publish.PublicRender): what an anonymous reader is answered."""

    def feed(self, feed: Feed, now: datetime) -> bytes:
        return _json(written(feed_out(feed, ANONYMOUS, now)))

    def detail(self, detail: PostDetail, now: datetime) -> bytes:
        return _json(written(detail_out(detail, ANONYMOUS, now)))
