"""The work queue's reads, one contract for the in-memory fake and the DynamoDB index on moto: a reply or a
save moves a post between views, and each view reads in its order, with its filters, counts and cursor."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.errors import StaleVersion
from chalicelib.domain.posts import Post, Reply, UnitRef
from chalicelib.domain.status import Status
from chalicelib.services.ports import WorkFilter
from tests.integration.test_repositories import T0, Repos, add, make_post, reply, repos, stack, table_name

__all__ = ["repos", "stack", "table_name"]  # the fixtures, shared with the repositories' contract
KUNQU = UnitRef(id="kunqu", name="昆都仑区公安分局")
QINGFU = UnitRef(id="qingfu", name="东河区青福派出所")
LATER = T0 + timedelta(hours=1)  # every report below is past its 15-minute deadline by then
EVERYTHING = WorkFilter()


def assigned(post_id: str, minutes: int, unit: UnitRef = KUNQU, **fields: object) -> Post:
    return make_post(post_id, T0 + timedelta(minutes=minutes), assigned_unit=unit, status="dispatched", **fields)


def page_ids(repos: Repos, unit: str | None, view: str, **kw: object) -> list[str]:
    found = repos.posts.work_page(unit, view, LATER, 10, None, kw.get("only", EVERYTHING))  # type: ignore[arg-type]
    return [p.id for p in found.posts]


def test_overdue_is_longest_first_and_due_after_now_with_exact_counts(repos: Repos) -> None:
    for post_id, minutes in (("p-b", 10), ("p-a", 0), ("p-late", 50)):
        add(repos, assigned(post_id, minutes))
    add(repos, assigned("p-q", 5, QINGFU))
    add(repos, make_post("p-unassigned"))  # no unit: in no queue

    assert page_ids(repos, "kunqu", "overdue") == ["p-a", "p-b"]
    assert page_ids(repos, "kunqu", "due") == ["p-late"]
    assert page_ids(repos, None, "overdue") == ["p-a", "p-q", "p-b"]
    assert repos.posts.work_count("kunqu", "overdue", LATER, EVERYTHING) == 2
    assert repos.posts.work_count(None, "overdue", LATER, EVERYTHING) == 3
    assert repos.posts.work_count(None, "in_progress", LATER, EVERYTHING) == 0
    marks = repos.posts.work_marks("overdue", LATER)
    assert [(m.post_id, m.unit_id) for m in marks] == [("p-a", "kunqu"), ("p-q", "qingfu"), ("p-b", "kunqu")]


def test_a_page_and_its_cursor_cover_the_view_once(repos: Repos) -> None:
    for n in range(5):
        add(repos, assigned(f"p{n}", n))
    first = repos.posts.work_page("kunqu", "overdue", LATER, 2, None, EVERYTHING)
    second = repos.posts.work_page("kunqu", "overdue", LATER, 2, first.next_key, EVERYTHING)
    third = repos.posts.work_page("kunqu", "overdue", LATER, 2, second.next_key, EVERYTHING)

    assert [p.id for page in (first, second, third) for p in page.posts] == ["p0", "p1", "p2", "p3", "p4"]
    assert third.next_key is None


def test_board_and_district_filter_the_page_and_the_count_alike(repos: Repos) -> None:
    add(repos, assigned("p-report", 0))
    add(repos, assigned("p-qa", 1, board="qa"))
    add(repos, assigned("p-donghe", 2, district="东河区"))

    only = WorkFilter(board="report", district="昆都仑区")
    assert page_ids(repos, "kunqu", "overdue", only=only) == ["p-report"]
    assert repos.posts.work_count("kunqu", "overdue", LATER, only) == 1
    assert repos.posts.work_count("kunqu", "overdue", LATER, WorkFilter(board="qa")) == 1


def test_an_official_reply_then_the_authors_follow_up_move_the_post_in_the_same_write(repos: Repos) -> None:
    post = add(repos, assigned("p1", 0))
    official = reply("r1", "p1", T0 + timedelta(minutes=1), official=True)
    repos.posts.add_reply(official, post=post)
    assert page_ids(repos, "kunqu", "overdue") == [] and page_ids(repos, "kunqu", "in_progress") == ["p1"]

    read = repos.posts.get("p1")
    assert read is not None
    follow_up = Reply(
        id="r2", post_id="p1", body="还没人来", created_at=T0 + timedelta(minutes=2), author_id="u1", nickname="网友A"
    )
    repos.posts.add_reply(follow_up, post=read)

    assert page_ids(repos, "kunqu", "followups") == ["p1"] and page_ids(repos, None, "followups") == ["p1"]
    stored = repos.posts.get("p1")
    assert stored is not None and stored.latest_followup_at == follow_up.created_at


def test_a_reply_on_a_stale_copy_is_refused_and_changes_nothing(repos: Repos) -> None:
    post = add(repos, assigned("p1", 0))
    moved = post.model_copy(update={"status": Status.IN_PROGRESS, "version": post.version + 1})
    repos.posts.update(moved, post.version)

    with pytest.raises(StaleVersion):
        repos.posts.add_reply(reply("r1", "p1", T0 + timedelta(minutes=1), official=True), post=post)

    stored = repos.posts.get("p1")
    assert stored is not None and stored.reply_count == 0 and page_ids(repos, "kunqu", "overdue") == ["p1"]


def test_a_save_of_a_copy_read_before_a_reply_keeps_the_reply_and_lands_in_its_view(repos: Repos) -> None:
    post = add(repos, assigned("p1", 0))
    repos.posts.add_reply(reply("r1", "p1", T0 + timedelta(minutes=1), official=True), post=post)

    repos.posts.update(post.model_copy(update={"status": Status.ACKNOWLEDGED, "version": post.version + 1}), 1)

    stored = repos.posts.get("p1")
    assert stored is not None and (stored.status, stored.reply_count) == ("acknowledged", 1)
    assert page_ids(repos, "kunqu", "in_progress") == ["p1"] and page_ids(repos, "kunqu", "overdue") == []
