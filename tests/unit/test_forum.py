"""The forum's use cases on fakes: posting, replying, moving a post along and reading the feed."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from chalicelib.api.render import event_out, post_out, reply_out, written
from chalicelib.domain.errors import (
    Conflict,
    Forbidden,
    NotFound,
    StaleVersion,
    Unauthenticated,
    ValidationFailed,
)
from chalicelib.domain.ids import new_id
from chalicelib.domain.people import Actor
from chalicelib.domain.posts import Event, NewPost, Post, UnitRef
from chalicelib.services.admin import Admin
from chalicelib.services.feeds import Feeds
from chalicelib.services.forum import Forum
from chalicelib.services.lifecycle import Lifecycle
from chalicelib.services.ports import IdempotencyRecord
from tests.fakes import (
    FixedClock,
    InMemoryDirectoryRepository,
    InMemoryIdempotencyStore,
    InMemoryPostRepository,
    InMemoryStatsRepository,
    InterleavedPosts,
    QueuedMessage,
    RecordingDispatchQueue,
)
from tests.unit.world import (
    ADMIN,
    ANONYMOUS,
    CENTER_OFFICER,
    CITIZEN,
    KUNQU_OFFICER,
    LEADER,
    OTHER_CITIZEN,
    QINGFU_OFFICER,
    build_forum,
    build_services,
    build_supervision,
    link_session,
    seeded_directory,
)

NOISE = NewPost(
    board="environment", type="report", title="夜间施工噪音", body="工地每晚施工到凌晨两点。", district="昆都仑区"
)
DRUGS = NewPost(board="anti-drug", type="publicity", title="禁毒知识", body="远离毒品。")


@dataclass
class World:
    forum: Forum
    feeds: Feeds
    lifecycle: Lifecycle
    admin: Admin
    posts: InMemoryPostRepository
    directory: InMemoryDirectoryRepository
    queue: RecordingDispatchQueue
    clock: FixedClock
    stats: InMemoryStatsRepository

    def post(self, actor: Actor = CITIZEN, new: NewPost = NOISE, **changes: str) -> Post:
        """Publish a post, a millisecond after the last one."""
        self.clock.advance(milliseconds=1)
        return self.forum.create_post(actor, replace(new, **changes))

    def assign(self, post_id: str, unit_id: str) -> Post:
        post = self.posts.get(post_id)
        unit = self.directory.unit(unit_id)
        assert post is not None and unit is not None
        assigned, _ = post.assign(UnitRef(id=unit.id, name=unit.name), self.clock.now())
        return self.rewrite(assigned)

    def rewrite(self, post: Post, *events: Event, **changes: object) -> Post:
        """Store a changed copy of a post the way the store writes it: over the version read, bumped."""
        stored = post.model_copy(update={**changes, "version": post.version + 1})
        self.posts.update(stored, post.version, events)
        return stored

    def stored(self, post_id: str) -> Post:
        post = self.posts.get(post_id)
        assert post is not None
        return post


@pytest.fixture
def world() -> World:
    posts, directory, clock = InMemoryPostRepository(), seeded_directory(), FixedClock()
    queue, stats = RecordingDispatchQueue(), InMemoryStatsRepository()
    built = build_services(posts=posts, directory=directory, clock=clock, queue=queue, stats=stats)
    return World(built.forum, built.feeds, built.lifecycle, built.admin, posts, directory, queue, clock, stats)


# -- creating posts ------------------------------------------------------------------------------


def test_a_new_post_is_stored_received_with_its_deadline_and_queued_for_dispatch(world: World) -> None:
    post = world.forum.create_post(CITIZEN, NOISE)

    detail = world.posts.detail(post.id)
    assert detail is not None and detail.post == post
    assert (post.status, post.author_id, post.author_nickname) == ("received", CITIZEN.user_id, CITIZEN.nickname)
    assert post.first_response_due == world.clock.now() + timedelta(minutes=15)
    assert [e.kind for e in detail.events] == ["received"]
    assert world.queue.post_ids == [post.id]
    assert world.queue.messages[0].kind == "dispatch"


def test_a_post_that_reads_as_an_emergency_is_urgent_with_a_five_minute_deadline(world: World) -> None:
    post = world.forum.create_post(CITIZEN, replace(NOISE, title="救命", body="有人持刀闯进院子"))

    assert world.stored(post.id).urgent
    assert post.first_response_due == world.clock.now() + timedelta(minutes=5)


def test_anonymous_cannot_post(world: World) -> None:
    with pytest.raises(Unauthenticated):
        world.forum.create_post(ANONYMOUS, NOISE)
    assert world.posts.posts == {} and world.queue.messages == []


def test_citizen_cannot_publish_publicity(world: World) -> None:
    with pytest.raises(Forbidden):
        world.forum.create_post(CITIZEN, DRUGS)

    assert world.posts.posts == {} and world.queue.messages == []


@pytest.mark.parametrize("actor", [KUNQU_OFFICER, LEADER, ADMIN], ids=["officer", "leader", "admin"])
def test_police_may_publish_publicity_which_has_no_deadline(world: World, actor: Actor) -> None:
    post = world.forum.create_post(actor, DRUGS)

    assert world.stored(post.id).type == "publicity"
    assert post.first_response_due is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"board": "nowhere"}, "board"),
        ({"type": "rumour"}, "type"),
        ({"board": "online-lawyer", "type": "report"}, "type"),  # a board that takes no reports
        ({"district": "朝阳区"}, "district"),
    ],
)
def test_a_bad_board_type_or_district_is_refused_and_nothing_is_stored(
    world: World, changes: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        world.forum.create_post(CITIZEN, replace(NOISE, **changes))

    assert field in raised.value.fields
    assert world.posts.posts == {} and world.queue.messages == []


def test_a_post_without_a_district_is_accepted(world: World) -> None:
    post = world.forum.create_post(CITIZEN, replace(NOISE, district=None))

    assert world.stored(post.id).district is None


def test_a_notification_link_session_cannot_start_a_post(world: World) -> None:
    with pytest.raises(Forbidden):
        world.forum.create_post(link_session("p-any"), NOISE)
    assert world.posts.posts == {}


def test_replaying_an_idempotency_key_returns_the_same_post_once(world: World) -> None:
    first = world.forum.create_post(CITIZEN, NOISE, idempotency_key="k-1")
    world.clock.advance(seconds=30)

    again = world.forum.create_post(CITIZEN, NOISE, idempotency_key="k-1")

    assert again == first
    assert list(world.posts.posts) == [first.id]
    assert world.queue.post_ids == [first.id]


def test_the_same_idempotency_key_with_another_body_is_a_conflict(world: World) -> None:
    first = world.forum.create_post(CITIZEN, NOISE, idempotency_key="k-1")

    with pytest.raises(Conflict):
        world.forum.create_post(CITIZEN, replace(NOISE, body="另一段内容"), idempotency_key="k-1")

    assert list(world.posts.posts) == [first.id]
    assert world.queue.post_ids == [first.id]


def test_idempotency_keys_belong_to_one_account(world: World) -> None:
    mine = world.forum.create_post(CITIZEN, NOISE, idempotency_key="k-1")

    theirs = world.forum.create_post(OTHER_CITIZEN, NOISE, idempotency_key="k-1")

    assert theirs.id != mine.id and len(world.posts.posts) == 2


def test_a_request_that_loses_the_race_for_its_key_returns_the_winners_post(world: World) -> None:
    class LateStore(InMemoryIdempotencyStore):
        """Misses the record on the first look, as a request racing the first one would."""

        looked = False

        def get(self, scope: str) -> IdempotencyRecord | None:
            if not self.looked:
                self.looked = True
                return None
            return super().get(scope)

    winner = world.forum.create_post(CITIZEN, NOISE, idempotency_key="k-1")
    racing = build_forum(posts=world.posts, queue=world.queue, idempotency=LateStore(world.posts), clock=world.clock)

    loser = racing.create_post(CITIZEN, NOISE, idempotency_key="k-1")

    assert loser == winner
    assert list(world.posts.posts) == [winner.id] and world.queue.post_ids == [winner.id]


def test_a_failing_queue_leaves_the_post_stored_and_marked_for_the_sweep(world: World) -> None:
    world.queue.failing = True

    post = world.forum.create_post(CITIZEN, NOISE)

    stored = world.stored(post.id)
    assert stored.status == "received"
    assert world.posts.next_check[post.id] == post.created_at + timedelta(minutes=2)  # the sweep sends it again
    assert world.queue.messages == []


# -- replies -------------------------------------------------------------------------------------


def test_a_citizen_reply_is_not_official_and_shows_the_nickname(world: World) -> None:
    post = world.post()
    world.clock.advance(minutes=1)

    reply, _ = world.forum.reply(OTHER_CITIZEN, post.id, "我家楼下也是。")

    assert (reply.official, reply.nickname) == (None, OTHER_CITIZEN.nickname)
    detail = world.posts.detail(post.id)
    assert detail is not None
    assert detail.replies == [reply]
    assert (detail.post.reply_count, detail.post.first_official_reply_at) == (1, None)
    assert [e.kind for e in detail.events] == ["received"]
    assert [m.kind for m in world.queue.messages] == ["dispatch"]  # nobody is told about a citizen's reply


def test_an_officer_reply_is_official_with_name_title_and_unit(world: World) -> None:
    post = world.post()
    world.clock.advance(minutes=3)

    reply, _ = world.forum.reply(KUNQU_OFFICER, post.id, "已安排民警前往核查。", template="received")

    assert reply.nickname is None and reply.official is not None
    assert (reply.official.name, reply.official.title) == ("王警官", "社区民警")
    assert reply.official.unit == UnitRef(id="kunqu", name="昆都仑区公安分局")
    detail = world.posts.detail(post.id)
    assert detail is not None
    assert detail.post.first_official_reply_at == world.clock.now()
    assert [(e.kind, e.unit) for e in detail.events][-1] == ("replied", reply.official.unit)
    assert world.queue.messages[-1] == QueuedMessage(post.id, "official_reply", {"reply_id": reply.id})


def test_an_official_reply_stands_when_the_queue_fails(world: World) -> None:
    post = world.post()
    world.queue.failing = True

    reply, _ = world.forum.reply(KUNQU_OFFICER, post.id, "已安排民警前往核查。")

    detail = world.posts.detail(post.id)
    assert detail is not None and detail.replies == [reply]


def test_replaying_a_reply_key_returns_the_same_reply_once(world: World) -> None:
    post = world.post()
    first, _ = world.forum.reply(OTHER_CITIZEN, post.id, "我家楼下也是。", idempotency_key="k-1")
    world.clock.advance(seconds=20)

    again, _ = world.forum.reply(OTHER_CITIZEN, post.id, "我家楼下也是。", idempotency_key="k-1")

    assert again == first
    assert world.stored(post.id).reply_count == 1


def test_the_same_reply_key_with_another_body_or_post_is_a_conflict(world: World) -> None:
    post, other = world.post(), world.post()
    world.forum.reply(OTHER_CITIZEN, post.id, "我家楼下也是。", idempotency_key="k-1")

    with pytest.raises(Conflict):
        world.forum.reply(OTHER_CITIZEN, post.id, "另一句话", idempotency_key="k-1")
    with pytest.raises(Conflict):
        world.forum.reply(OTHER_CITIZEN, other.id, "我家楼下也是。", idempotency_key="k-1")

    assert (world.stored(post.id).reply_count, world.stored(other.id).reply_count) == (1, 0)


def test_anonymous_cannot_reply(world: World) -> None:
    post = world.post()

    with pytest.raises(Unauthenticated):
        world.forum.reply(ANONYMOUS, post.id, "路过")

    assert world.stored(post.id).reply_count == 0


def test_a_reply_to_a_missing_or_hidden_post_is_not_found_for_citizens(world: World) -> None:
    post = world.post()
    world.rewrite(world.stored(post.id), hidden=True)

    for post_id in ("p-missing", post.id):
        with pytest.raises(NotFound):
            world.forum.reply(OTHER_CITIZEN, post_id, "在吗")

    world.forum.reply(KUNQU_OFFICER, post.id, "已处理")
    assert world.stored(post.id).reply_count == 1


def test_a_link_session_replies_officially_to_its_own_post_only(world: World) -> None:
    mine, other = world.post(), world.post()

    with pytest.raises(Forbidden):
        world.forum.reply(link_session(mine.id), other.id, "收到")
    reply, _ = world.forum.reply(link_session(mine.id), mine.id, "收到")

    assert reply.official is not None
    assert world.stored(other.id).reply_count == 0


# -- status --------------------------------------------------------------------------------------


MAY_HANDLE = {
    "officer of the assigned unit": KUNQU_OFFICER,
    "command-center officer": CENTER_OFFICER,
    "leader": LEADER,
    "admin": ADMIN,
    "link session for the post": None,  # built per post
}
MAY_NOT_HANDLE = {
    "officer of another unit": QINGFU_OFFICER,
    "citizen": CITIZEN,
    "another citizen": OTHER_CITIZEN,
    "link session for another post": link_session("p-other"),
}


@pytest.mark.parametrize("who", list(MAY_HANDLE))
def test_who_may_move_an_assigned_post(world: World, who: str) -> None:
    post = world.assign(world.post().id, "kunqu")
    actor = MAY_HANDLE[who] or link_session(post.id)
    world.clock.advance(minutes=2)

    moved = world.lifecycle.change_status(actor, post.id, "acknowledged", post.version, "已受理")

    assert (moved.status, moved.version) == ("acknowledged", post.version + 1)
    detail = world.posts.detail(post.id)
    assert detail is not None and detail.post == moved
    assert detail.events[-1].kind == "acknowledged" and "已受理" in detail.events[-1].text
    assert detail.events[-1].unit == UnitRef(id="kunqu", name="昆都仑区公安分局")


@pytest.mark.parametrize("who", list(MAY_NOT_HANDLE))
def test_who_may_not_move_an_assigned_post(world: World, who: str) -> None:
    post = world.assign(world.post().id, "kunqu")

    with pytest.raises(Forbidden):
        world.lifecycle.change_status(MAY_NOT_HANDLE[who], post.id, "acknowledged", post.version, None)

    assert world.stored(post.id) == post


def test_the_author_cannot_resolve_their_own_post(world: World) -> None:
    post = world.post(CITIZEN)

    with pytest.raises(Forbidden):
        world.lifecycle.change_status(CITIZEN, post.id, "resolved", post.version, None)

    assert world.stored(post.id).status == "received"


def test_anonymous_cannot_move_a_post(world: World) -> None:
    post = world.post()

    with pytest.raises(Unauthenticated):
        world.lifecycle.change_status(ANONYMOUS, post.id, "acknowledged", post.version, None)


def test_any_officer_may_move_a_post_no_unit_has_yet(world: World) -> None:
    post = world.post()

    moved = world.lifecycle.change_status(QINGFU_OFFICER, post.id, "in_progress", post.version, None)

    assert moved.status == "in_progress"


def test_a_status_change_with_a_stale_version_is_refused(world: World) -> None:
    post = world.assign(world.post().id, "kunqu")
    world.lifecycle.change_status(KUNQU_OFFICER, post.id, "acknowledged", post.version, None)

    with pytest.raises(StaleVersion):
        world.lifecycle.change_status(LEADER, post.id, "resolved", post.version, None)

    stored = world.stored(post.id)
    assert (stored.status, stored.version) == ("acknowledged", post.version + 1)


def test_a_status_never_goes_back_but_a_resolved_post_reopens(world: World) -> None:
    post = world.assign(world.post().id, "kunqu")
    world.clock.advance(minutes=10)
    resolved = world.lifecycle.change_status(KUNQU_OFFICER, post.id, "resolved", post.version, "已办结")
    world.clock.advance(days=1)

    with pytest.raises(Conflict):
        world.lifecycle.change_status(KUNQU_OFFICER, post.id, "in_progress", resolved.version, None)
    reopened = world.lifecycle.change_status(LEADER, post.id, "reopened", resolved.version, "群众不满意")

    assert reopened.status == "reopened"
    detail = world.posts.detail(post.id)
    assert detail is not None
    assert [e.kind for e in detail.events][-2:] == ["resolved", "reopened"]


def test_hiding_through_the_status_route_is_refused(world: World) -> None:
    post = world.post()

    with pytest.raises(ValidationFailed):
        world.lifecycle.change_status(ADMIN, post.id, "hidden", post.version, None)

    assert world.stored(post.id).status == "received"


def test_moving_a_missing_post_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        world.lifecycle.change_status(LEADER, "p-missing", "acknowledged", 1, None)


# -- reading -------------------------------------------------------------------------------------


def walk(world: World, board: str | None, limit: int) -> tuple[list[list[str]], list[list[str]]]:
    """Read every page of a feed; return the pinned ids and the post ids of each page."""
    pinned, pages = [], []
    cursor = None
    while True:
        feed = world.feeds.feed(board, cursor, limit)
        pinned.append([p.id for p in feed.pinned])
        pages.append([p.id for p in feed.posts])
        if feed.next_cursor is None:
            return pinned, pages
        cursor = feed.next_cursor


def test_pins_lead_the_first_page_only_and_are_never_repeated(world: World) -> None:
    ids = [world.post().id for _ in range(6)]  # ids[5] is the newest
    world.admin.pin(ids[1], "global", None, by=ADMIN)
    world.clock.advance(minutes=1)
    world.admin.pin(ids[4], "board", None, by=ADMIN)

    pinned, pages = walk(world, "environment", 2)

    assert pinned == [[ids[1], ids[4]], []]  # global pins before board pins
    assert pages == [[ids[5], ids[3]], [ids[2], ids[0]]]


def test_global_pins_show_on_every_board_and_board_pins_only_on_theirs(world: World) -> None:
    noise = world.post()
    traffic = world.post(board="traffic", type="help")
    world.admin.pin(noise.id, "board", None, by=ADMIN)
    world.admin.pin(traffic.id, "global", None, by=ADMIN)

    assert [p.id for p in world.feeds.feed("environment", None, 10).pinned] == [traffic.id, noise.id]
    assert [p.id for p in world.feeds.feed("traffic", None, 10).pinned] == [traffic.id]
    everywhere = world.feeds.feed(None, None, 10)
    assert [p.id for p in everywhere.pinned] == [traffic.id]
    assert [p.id for p in everywhere.posts] == [noise.id]  # a board pin stays in place in the all-boards feed


def test_newer_pins_of_the_same_scope_come_first(world: World) -> None:
    older, newer = world.post(), world.post()
    world.admin.pin(newer.id, "global", None, by=ADMIN)
    world.clock.advance(minutes=1)
    world.admin.pin(older.id, "global", None, by=ADMIN)

    assert [p.id for p in world.feeds.feed(None, None, 10).pinned] == [older.id, newer.id]


def test_an_expired_pin_returns_the_post_to_its_place(world: World) -> None:
    first, second = world.post(), world.post()
    world.admin.pin(first.id, "global", world.clock.now() + timedelta(hours=1), by=ADMIN)
    assert [p.id for p in world.feeds.feed(None, None, 10).pinned] == [first.id]

    world.clock.advance(hours=1)

    feed = world.feeds.feed(None, None, 10)
    assert feed.pinned == []
    assert [p.id for p in feed.posts] == [second.id, first.id]


def test_a_hidden_post_is_neither_pinned_nor_listed(world: World) -> None:
    post = world.post()
    world.admin.pin(post.id, "global", None, by=ADMIN)
    world.rewrite(world.stored(post.id), hidden=True)

    feed = world.feeds.feed(None, None, 10)

    assert feed.pinned == [] and feed.posts == []


def test_an_unknown_board_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed):
        world.feeds.feed("nowhere", None, 10)


def test_a_cursor_of_one_board_is_refused_on_another(world: World) -> None:
    for _ in range(3):
        world.post()
    cursor = world.feeds.feed("environment", None, 2).next_cursor
    assert cursor is not None

    with pytest.raises(ValidationFailed):
        world.feeds.feed("traffic", cursor, 2)
    with pytest.raises(ValidationFailed):
        world.feeds.feed(None, cursor, 2)


def test_a_hidden_post_is_not_found_by_others_but_its_author_and_the_police_see_it(world: World) -> None:
    post = world.post(CITIZEN)
    world.rewrite(world.stored(post.id), hidden=True)

    for stranger in (OTHER_CITIZEN, ANONYMOUS):
        with pytest.raises(NotFound):
            world.feeds.detail(stranger, post.id)
    assert world.feeds.detail(CITIZEN, post.id).post.id == post.id
    assert world.feeds.detail(KUNQU_OFFICER, post.id).post.id == post.id
    with pytest.raises(NotFound):
        world.feeds.detail(LEADER, "p-missing")


# -- what the public sees of a withheld post -----------------------------------------------------


def withheld_timeline(world: World, post: Post) -> None:
    """Give a post the police's notes, names and reasons on its timeline, the way the services write them."""
    at, unit = world.clock.now(), UnitRef(id="kunqu", name="昆都仑区公安分局")
    texts = {
        "escalated": "超过首次回复时限,已提请昆都仑区公安分局领导督办(举报人网友A1B2C3)",
        "replied": "昆都仑区公安分局王警官已回复",
        "acknowledged": "昆都仑区公安分局王警官将状态改为已受理:举报人13812345678系老板亲属",
        "cad_dispatched": "民警已出警(昆区便衣三组)",
        "rated": "网友评价:不满意,帖子已重新办理",
    }
    stored = world.stored(post.id)
    for kind, text in texts.items():
        stored = world.rewrite(stored, Event(id=new_id("e"), at=at, kind=kind, text=text, unit=unit))
    world.forum.reply(CITIZEN, post.id, "补充:老板姓李")


