"""One contract for the repositories, run against the in-memory fakes and the DynamoDB adapters on moto."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from chalicelib.adapters.dynamodb.items import feed_key
from chalicelib.domain.errors import Conflict, NotFound, StaleVersion
from chalicelib.domain.people import Officer, Routing, RoutingRule, Unit, User
from chalicelib.domain.posts import Event, NewPost, OfficialAuthor, Post, Reply, UnitRef, epoch_ms
from chalicelib.domain.status import Status
from chalicelib.services.audit import AuditEntry, AuditLog
from chalicelib.services.limits import Counters
from chalicelib.services.moderation import FlagCounter
from chalicelib.services.ports import (
    DirectoryRepository,
    IdempotencyRecord,
    IdempotencyStore,
    LinkStore,
    NoticeLedger,
    OtpRecord,
    OtpRepository,
    PostRepository,
    ReplyLink,
    StatsRepository,
    UserRepository,
)
from tests import fakes
from tests.conftest import TEST_ENV
from tests.unit.world import CITIZEN, KUNQU_OFFICER, build_services, build_supervision, seeded_directory

T0 = datetime(2026, 3, 13, 8, 5, 0, 123000, tzinfo=UTC)
OFFICIAL = OfficialAuthor(
    officer_id="o-kunqu", name="王警官", title="社区民警", unit=UnitRef(id="kunqu", name="昆都仑区公安分局")
)


@dataclass
class Repos:
    posts: PostRepository
    users: UserRepository
    directory: DirectoryRepository
    otps: OtpRepository
    idempotency: IdempotencyStore
    ledger: NoticeLedger
    stats: StatsRepository
    counters: Counters
    audit: AuditLog
    links: LinkStore

    @property
    def flags(self) -> FlagCounter:
        """The post repository in its role of flag counter."""
        return cast(FlagCounter, self.posts)


@pytest.fixture(scope="module")
def stack() -> Iterator[dict[str, str]]:
    """Provision the stack from infra/ on moto once for this module (as the `aws` fixture does per test)."""
    from moto import mock_aws

    from chalicelib.adapters.aws import clear_clients
    from local.provision import provision

    with pytest.MonkeyPatch.context() as patch:
        for key, value in TEST_ENV.items():
            patch.setenv(key, value)
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        clear_clients()
        with mock_aws():
            yield provision("police24-repos")
        clear_clients()


@pytest.fixture
def table_name(stack: dict[str, str]) -> Iterator[str]:
    """The provisioned table, emptied after each test so every test starts from nothing."""
    import boto3

    yield stack["TableName"]
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    for page in dynamodb.get_paginator("scan").paginate(TableName=stack["TableName"], ProjectionExpression="PK, SK"):
        for item in page["Items"]:
            dynamodb.delete_item(TableName=stack["TableName"], Key=item)


@pytest.fixture(params=["memory", "dynamodb"])
def repos(request: pytest.FixtureRequest) -> Repos:
    """The same repositories, in memory or on a moto table provisioned from infra/."""
    if request.param == "memory":
        posts = fakes.InMemoryPostRepository()
        return Repos(
            posts,
            fakes.InMemoryUserRepository(),
            fakes.InMemoryDirectoryRepository(),
            fakes.InMemoryOtpRepository(),
            fakes.InMemoryIdempotencyStore(posts),
            fakes.InMemoryNoticeLedger(),
            fakes.InMemoryStatsRepository(),
            fakes.InMemoryCounters(),
            fakes.InMemoryAuditLog(),
            fakes.InMemoryLinkStore(),
        )
    from chalicelib.adapters.dynamodb import repositories as dynamo
    from chalicelib.adapters.dynamodb.table import Table
    from chalicelib.bootstrap import SystemClock

    table = Table(request.getfixturevalue("table_name"), "us-east-1")
    return Repos(
        dynamo.DynamoPostRepository(table),
        dynamo.DynamoUserRepository(table),
        dynamo.DynamoDirectoryRepository(table),
        dynamo.DynamoOtpRepository(table),
        dynamo.DynamoIdempotencyStore(table, SystemClock()),
        dynamo.DynamoNoticeLedger(table),
        dynamo.DynamoStatsRepository(table),
        dynamo.DynamoCounters(table),
        dynamo.DynamoAuditLog(table),
        dynamo.DynamoLinkStore(table),
    )


def make_post(post_id: str, at: datetime = T0, board: str = "report", **fields: Any) -> Post:
    values: dict[str, Any] = {
        "id": post_id,
        "board": board,
        "type": "report",
        "title": f"标题{post_id}",
        "body": "正文",
        "author_id": "u1",
        "author_nickname": "网友A",
        "district": "昆都仑区",
        "created_at": at,
        "updated_at": at,
        "first_response_due": Post.first_response_due_for("report", at),
    }
    return Post(**{**values, **fields})


def event(event_id: str, at: datetime = T0, kind: str = "received") -> Event:
    return Event(id=event_id, at=at, kind=kind, text=f"事件{event_id}")


def reply(reply_id: str, post_id: str, at: datetime = T0, official: bool = False) -> Reply:
    return Reply(
        id=reply_id,
        post_id=post_id,
        body=f"回复{reply_id}",
        created_at=at,
        author_id="o-kunqu" if official else "u2",
        nickname=None if official else "网友B",
        official=OFFICIAL if official else None,
    )


def add(repos: Repos, post: Post) -> Post:
    repos.posts.add(post, event(f"e-{post.id}", post.created_at))
    return post


# -- posts ---------------------------------------------------------------------------------------


def test_an_added_post_reads_back_as_it_was_stored(repos: Repos) -> None:
    post = add(repos, make_post("p1", urgent=True))

    assert repos.posts.get("p1") == post
    assert repos.posts.get("p-missing") is None


def test_adding_a_post_with_an_existing_id_is_a_conflict_and_keeps_the_first(repos: Repos) -> None:
    add(repos, make_post("p1"))

    with pytest.raises(Conflict):
        repos.posts.add(make_post("p1").model_copy(update={"title": "另一个"}), event("e2"))

    stored = repos.posts.get("p1")
    assert stored is not None and stored.title == "标题p1"


def test_detail_lists_events_and_replies_oldest_first(repos: Repos) -> None:
    repos.posts.add(make_post("p1"), event("e-first", T0))
    repos.posts.add_reply(reply("r-b", "p1", T0 + timedelta(seconds=2)), event("e-c", T0 + timedelta(seconds=2)))
    repos.posts.add_reply(reply("r-a", "p1", T0 + timedelta(seconds=1)), event("e-b", T0 + timedelta(seconds=1)))
    repos.posts.add_reply(reply("r-z", "p1", T0 + timedelta(seconds=1)))  # same moment: the id decides

    detail = repos.posts.detail("p1")

    assert detail is not None and detail.post.id == "p1"
    assert [e.id for e in detail.events] == ["e-first", "e-b", "e-c"]
    assert [r.id for r in detail.replies] == ["r-a", "r-z", "r-b"]
    assert detail.replies[0] == reply("r-a", "p1", T0 + timedelta(seconds=1))
    assert repos.posts.detail("p-missing") is None


def test_update_saves_a_change_and_its_event_when_the_version_matches(repos: Repos) -> None:
    post = add(repos, make_post("p1"))
    post, _ = post.move_to("acknowledged", T0 + timedelta(minutes=1), version=1, by="王警官")
    post = post.model_copy(update={"version": 2})

    repos.posts.update(post, expected_version=1, events=[event("e-ack", T0 + timedelta(minutes=1), "acknowledged")])

    detail = repos.posts.detail("p1")
    assert detail is not None
    assert (detail.post.status, detail.post.version) == ("acknowledged", 2)
    assert [e.kind for e in detail.events] == ["received", "acknowledged"]


def test_update_with_a_stale_version_raises_and_changes_nothing(repos: Repos) -> None:
    add(repos, make_post("p1"))
    first, second = repos.posts.get("p1"), repos.posts.get("p1")
    assert first is not None and second is not None
    first = first.model_copy(update={"title": "第一次修改", "version": 2})
    repos.posts.update(first, expected_version=1)

    second = second.model_copy(update={"title": "第二次修改", "version": 2})
    with pytest.raises(StaleVersion):
        repos.posts.update(second, expected_version=1, events=[event("e-lost")])

    detail = repos.posts.detail("p1")
    assert detail is not None and detail.post.title == "第一次修改"
    assert [e.id for e in detail.events] == ["e-p1"]


def test_update_of_a_missing_post_is_stale(repos: Repos) -> None:
    with pytest.raises(StaleVersion):
        repos.posts.update(make_post("p-ghost", version=2), expected_version=1)
    assert repos.posts.get("p-ghost") is None


def test_update_of_an_old_copy_keeps_the_reply_count(repos: Repos) -> None:
    add(repos, make_post("p1"))
    copy = repos.posts.get("p1")
    assert copy is not None
    repos.posts.add_reply(reply("r1", "p1", T0 + timedelta(seconds=1), official=True))

    copy, _ = copy.move_to("acknowledged", T0 + timedelta(seconds=2), version=1, by="王警官")
    copy = copy.model_copy(update={"version": 2})
    repos.posts.update(copy, expected_version=1)

    stored = repos.posts.get("p1")
    assert stored is not None
    assert (stored.status, stored.reply_count) == ("acknowledged", 1)
    assert stored.first_official_reply_at == T0 + timedelta(seconds=1)


def test_replies_are_counted_and_only_the_first_official_one_sets_the_first_response(repos: Repos) -> None:
    add(repos, make_post("p1"))
    repos.posts.add_reply(reply("r1", "p1", T0 + timedelta(seconds=1)))
    after_citizen = repos.posts.get("p1")
    repos.posts.add_reply(reply("r2", "p1", T0 + timedelta(seconds=2), official=True))
    repos.posts.add_reply(reply("r3", "p1", T0 + timedelta(seconds=3), official=True))

    stored = repos.posts.get("p1")
    assert after_citizen is not None and after_citizen.first_official_reply_at is None
    assert stored is not None
    assert stored.reply_count == 3
    assert stored.first_official_reply_at == T0 + timedelta(seconds=2)
    assert stored.version == 1  # counting is not an edit


# moto applies concurrent transactions without isolation (it loses ADDs and can fail mid-iteration), so this
# one runs on the fake only; DynamoDB's ADD is atomic by contract, and the adapter relies on it.
@pytest.mark.parametrize("repos", ["memory"], indirect=True)
def test_replies_added_at_once_from_many_threads_are_all_counted(repos: Repos) -> None:
    add(repos, make_post("p1"))
    count = 8
    start = threading.Barrier(count)

    def reply_once(n: int) -> None:
        start.wait()
        repos.posts.add_reply(reply(f"r{n}", "p1", T0 + timedelta(milliseconds=n)))

    with ThreadPoolExecutor(count) as pool:
        for done in [pool.submit(reply_once, n) for n in range(count)]:
            done.result()

    detail = repos.posts.detail("p1")
    assert detail is not None
    assert detail.post.reply_count == count == len(detail.replies)


def test_a_reply_with_an_idempotency_key_is_stored_once_and_found_by_time_and_id(repos: Repos) -> None:
    now = datetime.now(UTC)  # the DynamoDB store judges the 24 h expiry by the wall clock
    add(repos, make_post("p1", now))
    first = reply("r1", "p1", now)
    record = IdempotencyRecord("hash-1", f"p1|{epoch_ms(now)}|r1")
    repos.posts.add_reply(first, idempotency=("u2#reply:k-1", record))

    with pytest.raises(Conflict):
        repos.posts.add_reply(reply("r2", "p1", now), idempotency=("u2#reply:k-1", record))

    assert repos.idempotency.get("u2#reply:k-1") == record
    assert repos.posts.reply("p1", epoch_ms(now), "r1") == first
    assert repos.posts.reply("p1", epoch_ms(now) + 1, "r1") is None
    assert repos.posts.reply("p1", epoch_ms(now), "r2") is None
    detail = repos.posts.detail("p1")
    assert detail is not None and detail.post.reply_count == 1 and detail.replies == [first]


def test_flags_are_counted_and_an_old_copy_does_not_reset_them(repos: Repos) -> None:
    add(repos, make_post("p1"))
    copy = repos.posts.get("p1")
    assert copy is not None

    assert [repos.flags.count_flag("p1") for _ in range(3)] == [1, 2, 3]
    copy = copy.model_copy(update={"hidden": True, "version": 2})
    repos.posts.update(copy, expected_version=1)

    stored = repos.posts.get("p1")
    assert stored is not None and (stored.hidden, stored.flag_count) == (True, 3)


def test_a_reply_to_a_missing_post_is_not_found(repos: Repos) -> None:
    with pytest.raises(NotFound):
        repos.posts.add_reply(reply("r1", "p-ghost"))
    assert repos.posts.detail("p-ghost") is None


def test_a_write_that_does_not_bump_the_version_is_refused(repos: Repos) -> None:
    add(repos, make_post("p1"))
    copy = repos.posts.get("p1")
    assert copy is not None
    copy = copy.model_copy(update={"escalation_level": 1})

    with pytest.raises(ValueError):
        repos.posts.update(copy, expected_version=1)  # an older copy at version 1 could overwrite it unnoticed

    stored = repos.posts.get("p1")
    assert stored is not None and (stored.escalation_level, stored.version) == (0, 1)


# -- feed ----------------------------------------------------------------------------------------


def seed_feed(repos: Repos) -> dict[str, Post]:
    """Seven posts: two pairs created in the same millisecond, one on another board, one hidden."""
    ms = timedelta(milliseconds=1)
    posts = [
        make_post("p-a", T0),
        make_post("p-b", T0 + ms),
        make_post("p-c", T0 + ms),  # ties with p-b: the larger id is newer
        make_post("p-d", T0 + 2 * ms, board="traffic"),
        make_post("p-e", T0 + 3 * ms),
        make_post("p-f", T0 + 4 * ms, hidden=True),
        make_post("p-g", T0 + 5 * ms),
        make_post("p-h", T0 + 5 * ms),
    ]
    return {p.id: add(repos, p) for p in posts}


NOW = T0 + timedelta(days=1)


def walk(repos: Repos, board: str | None, limit: int, now: datetime = NOW) -> list[list[str]]:
    pages: list[list[str]] = []
    after = None
    while True:
        page = repos.posts.feed(board, limit, after, now)
        pages.append([p.id for p in page.posts])
        if page.next_key is None:
            return pages
        assert page.next_key == feed_key(page.posts[-1])
        after = page.next_key


def test_the_feed_pages_newest_first_with_ties_broken_by_id(repos: Repos) -> None:
    seed_feed(repos)

    assert walk(repos, None, 2) == [["p-h", "p-g"], ["p-e", "p-d"], ["p-c", "p-b"], ["p-a"]]


def test_the_next_key_is_the_feed_sort_key_of_the_last_post(repos: Repos) -> None:
    posts = seed_feed(repos)

    page = repos.posts.feed(None, 2, None, NOW)

    assert page.next_key == f"{int(posts['p-g'].created_at.timestamp() * 1000):013d}#p-g"
    assert len(page.next_key.split("#")[0]) == 13


def test_a_board_feed_holds_only_that_board(repos: Repos) -> None:
    seed_feed(repos)

    assert walk(repos, "report", 4) == [["p-h", "p-g", "p-e", "p-c"], ["p-b", "p-a"]]
    assert walk(repos, "traffic", 4) == [["p-d"]]
    assert walk(repos, "hukou", 4) == [[]]


def test_a_last_page_that_is_exactly_full_has_no_next_key(repos: Repos) -> None:
    seed_feed(repos)

    page = repos.posts.feed("report", 6, None, NOW)

    assert len(page.posts) == 6 and page.next_key is None


def test_a_post_hidden_by_an_update_leaves_the_feed(repos: Repos) -> None:
    seed_feed(repos)
    post = repos.posts.get("p-h")
    assert post is not None
    post = post.model_copy(update={"hidden": True, "version": 2})

    repos.posts.update(post, expected_version=1)

    assert walk(repos, None, 10) == [["p-g", "p-e", "p-d", "p-c", "p-b", "p-a"]]
    assert "p-h" not in walk(repos, "report", 10)[0]


def pin(repos: Repos, post_id: str, scope: str, until: datetime | None = None, at: datetime = T0) -> Post:
    """Pin a post as the admin service does (the post read, then saved with the pin), an hour after T0."""
    read = repos.posts.get(post_id)
    assert read is not None
    post = read.pin_with(scope, until, at + timedelta(hours=1))  # type: ignore[arg-type]
    post = post.model_copy(update={"version": read.version + 1})
    repos.posts.update(post, read.version, before=read)
    return post


def save(repos: Repos, post_id: str, at: datetime = NOW, **changes: Any) -> Post:
    """Save a change of a post as the store does: the post read, then written with its version bumped."""
    read = repos.posts.get(post_id)
    assert read is not None
    post = read.model_copy(update={**changes, "updated_at": at, "version": read.version + 1})
    repos.posts.update(post, read.version, before=read)
    return post


def pins(repos: Repos, board: str | None, now: datetime = NOW) -> list[str]:
    return [p.id for p in repos.posts.feed(board, 3, None, now).pinned]


def test_pins_lead_the_first_page_only_and_never_repeat_among_the_posts(repos: Repos) -> None:
    seed_feed(repos)
    pin(repos, "p-a", "global")
    pin(repos, "p-c", "board", at=T0 + timedelta(minutes=1))
    pin(repos, "p-b", "board", at=T0 + timedelta(minutes=2))

    # Every board's feed: the global pin; a board pin is a post there, in its place.
    assert pins(repos, None) == ["p-a"]
    assert walk(repos, None, 3) == [["p-h", "p-g", "p-e"], ["p-d", "p-c", "p-b"]]
    # Its board: the global pin first, then the board's pins, the newest pin first; then the posts.
    assert pins(repos, "report") == ["p-a", "p-b", "p-c"]
    assert walk(repos, "report", 2) == [["p-h", "p-g"], ["p-e"]]
    first = repos.posts.feed("report", 2, None, NOW)
    assert repos.posts.feed("report", 2, first.next_key, NOW).pinned == []
    # Another board: the global pin's copy, and none of report's board pins.
    assert pins(repos, "traffic") == ["p-a"]
    assert walk(repos, "traffic", 3) == [["p-d"]]
    assert pins(repos, "hukou") == ["p-a"] and walk(repos, "hukou", 3) == [[]]


def test_a_lapsed_pin_drops_out_and_its_post_returns_to_its_place(repos: Repos) -> None:
    seed_feed(repos)
    pin(repos, "p-a", "global", until=T0 + timedelta(hours=3))
    before, after = T0 + timedelta(hours=2), T0 + timedelta(hours=4)
    assert pins(repos, "traffic", before) == ["p-a"] and pins(repos, None, before) == ["p-a"]
    assert walk(repos, None, 10, before) == [["p-h", "p-g", "p-e", "p-d", "p-c", "p-b"]]

    for _ in range(2):  # the first read after it lapsed puts it back; the next finds it there
        assert pins(repos, "traffic", after) == [] and pins(repos, "report", after) == []
        assert walk(repos, None, 4, after) == [["p-h", "p-g", "p-e", "p-d"], ["p-c", "p-b", "p-a"]]
        assert walk(repos, "report", 10, after) == [["p-h", "p-g", "p-e", "p-c", "p-b", "p-a"]]
        assert walk(repos, "traffic", 10, after) == [["p-d"]]
    stored = repos.posts.get("p-a")
    assert stored is not None and stored.pin is not None and not stored.is_pinned(after)


def test_unpinning_hiding_or_a_board_pin_take_the_copies_away(repos: Repos) -> None:
    seed_feed(repos)
    pin(repos, "p-a", "global")
    save(repos, "p-a", pin=None)
    assert pins(repos, "traffic") == [] and pins(repos, "report") == [] and pins(repos, None) == []
    assert walk(repos, "report", 10)[0][-1] == "p-a"

    pin(repos, "p-a", "global")
    save(repos, "p-a", hidden=True, hidden_reason="违规")
    assert pins(repos, "traffic") == [] and pins(repos, "report") == [] and pins(repos, None) == []
    assert "p-a" not in walk(repos, "report", 10)[0]

    save(repos, "p-a", hidden=False, hidden_reason=None)
    assert pins(repos, "traffic") == ["p-a"] and pins(repos, None) == ["p-a"]
    pin(repos, "p-a", "board", at=T0 + timedelta(hours=1))
    assert pins(repos, "traffic") == [] and pins(repos, None) == [] and pins(repos, "report") == ["p-a"]


def test_the_copies_of_a_global_pin_follow_its_changes_replies_and_reschedules(repos: Repos) -> None:
    seed_feed(repos)
    pin(repos, "p-d", "global")
    save(repos, "p-d", status=Status.ACKNOWLEDGED)
    read = repos.posts.get("p-d")
    assert read is not None
    repos.posts.add_reply(reply("r1", "p-d", NOW), post=read)
    read = repos.posts.get("p-d")
    assert read is not None
    repos.posts.reschedule(read, NOW + timedelta(hours=1))  # still waiting for its first official reply

    stored = repos.posts.get("p-d")
    assert stored is not None and stored.version == read.version + 1
    for board in (None, "traffic", "report", "hukou"):  # its own entries and two copies
        (card,) = repos.posts.feed(board, 3, None, NOW).pinned
        assert (card.status, card.reply_count, card.version) == ("acknowledged", 1, stored.version)


def test_a_card_holds_the_head_of_a_long_body_and_its_sizes(repos: Repos) -> None:
    body = "青山区钢铁大街与民主路交叉口的信号灯从早上七点起一直不亮，" * 20
    add(repos, make_post("p-long", body=body))

    (card,) = repos.posts.feed(None, 3, None, NOW).posts

    assert body.startswith(card.body)
    if card.head_of is not None:  # the table's index (the in-memory fake hands the whole post)
        assert 120 < len(card.body) < len(body)
        assert (card.head_of.length, card.head_of.masked_length) == (len(body), len(body))


def test_an_authors_feed_holds_their_posts_on_every_board_hidden_ones_included(repos: Repos) -> None:
    seed_feed(repos)
    add(repos, make_post("p-x", T0 + timedelta(seconds=1), author_id="u2"))

    page = repos.posts.by_author("u1", 4, None)
    rest = repos.posts.by_author("u1", 4, page.next_key)

    assert [p.id for p in page.posts] == ["p-h", "p-g", "p-f", "p-e"]
    assert ([p.id for p in rest.posts], rest.next_key) == (["p-d", "p-c", "p-b", "p-a"], None)
    assert [p.id for p in repos.posts.by_author("u2", 4, None).posts] == ["p-x"]


# -- the sweep's schedule ------------------------------------------------------------------------


def test_a_post_still_received_is_due_after_the_dispatch_grace(repos: Repos) -> None:
    add(repos, make_post("p1", T0))
    add(repos, make_post("p2", T0 + timedelta(seconds=1)))

    assert repos.posts.due(T0 + timedelta(minutes=1), 10).posts == []
    assert [p.id for p in repos.posts.due(T0 + timedelta(minutes=2), 10).posts] == ["p1"]
    assert [p.id for p in repos.posts.due(T0 + timedelta(minutes=3), 10).posts] == ["p1", "p2"]
    assert [p.id for p in repos.posts.due(T0 + timedelta(minutes=3), 1).posts] == ["p1"]


def test_due_posts_come_page_after_page_from_where_the_last_page_ended(repos: Repos) -> None:
    for n in range(5):
        add(repos, make_post(f"p{n}", T0 + timedelta(seconds=n)))
    now, pages, after = T0 + timedelta(minutes=3), [], None

    while True:
        page = repos.posts.due(now, 2, after)
        pages.append([p.id for p in page.posts])
        if page.next_key is None:
            break
        after = page.next_key

    assert [post for page in pages for post in page] == ["p0", "p1", "p2", "p3", "p4"]
    assert all(len(page) <= 2 for page in pages)


def test_a_dispatched_post_is_due_at_its_deadline_and_may_be_rescheduled(repos: Repos) -> None:
    post = add(repos, make_post("p1", T0))
    post, _ = post.assign(UnitRef(id="kunqu", name="昆都仑区公安分局"), T0 + timedelta(seconds=5))
    post = post.model_copy(update={"version": 2})
    repos.posts.update(post, expected_version=1)
    assert repos.posts.due(T0 + timedelta(minutes=14), 10).posts == []
    assert [p.id for p in repos.posts.due(T0 + timedelta(minutes=15), 10).posts] == ["p1"]

    repos.posts.reschedule(post, T0 + timedelta(minutes=20))

    assert repos.posts.due(T0 + timedelta(minutes=19), 10).posts == []
    due = repos.posts.due(T0 + timedelta(minutes=20), 10).posts
    assert [(p.id, p.status, p.version) for p in due] == [("p1", "dispatched", 3)]


def test_rescheduling_a_post_changed_since_it_was_read_is_stale_and_keeps_its_schedule(repos: Repos) -> None:
    add(repos, make_post("p1", T0))
    read = repos.posts.get("p1")
    post = repos.posts.get("p1")
    assert read is not None and post is not None
    post, _ = post.assign(UnitRef(id="kunqu", name="昆都仑区公安分局"), T0 + timedelta(seconds=5))
    post = post.model_copy(update={"version": 2})
    repos.posts.update(post, expected_version=1)

    with pytest.raises(StaleVersion):
        repos.posts.reschedule(read, T0 + timedelta(minutes=4))

    assert repos.posts.due(T0 + timedelta(minutes=14), 10).posts == []  # still due at its deadline, not in 4 minutes
    assert [p.version for p in repos.posts.due(T0 + timedelta(minutes=15), 10).posts] == [2]


def test_a_post_with_nothing_left_to_check_is_never_due_even_when_rescheduled(repos: Repos) -> None:
    post = add(repos, make_post("p1", T0))
    post, _ = post.assign(UnitRef(id="kunqu", name="昆都仑区公安分局"), T0)
    post = post.model_copy(update={"hidden": True, "version": 2})
    repos.posts.update(post, expected_version=1)

    repos.posts.reschedule(post, T0 + timedelta(minutes=1))

    assert repos.posts.due(T0 + timedelta(days=1), 10).posts == []
    stored = repos.posts.get("p1")
    assert stored is not None and stored.version == 2


@pytest.mark.parametrize("who_reads_first", ["officer", "sweep"])
def test_a_sweep_and_a_status_change_at_the_same_moment_escalate_and_count_once(
    repos: Repos, who_reads_first: str
) -> None:
    clock = fakes.FixedClock(T0)
    directory = seeded_directory()
    interleaved = fakes.InterleavedPosts(repos.posts)
    app = build_services(posts=repos.posts, directory=directory, clock=clock, stats=repos.stats, ledger=repos.ledger)
    sweeping = interleaved if who_reads_first == "sweep" else repos.posts
    sweep = build_supervision(posts=sweeping, directory=directory, clock=clock, stats=repos.stats, ledger=repos.ledger)
    officer = build_services(
        posts=interleaved if who_reads_first == "officer" else repos.posts,
        directory=directory,
        clock=clock,
        stats=repos.stats,
    ).lifecycle
    new = NewPost(board="report", type="report", title="有人兜售假证", body="火车站出站口", district="昆都仑区")
    post_id = app.forum.create_post(CITIZEN, new).id
    app.dispatcher.dispatch(post_id)
    clock.advance(minutes=16)  # past the 15-minute deadline, unanswered
    read = repos.posts.get(post_id)
    assert read is not None and read.assigned_unit is not None

    if who_reads_first == "officer":
        interleaved.meanwhile = sweep.sweep
        with pytest.raises(StaleVersion):
            officer.change_status(KUNQU_OFFICER, post_id, "in_progress", read.version, "已出警")
    else:
        interleaved.meanwhile = lambda: officer.change_status(
            KUNQU_OFFICER, post_id, "in_progress", read.version, "已出警"
        )
        assert sweep.sweep().escalated_to_leaders == 0  # its write was stale: the next pass retries
        assert sweep.sweep().escalated_to_leaders == 1
    assert sweep.sweep().escalated_to_leaders == 0

    detail = repos.posts.detail(post_id)
    assert detail is not None and detail.post.escalation_level == 1
    writes = 1 if who_reads_first == "officer" else 2  # the escalation (and the officer's change) each bumped it
    assert detail.post.version == read.version + writes
    assert [e.kind for e in detail.events].count("escalated") == 1
    assert repos.stats.all()["all"]["escalations"] == 1


# -- idempotency ---------------------------------------------------------------------------------


def test_an_idempotency_record_is_stored_with_its_post(repos: Repos) -> None:
    now = datetime.now(UTC)  # the DynamoDB store judges the 24 h expiry by the wall clock
    record = IdempotencyRecord("hash-1", "p1")

    repos.posts.add(make_post("p1", now), event("e1", now), idempotency=("u1#key-1", record))

    assert repos.idempotency.get("u1#key-1") == record
    assert repos.idempotency.get("u1#key-2") is None
    assert repos.idempotency.get("u2#key-1") is None


def test_a_used_idempotency_scope_refuses_a_second_post_and_stores_nothing(repos: Repos) -> None:
    now = datetime.now(UTC)
    repos.posts.add(make_post("p1", now), event("e1", now), idempotency=("u1#key-1", IdempotencyRecord("h1", "p1")))

    with pytest.raises(Conflict):
        repos.posts.add(make_post("p2", now), event("e2", now), idempotency=("u1#key-1", IdempotencyRecord("h2", "p2")))

    assert repos.posts.get("p2") is None
    assert repos.idempotency.get("u1#key-1") == IdempotencyRecord("h1", "p1")


# -- users ---------------------------------------------------------------------------------------


def test_creating_a_user_for_a_known_phone_returns_the_existing_account(repos: Repos) -> None:
    first = User(id="u1", phone="13800001111", nickname="网友A", created_at="2026-03-13T16:05:00+08:00")
    assert repos.users.create(first) == first

    again = repos.users.create(User(id="u2", phone="13800001111", nickname="网友B"))

    assert again == first
    assert repos.users.by_phone("13800001111") == first
    assert repos.users.get("u1") == first
    assert repos.users.get("u2") is None
    assert repos.users.by_phone("13800002222") is None


def test_a_nickname_change_shows_by_id_and_by_phone(repos: Repos) -> None:
    repos.users.create(User(id="u1", phone="13800001111", nickname="网友A"))

    renamed = repos.users.set_nickname("u1", "老王")

    assert renamed.nickname == "老王"
    assert repos.users.get("u1") == renamed
    assert repos.users.by_phone("13800001111") == renamed


def test_renaming_an_unknown_user_is_not_found(repos: Repos) -> None:
    with pytest.raises(NotFound):
        repos.users.set_nickname("u-ghost", "谁")


def test_an_unverified_account_is_verified_by_id_and_by_phone(repos: Repos) -> None:
    opened = repos.users.create(User(id="u1", phone="13800001111", nickname="网友A", verified=False))
    assert repos.users.get("u1") == opened and repos.users.by_phone("13800001111") == opened

    verified = repos.users.verify("u1")

    assert verified == opened.model_copy(update={"verified": True})
    assert repos.users.get("u1") == verified and repos.users.by_phone("13800001111") == verified
    with pytest.raises(NotFound):
        repos.users.verify("u-ghost")


# -- one-time codes ------------------------------------------------------------------------------


def test_an_otp_record_round_trips_and_counts_tries_up_to_the_limit(repos: Repos) -> None:
    expires = datetime(2026, 3, 13, 8, 10, tzinfo=UTC)
    repos.otps.put(OtpRecord("13800001111", "hash", expires))

    assert repos.otps.get("13800001111") == OtpRecord("13800001111", "hash", expires, 0)
    taken = [repos.otps.take_try("13800001111", 3) for _ in range(4)]

    assert taken == [OtpRecord("13800001111", "hash", expires, n) for n in (1, 2, 3)] + [None]
    stored = repos.otps.get("13800001111")
    assert stored is not None and stored.tries == 3


def test_putting_a_new_code_replaces_the_old_one_and_its_tries(repos: Repos) -> None:
    expires = datetime(2026, 3, 13, 8, 10, tzinfo=UTC)
    repos.otps.put(OtpRecord("13800001111", "old", expires))
    repos.otps.take_try("13800001111", 5)

    repos.otps.put(OtpRecord("13800001111", "new", expires + timedelta(minutes=5)))

    assert repos.otps.get("13800001111") == OtpRecord("13800001111", "new", expires + timedelta(minutes=5), 0)


def test_a_deleted_code_is_gone_and_no_try_can_be_taken_on_it(repos: Repos) -> None:
    repos.otps.put(OtpRecord("13800001111", "hash", datetime(2026, 3, 13, 8, 10, tzinfo=UTC)))

    repos.otps.delete("13800001111")

    assert repos.otps.get("13800001111") is None
    assert repos.otps.take_try("13800001111", 5) is None
    assert repos.otps.get("13800001111") is None  # taking a try never creates a code
    repos.otps.delete("13800001111")  # deleting twice is fine


def test_a_code_is_consumed_once_and_only_while_it_is_still_the_same_code(repos: Repos) -> None:
    expires = datetime(2026, 3, 13, 8, 10, tzinfo=UTC)
    repos.otps.put(OtpRecord("13800001111", "old", expires))
    repos.otps.put(OtpRecord("13800001111", "new", expires))

    assert not repos.otps.consume("13800001111", "old")  # replaced meanwhile: the new code stays
    assert repos.otps.consume("13800001111", "new")
    assert not repos.otps.consume("13800001111", "new")
    assert repos.otps.get("13800001111") is None


@pytest.mark.usefixtures("one_request_at_a_time")
def test_concurrent_tries_never_pass_the_limit_and_a_code_is_consumed_by_one_caller(repos: Repos) -> None:
    expires = datetime(2026, 3, 13, 8, 10, tzinfo=UTC)
    repos.otps.put(OtpRecord("13800001111", "hash", expires))
    gate = threading.Barrier(30)

    def take(_: int) -> OtpRecord | None:
        gate.wait()
        return repos.otps.take_try("13800001111", 5)

    with ThreadPoolExecutor(30) as pool:
        taken = list(pool.map(take, range(30)))
        counted = sorted(r.tries for r in taken if r is not None)

        def consume(_: int) -> bool:
            gate.wait()
            return repos.otps.consume("13800001111", "hash")

        consumed = list(pool.map(consume, range(30)))

    assert counted == [1, 2, 3, 4, 5]
    assert consumed.count(True) == 1


# -- directory -----------------------------------------------------------------------------------


CENTER = Unit(id="command-center", name="包头市公安局指挥中心", kind="command_center", public_contact="0472-110")
KUNQU = Unit(id="kunqu", name="昆都仑区公安分局", kind="station", district="昆都仑区", parent_id="command-center")
WANG = Officer(
    id="o-kunqu", name="王警官", title="社区民警", phone="13900000003", email="wang@example.org", unit_id="kunqu"
)
ZHAO = Officer(id="o-kunqu2", name="赵警官", title="社区民警", phone="13900000006", unit_id="kunqu", on_duty=False)
LIU = Officer(
    id="o-center", name="刘宇", title="指挥中心大队长", phone="13900000002", unit_id="command-center", role="leader"
)


def test_units_round_trip_and_a_put_replaces(repos: Repos) -> None:
    repos.directory.put_unit(KUNQU)
    repos.directory.put_unit(CENTER)
    renamed = KUNQU.model_copy(update={"name": "昆区分局"})

    repos.directory.put_unit(renamed)

    assert repos.directory.units() == [CENTER, renamed]
    assert repos.directory.unit("kunqu") == renamed
    assert repos.directory.unit("nowhere") is None


def test_officers_are_found_by_id_phone_and_unit(repos: Repos) -> None:
    for officer in (ZHAO, LIU, WANG):
        repos.directory.put_officer(officer)

    assert repos.directory.officer("o-kunqu") == WANG
    assert repos.directory.officer("o-ghost") is None
    assert repos.directory.officers() == [LIU, WANG, ZHAO]
    assert repos.directory.officer_by_phone("13900000002") == LIU
    assert repos.directory.officer_by_phone("13800001111") is None
    assert repos.directory.officers_of("kunqu") == [WANG, ZHAO]
    assert repos.directory.officers_of("command-center") == [LIU]
    assert repos.directory.officers_of("qingfu") == []


def test_a_unit_and_its_officers_are_read_together_and_its_officers_alone_leave_the_unit_out(repos: Repos) -> None:
    repos.directory.put_unit(KUNQU)
    for officer in (ZHAO, LIU, WANG):
        repos.directory.put_officer(officer)

    assert repos.directory.unit_with_officers("kunqu") == (KUNQU, [WANG, ZHAO])
    assert repos.directory.unit_with_officers("command-center") == (None, [LIU])  # not in the directory
    assert repos.directory.officers_of("kunqu") == [WANG, ZHAO]


def test_an_officer_who_moves_unit_and_phone_is_found_only_by_the_new_ones(repos: Repos) -> None:
    repos.directory.put_officer(WANG)
    moved = WANG.model_copy(update={"unit_id": "command-center", "phone": "13900000009"})

    repos.directory.put_officer(moved)

    assert repos.directory.officer_by_phone("13900000003") is None
    assert repos.directory.officer_by_phone("13900000009") == moved
    assert repos.directory.officers_of("kunqu") == []
    assert repos.directory.officers_of("command-center") == [moved]


def test_an_officers_session_stamp_is_stored_with_the_record_but_never_dumped(repos: Repos) -> None:
    stamped = WANG.model_copy(update={"sessions": "s1"})

    repos.directory.put_officer(stamped)

    for found in (
        repos.directory.officer("o-kunqu"),
        repos.directory.officer("o-kunqu", consistent=True),
        repos.directory.officer_by_phone(WANG.phone),
        *repos.directory.officers_of("kunqu"),
    ):
        assert found is not None and found.sessions == "s1"
    assert "sessions" not in stamped.model_dump()


def test_a_removed_officer_is_gone_with_the_record_of_subscriptions(repos: Repos) -> None:
    for officer in (WANG, LIU):
        repos.directory.put_officer(officer)
    repos.directory.set_subscriptions("o-kunqu", ["arn:sms"])

    repos.directory.remove_officer("o-kunqu")
    repos.directory.remove_officer("o-ghost")  # an unknown officer: nothing happens

    assert repos.directory.officer("o-kunqu", consistent=True) is None
    assert repos.directory.officer_by_phone(WANG.phone) is None
    assert repos.directory.officers_of("kunqu") == []
    assert repos.directory.subscriptions("o-kunqu") == []
    assert repos.directory.officers() == [LIU]


def test_a_reply_link_round_trips_with_its_session_stamp(repos: Repos) -> None:
    at = datetime(2026, 3, 16, 8, 5, tzinfo=UTC)
    repos.links.put("h1", ReplyLink("o-kunqu", "p1", at, "s1"))
    repos.links.put("h2", ReplyLink("o-kunqu", "p2", at))

    assert repos.links.get("h1") == ReplyLink("o-kunqu", "p1", at, "s1")
    assert repos.links.get("h2") == ReplyLink("o-kunqu", "p2", at, "")
    assert repos.links.get("h3") is None


def test_routing_is_empty_until_put_and_then_round_trips(repos: Repos) -> None:
    assert repos.directory.routing() == Routing()
    routing = Routing(
        rules=(
            RoutingRule(board="report", district="昆都仑区", unit_id="kunqu"),
            RoutingRule(board="traffic", type="help", unit_id="command-center"),
        ),
        default_unit_id="command-center",
    )

    repos.directory.put_routing(routing)
    repos.directory.put_routing(routing)

    assert repos.directory.routing() == routing


# -- one-time effects, figures and rate counters ---------------------------------------------------


def test_an_effect_is_claimed_once_until_a_stale_claim_may_be_taken_over(repos: Repos) -> None:
    assert repos.ledger.claim("p1", "notify#1#o-kunqu", T0)
    assert not repos.ledger.claim("p1", "notify#1#o-kunqu", T0 + timedelta(seconds=60))
    assert repos.ledger.claim("p2", "notify#1#o-kunqu", T0)  # another post's effect is its own

    assert repos.ledger.claim("p1", "notify#1#o-kunqu", T0 + timedelta(seconds=62))


def test_a_confirmed_effect_is_never_claimed_again(repos: Repos) -> None:
    assert repos.ledger.claim("p1", "sms#reply#r1", T0)

    repos.ledger.confirm("p1", "sms#reply#r1")

    assert not repos.ledger.claim("p1", "sms#reply#r1", T0 + timedelta(days=30), stale_after=0)


def test_effects_claimed_together_leave_out_the_ones_taken_or_done_and_confirm_together(repos: Repos) -> None:
    assert repos.ledger.claim("p1", "notify#1#o-a", T0)  # taken by another delivery, still sending
    assert repos.ledger.claim("p1", "notify#1#o-b", T0)
    repos.ledger.confirm("p1", "notify#1#o-b")  # done

    claimed = repos.ledger.claim_many("p1", ["notify#1#o-a", "notify#1#o-b", "notify#1#o-c", "notify#1#o-d"], T0)
    repos.ledger.confirm_many("p1", sorted(claimed))

    assert claimed == {"notify#1#o-c", "notify#1#o-d"}
    later = T0 + timedelta(days=1)
    assert repos.ledger.claim_many("p1", ["notify#1#o-a", "notify#1#o-c", "notify#1#o-d"], later) == {"notify#1#o-a"}


def test_links_written_together_are_each_found_by_their_code(repos: Repos) -> None:
    at = datetime(2026, 3, 16, 8, 5, tzinfo=UTC)
    links = {f"hash-{n}": ReplyLink(f"o-{n}", "p1", at, "s1") for n in range(30)}  # more than one batch of 25

    repos.links.put_many(links)

    assert all(repos.links.get(code) == link for code, link in links.items())


def test_a_fact_counted_once_counts_once_however_often_it_is_told(repos: Repos) -> None:
    assert repos.stats.add_once("p1", "deadline", ["all", "kunqu"], {"with_deadline": 1}, "2026-03-13")
    assert not repos.stats.add_once("p1", "deadline", ["all", "kunqu"], {"with_deadline": 1}, "2026-03-13")
    assert repos.stats.add_once("p2", "deadline", ["all"], {"with_deadline": 1}, "2026-03-13")

    assert repos.stats.all()["all"]["with_deadline"] == 2 and repos.stats.all()["kunqu"]["with_deadline"] == 1
    assert repos.stats.days("all", "2026-03-13", "2026-03-13")["2026-03-13"]["with_deadline"] == 2


def test_a_released_effect_may_be_claimed_again_at_once(repos: Repos) -> None:
    assert repos.ledger.claim("p1", "cad-handoff", T0)

    repos.ledger.release("p1", "cad-handoff")

    assert repos.ledger.claim("p1", "cad-handoff", T0)


def test_figures_add_up_per_scope(repos: Repos) -> None:
    assert repos.stats.all() == {}

    repos.stats.add(["all", "kunqu"], {"replies": 1, "official_replies": 1})
    repos.stats.add(["all"], {"posts": 1, "replies": 1})
    repos.stats.add(["all"], {"posts": 1})

    assert repos.stats.all() == {
        "all": {"posts": 2, "replies": 2, "official_replies": 1},
        "kunqu": {"replies": 1, "official_replies": 1},
    }


def test_an_interval_counter_admits_once_per_interval_and_says_how_long_to_wait(repos: Repos) -> None:
    assert repos.counters.take_interval("post#u1", 30, T0) == 0
    assert repos.counters.take_interval("post#u1", 30, T0 + timedelta(seconds=10)) == 20
    assert repos.counters.take_interval("post#u2", 30, T0 + timedelta(seconds=10)) == 0

    assert repos.counters.take_interval("post#u1", 30, T0 + timedelta(seconds=30)) == 0


def test_a_quota_counter_admits_up_to_its_limit(repos: Repos) -> None:
    until = T0 + timedelta(hours=1)

    taken = [repos.counters.take_quota("otph#13800001111", 2, until) for _ in range(3)]

    assert taken == [True, True, False]
    assert repos.counters.take_quota("otph#13800002222", 2, until)


def test_a_quota_use_given_back_can_be_taken_again_but_never_below_zero(repos: Repos) -> None:
    until = T0 + timedelta(hours=1)
    assert [repos.counters.take_quota("otpc#203.0.113.7", 2, until) for _ in range(3)] == [True, True, False]

    repos.counters.release_quota("otpc#203.0.113.7")
    repos.counters.release_quota("otpc#never-taken")

    assert [repos.counters.take_quota("otpc#203.0.113.7", 2, until) for _ in range(2)] == [True, False]
    assert repos.counters.take_quota("otpc#never-taken", 1, until)


def audit(entry_id: str, at: datetime, action: str = "pin") -> AuditEntry:
    return AuditEntry(
        entry_id,
        at,
        "o-admin",
        "admin",
        action,
        "post:p1",
        {"status": "received", "pin": None},
        {"status": "received", "pin": {"scope": "global"}},
    )


def test_the_audit_trail_reads_a_month_newest_first_page_by_page(repos: Repos) -> None:
    march = [audit(f"a{n}", datetime(2026, 3, 1 + n, 8, tzinfo=UTC)) for n in range(3)]
    for entry in [*march, audit("a-april", datetime(2026, 4, 1, 8, tzinfo=UTC), "unpin")]:
        repos.audit.record(entry)

    first, after = repos.audit.month("2026-03", 2, None)
    rest, end = repos.audit.month("2026-03", 2, after)

    assert first == [march[2], march[1]] and after is not None
    assert (rest, end) == ([march[0]], None)
    assert [e.action for e in repos.audit.month("2026-04", 10, None)[0]] == ["unpin"]
    assert repos.audit.month("2026-05", 10, None) == ([], None)
