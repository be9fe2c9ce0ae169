"""The publisher on fakes: a feed index that lags a change is read again (and the batch fails if it never catches
up), a writer that loses the race to another reads the feed again, and a withdrawn post leaves the edge."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.api.public import AnonymousRender
from chalicelib.domain.commands import NewPost
from chalicelib.services.feeds import Feed, Feeds
from chalicelib.services.publish import PostChange, Publisher, StaleIndex
from tests.fake_public import InMemoryPublicObjects
from tests.unit.services import Station, station
from tests.unit.world import ADMIN, CITIZEN

QUESTION = NewPost(board="qa", type="question", title="户口迁移要带什么材料", body="想把户口迁到青山区。")
LOST_ID = NewPost(board="qa", type="question", title="身份证丢了怎么补办", body="在青山区丢了身份证。")


class LaggingFeeds:
    """The feeds as an index a moment behind: the first `behind` reads leave out the posts named."""

    def __init__(self, feeds: Feeds, left_out: set[str], behind: int) -> None:
        self.feeds, self.left_out, self.behind, self.reads = feeds, left_out, behind, 0

    def feed(self, board: str | None, cursor: str | None, limit: int) -> Feed:
        self.reads += 1
        found = self.feeds.feed(board, cursor, limit)
        if self.reads > self.behind:
            return found
        return Feed(found.pinned, [p for p in found.posts if p.id not in self.left_out], found.next_cursor)


class RacedObjects(InMemoryPublicObjects):
    """A bucket where another writer lands a stale copy between the first read and write of a key."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.raced = key

    def write(self, key: str, body: bytes, etag: str | None, cache_control: str) -> bool:
        if key == self.raced:
            self.raced = ""
            self.objects[key] = b'{"posts":[]}'  # the other writer's older copy
        return super().write(key, body, etag, cache_control)


def publisher(world: Station, objects: InMemoryPublicObjects, feeds: Any = None) -> Publisher:
    svc = world.svc
    return Publisher(
        world.ports["posts"], feeds or svc.feeds, objects, AnonymousRender(), world.clock, pause=lambda _: None
    )


def ids(objects: InMemoryPublicObjects, key: str) -> list[str]:
    return [p["id"] for p in json.loads(objects.objects[key])["posts"]]


def test_a_feed_whose_index_lags_is_read_again_until_it_shows_the_change() -> None:
    world = station()
    post = world.svc.forum.create_post(CITIZEN, QUESTION)
    objects = InMemoryPublicObjects()
    lagging = LaggingFeeds(world.svc.feeds, {post.id}, behind=2)
    publisher(world, objects, lagging).publish([PostChange(post.id)])
    assert ids(objects, "data/feed.json") == [post.id]
    assert ids(objects, "data/feed/qa.json") == [post.id]
    assert f"data/posts/{post.id}.json" in objects.objects


def test_a_batch_fails_when_the_index_never_catches_up_so_the_stream_delivers_it_again() -> None:
    world = station()
    post = world.svc.forum.create_post(CITIZEN, QUESTION)
    objects = InMemoryPublicObjects()
    with pytest.raises(StaleIndex):
        publisher(world, objects, LaggingFeeds(world.svc.feeds, {post.id}, behind=100)).publish([PostChange(post.id)])
    assert "data/feed.json" not in objects.objects  # nothing older than the change was written


def test_a_writer_that_lost_the_race_reads_again_and_leaves_the_newest_copy() -> None:
    world = station()
    post = world.svc.forum.create_post(CITIZEN, QUESTION)
    objects = RacedObjects("data/feed.json")
    publisher(world, objects).publish([PostChange(post.id)])
    assert ids(objects, "data/feed.json") == [post.id]


def test_a_hidden_post_is_withdrawn_from_its_page_and_feeds_and_the_edge_forgets_them() -> None:
    world = station()
    post = world.svc.forum.create_post(CITIZEN, QUESTION)
    objects = InMemoryPublicObjects()
    publish = publisher(world, objects)
    publish.publish([PostChange(post.id)])
    world.svc.moderation.set_hidden(ADMIN, post.id, True, "违规")
    done = publish.publish([PostChange(post.id)])
    assert done.deleted == [f"data/posts/{post.id}.json"]
    assert ids(objects, "data/feed.json") == [] and ids(objects, "data/feed/qa.json") == []
    assert set(objects.invalidated) == {f"/data/posts/{post.id}.json", "/data/feed.json", "/data/feed/qa.json"}
    again = publish.publish([PostChange(post.id)])  # delivered again: nothing more to do
    assert again.deleted == [] and objects.invalidated.count("/data/feed.json") == 1


def test_an_unchanged_copy_is_not_written_again() -> None:
    world = station()
    post = world.svc.forum.create_post(CITIZEN, QUESTION)
    objects = InMemoryPublicObjects()
    publish = publisher(world, objects)
    publish.publish([PostChange(post.id)])
    puts = objects.puts
    publish.publish([PostChange(post.id), PostChange(post.id)])
    assert objects.puts == puts