@pytest.mark.parametrize("how", ["police_only", "hidden"])
def test_a_withheld_post_shows_the_public_no_body_author_reply_text_or_note(world: World, how: str) -> None:
    post = world.post(CITIZEN, replace(NOISE, visibility="police_only" if how == "police_only" else "public"))
    withheld_timeline(world, post)
    if how == "hidden":
        world.rewrite(world.stored(post.id), hidden=True, hidden_reason="举报人要求撤下")
    detail = world.feeds.detail(KUNQU_OFFICER, post.id)
    now = world.clock.now()

    for viewer in (ANONYMOUS, OTHER_CITIZEN, link_session("p-another")):
        shown = {
            "post": written(post_out(detail.post, viewer, now)),
            "replies": [written(reply_out(r, detail.post, viewer)) for r in detail.replies],
            "timeline": [written(event_out(e, detail.post, viewer)) for e in detail.events],
        }
        text = json.dumps(shown, ensure_ascii=False)
        secrets_ = (NOISE.title, NOISE.body, "老板", "网友A1B2C3", "u_citizen", "王警官", "便衣", "13812345678")
        for secret in (*secrets_, "撤下", "不满意"):
            assert secret not in text, (how, viewer.role, secret)
        assert shown["post"]["author"] == {"nickname": "匿名"}
        assert [r["author"] for r in shown["replies"]] == [{"nickname": "匿名"}]
        assert [(e["kind"], e["text"]) for e in shown["timeline"]] == [
            ("received", "已收悉"),
            ("escalated", "已督办"),
            ("replied", "民警已回复"),
            ("acknowledged", "已受理"),
            ("cad_dispatched", "民警已出警"),
            ("rated", "发帖人已评价"),
        ]
    whole = written(post_out(detail.post, CITIZEN, now))
    assert (whole["title"], whole["author"]) == (NOISE.title, {"nickname": "网友A1B2C3"})


# -- the sweep and the officers at the same moment -----------------------------------------------


def overdue(world: World) -> Post:
    """A report assigned to Kunqu and past its 15-minute deadline without an official reply."""
    post = world.post(CITIZEN, NOISE)
    world.assign(post.id, "kunqu")
    world.clock.advance(minutes=16)
    return world.stored(post.id)


def escalations(world: World) -> int:
    return world.stats.all().get("all", {}).get("escalations", 0)


def test_a_status_change_on_a_copy_read_before_the_sweep_escalated_is_stale_and_the_escalation_stays(
    world: World,
) -> None:
    post = overdue(world)
    sweep = build_supervision(posts=world.posts, directory=world.directory, stats=world.stats, clock=world.clock)
    interleaved = InterleavedPosts(world.posts)
    officer = build_services(posts=interleaved, directory=world.directory, clock=world.clock, stats=world.stats)
    interleaved.meanwhile = sweep.sweep  # the officer has read the post; the sweep escalates it

    with pytest.raises(StaleVersion):
        officer.lifecycle.change_status(KUNQU_OFFICER, post.id, "in_progress", post.version, "已出警")

    stored = world.stored(post.id)
    assert (stored.status, stored.escalation_level, stored.version) == ("dispatched", 1, post.version + 1)
    again = world.lifecycle.change_status(KUNQU_OFFICER, post.id, "in_progress", stored.version, "已出警")
    assert again.escalation_level == 1
    assert sweep.sweep().escalated_to_leaders == 0  # nothing put it back to 0: no second escalation
    assert escalations(world) == 1
    assert [e.kind for e in world.posts.events[post.id].values()].count("escalated") == 1