def test_a_pin_that_ran_out_a_moment_ago_rewrites_the_feeds_that_still_show_it() -> None:
    world = station()
    post = world.svc.forum.create_post(CITIZEN, QUESTION)
    until = world.clock.now() + timedelta(seconds=60)
    world.svc.admin.pin(post.id, "global", until, by=ADMIN)
    objects = InMemoryPublicObjects()
    publish = publisher(world, objects)
    publish.publish([PostChange(post.id)])
    assert json.loads(objects.objects["data/feed/report.json"])["pinned"][0]["id"] == post.id
    assert publish.refresh_feeds().written == []  # still pinned: nothing to do
    world.clock.advance(seconds=120)
    publish.refresh_feeds()
    assert json.loads(objects.objects["data/feed/report.json"])["pinned"] == []
    assert json.loads(objects.objects["data/feed.json"])["posts"][0]["id"] == post.id


def test_a_new_stack_gets_every_feeds_copy_within_a_minute_and_then_nothing_more_is_written() -> None:
    world = station()
    post = world.svc.forum.create_post(CITIZEN, QUESTION)
    objects = InMemoryPublicObjects()
    publish = publisher(world, objects)
    done = publish.refresh_feeds()
    assert len(done.written) == 13 and ids(objects, "data/feed.json") == [post.id]
    assert ids(objects, "data/feed/report.json") == []
    assert publish.refresh_feeds().written == []  # the copies exist: the post's own changes keep them


class HideMeanwhile(InMemoryPublicObjects):
    """A bucket where, as a page of `post_id` is written, a moderator hides the post and the hide's own run
    comes and goes first (it finds no page to delete: this write had not landed yet)."""

    def __init__(self, hide: Any, post_id: str) -> None:
        super().__init__()
        self.hide, self.key = hide, f"data/posts/{post_id}.json"

    def write(self, key: str, body: bytes, etag: str | None, cache_control: str) -> bool:
        if key == self.key and self.hide is not None:
            hide, self.hide = self.hide, None
            hide()
        return super().write(key, body, etag, cache_control)


def test_a_page_written_as_its_post_is_hidden_is_deleted_by_the_writer_itself() -> None:
    world = station()
    post = world.svc.forum.create_post(CITIZEN, QUESTION)
    objects = HideMeanwhile(lambda: world.svc.moderation.set_hidden(ADMIN, post.id, True, "违规"), post.id)
    done = publisher(world, objects).publish([PostChange(post.id)])  # e.g. the minute's refresh, a lapsed pin
    assert f"data/posts/{post.id}.json" not in objects.objects
    assert f"/data/posts/{post.id}.json" in objects.invalidated and post.id not in ids(objects, "data/feed.json")
    assert done.deleted == [f"data/posts/{post.id}.json"]


def test_a_run_that_withdrew_a_page_and_then_failed_still_tells_the_edge() -> None:
    world = station()
    post = world.svc.forum.create_post(CITIZEN, QUESTION)
    objects = InMemoryPublicObjects()
    publisher(world, objects).publish([PostChange(post.id)])
    world.svc.moderation.set_hidden(ADMIN, post.id, True, "违规")
    never = LaggingFeeds(world.svc.feeds, set(), behind=0)
    never.feed = lambda board, cursor, limit: Feed([], [world.ports["posts"].get(post.id)], None)  # type: ignore[method-assign]
    with pytest.raises(StaleIndex):  # the feed index keeps showing the hidden post: the batch comes again
        publisher(world, objects, never).publish([PostChange(post.id)])
    assert f"data/posts/{post.id}.json" not in objects.objects
    assert f"/data/posts/{post.id}.json" in objects.invalidated  # sent although the run failed


class StaleReplica:
    """The feeds as an index replica that still shows a post as it was before it was hidden (`reads` times)."""

    def __init__(self, feeds: Feeds, shown: Any, reads: int) -> None:
        self.feeds, self.shown, self.reads = feeds, shown, reads

    def feed(self, board: str | None, cursor: str | None, limit: int) -> Feed:
        found = self.feeds.feed(board, cursor, limit)
        if self.reads <= 0:
            return found
        self.reads -= 1
        return Feed(found.pinned, sorted([self.shown, *found.posts], key=lambda p: p.created_at, reverse=True), None)


def test_another_posts_run_never_puts_back_the_card_of_a_post_hidden_meanwhile() -> None:
    world = station()
    hidden = world.svc.forum.create_post(CITIZEN, QUESTION)
    objects = InMemoryPublicObjects()
    publisher(world, objects).publish([PostChange(hidden.id)])
    as_was = world.ports["posts"].get(hidden.id)
    world.svc.moderation.set_hidden(ADMIN, hidden.id, True, "违规")
    publisher(world, objects).publish([PostChange(hidden.id)])  # the hide's own run: withdrawn everywhere
    world.clock.advance(seconds=5)
    other = world.svc.forum.create_post(CITIZEN, LOST_ID)
    replica = StaleReplica(world.svc.feeds, as_was, reads=2)  # the next run reads a replica a moment behind
    publisher(world, objects, replica).publish([PostChange(other.id)])
    assert ids(objects, "data/feed.json") == [other.id] and ids(objects, "data/feed/qa.json") == [other.id]