def test_a_status_change_between_the_sweeps_read_and_write_makes_the_sweep_retry_and_escalate_once(
    world: World,
) -> None:
    post = overdue(world)
    interleaved = InterleavedPosts(world.posts)
    sweep = build_supervision(posts=interleaved, directory=world.directory, stats=world.stats, clock=world.clock)
    interleaved.meanwhile = lambda: world.lifecycle.change_status(
        KUNQU_OFFICER, post.id, "in_progress", post.version, "已出警"
    )

    first = sweep.sweep()  # read, then the officer commits, then the sweep's write is stale

    stored = world.stored(post.id)
    assert first.escalated_to_leaders == 0 and escalations(world) == 0
    assert (stored.status, stored.escalation_level) == ("in_progress", 0)
    assert sweep.sweep().escalated_to_leaders == 1  # the next pass
    assert sweep.sweep().escalated_to_leaders == 0
    escalated = world.stored(post.id)
    assert (escalated.status, escalated.escalation_level, escalated.version) == ("in_progress", 1, stored.version + 1)
    assert escalations(world) == 1


def test_a_post_dispatched_while_the_sweep_looked_at_it_is_neither_requeued_nor_rescheduled(world: World) -> None:
    post = world.post(CITIZEN, NOISE)
    world.clock.advance(minutes=3)  # past the dispatch grace: the sweep would re-queue it
    queue = RecordingDispatchQueue()
    interleaved = InterleavedPosts(world.posts)
    sweep = build_supervision(
        posts=interleaved, directory=world.directory, stats=world.stats, clock=world.clock, queue=queue
    )
    interleaved.meanwhile = lambda: world.assign(post.id, "kunqu")

    report = sweep.sweep()

    assert report.requeued == 0 and queue.messages == []
    assert world.posts.next_check[post.id] == world.stored(post.id).first_response_due


def test_the_sweep_settling_a_post_bumps_its_version(world: World) -> None:
    post = overdue(world)
    world.forum.reply(KUNQU_OFFICER, post.id, "已收悉")  # answered: nothing left to check
    # The reply took it off the due index; an entry left by an older version of the app still gets settled.
    world.posts.next_check[post.id] = world.clock.now()

    report = build_supervision(
        posts=world.posts, directory=world.directory, stats=world.stats, clock=world.clock
    ).sweep()

    stored = world.stored(post.id)
    assert report.settled == 1 and post.id not in world.posts.next_check
    assert stored.version == post.version + 1
    with pytest.raises(StaleVersion):
        world.lifecycle.change_status(KUNQU_OFFICER, post.id, "in_progress", post.version, None)
