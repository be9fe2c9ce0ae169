"""The admin's use cases on fakes: the directory, routing rules and pins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from chalicelib.domain.errors import NotFound, ValidationFailed
from chalicelib.domain.people import Officer, Routing, RoutingRule, Unit
from chalicelib.domain.posts import Event, Post
from chalicelib.services.admin import Admin
from tests.fakes import (
    FixedClock,
    InMemoryAuditLog,
    InMemoryDirectoryRepository,
    InMemoryPostRepository,
    RecordingOfficerChannel,
)
from tests.unit.world import ADMIN, ROUTING, a_post, build_admin, seeded_directory


@dataclass
class World:
    admin: Admin
    posts: InMemoryPostRepository
    directory: InMemoryDirectoryRepository
    channel: RecordingOfficerChannel
    clock: FixedClock
    trail: InMemoryAuditLog


@pytest.fixture
def world() -> World:
    posts, directory, channel, clock, trail = (
        InMemoryPostRepository(),
        seeded_directory(),
        RecordingOfficerChannel(),
        FixedClock(),
        InMemoryAuditLog(),
    )
    admin = build_admin(posts=posts, directory=directory, officers=channel, clock=clock, audit=trail)
    return World(admin, posts, directory, channel, clock, trail)


def officer(**changes: object) -> Officer:
    base = Officer(id="o-new", name="赵警官", title="社区民警", phone="13900000009", unit_id="kunqu")
    return base.model_copy(update=changes)


def test_a_unit_under_an_unknown_parent_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed) as raised:
        world.admin.put_unit(Unit(id="x", name="某派出所", kind="station", parent_id="nowhere"), by=ADMIN)

    assert "parent_id" in raised.value.fields
    assert world.directory.unit("x") is None
    assert world.trail.entries == []


def test_a_unit_may_be_replaced(world: World) -> None:
    renamed = Unit(id="kunqu", name="昆区分局", kind="station", parent_id="command-center")

    world.admin.put_unit(renamed, by=ADMIN)

    assert world.directory.unit("kunqu") == renamed
    [entry] = world.trail.entries
    assert (entry.actor, entry.role, entry.action, entry.target) == ("o-admin", "admin", "put_unit", "unit:kunqu")
    assert entry.before is not None and entry.before["name"] == "昆都仑区公安分局"
    assert entry.after is not None and entry.after["name"] == "昆区分局"


def test_a_new_officer_is_stored_and_subscribed_for_notices(world: World) -> None:
    world.admin.put_officer(officer(email="zhao@example.org"), by=ADMIN)

    stored = world.directory.officer("o-new")
    assert stored is not None and stored.model_dump() == officer(email="zhao@example.org").model_dump()
    # E-mail only: SMS to officers go through the SMS port as approved templates, not through the topic.
    assert world.directory.subscriptions("o-new") == ["sub:o-new:email:zhao@example.org"]


def test_an_officer_is_resubscribed_only_when_phone_or_email_change(world: World) -> None:
    world.admin.put_officer(officer(email="zhao@example.org"), by=ADMIN)
    world.admin.put_officer(officer(email="zhao@example.org", title="副所长", on_duty=False), by=ADMIN)
    assert len(world.channel.synced) == 1

    world.admin.put_officer(officer(email="zhao.new@example.org"), by=ADMIN)

    assert world.channel.synced[-1] == ("o-new", ["sub:o-new:email:zhao@example.org"])
    assert world.directory.subscriptions("o-new") == ["sub:o-new:email:zhao.new@example.org"]


def stamp(world: World, officer_id: str = "o-new") -> str:
    found = world.directory.officer(officer_id)
    assert found is not None
    return found.sessions


def test_a_new_role_unit_or_duty_keeps_the_session_stamp_and_a_new_phone_changes_it(world: World) -> None:
    world.admin.put_officer(officer(), by=ADMIN)
    first = stamp(world)

    world.admin.put_officer(officer(role="leader", unit_id="qingfu", on_duty=False), by=ADMIN)
    kept = stamp(world)
    world.admin.put_officer(officer(phone="13900000010"), by=ADMIN)

    assert first and kept == first
    assert stamp(world) not in ("", first)
    assert all("sessions" not in (entry.after or {}) for entry in world.trail.entries)  # never in the trail


def test_removing_an_officer_drops_the_record_and_the_subscriptions_and_is_audited(world: World) -> None:
    world.admin.put_officer(officer(email="zhao@example.org"), by=ADMIN)
    world.trail.entries.clear()

    world.admin.remove_officer("o-new", by=ADMIN)

    assert world.directory.officer("o-new") is None and world.directory.subscriptions("o-new") == []
    assert world.channel.dropped == ["sub:o-new:email:zhao@example.org"]
    [entry] = world.trail.entries
    assert (entry.action, entry.target, entry.after) == ("remove_officer", "officer:o-new", None)
    assert entry.before is not None and entry.before["phone"] == "13900000009"


def test_removing_an_unknown_officer_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        world.admin.remove_officer("o-ghost", by=ADMIN)

    assert world.trail.entries == [] and world.channel.dropped == []


def test_an_officer_put_again_after_removal_gets_a_new_stamp(world: World) -> None:
    world.admin.put_officer(officer(), by=ADMIN)
    before = stamp(world)
    world.admin.remove_officer("o-new", by=ADMIN)

    world.admin.put_officer(officer(), by=ADMIN)

    assert stamp(world) not in ("", before)


def test_an_officer_of_an_unknown_unit_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed) as raised:
        world.admin.put_officer(officer(unit_id="nowhere"), by=ADMIN)

    assert "unit_id" in raised.value.fields
    assert world.directory.officer("o-new") is None and world.channel.synced == []


def test_a_phone_belongs_to_one_officer_only(world: World) -> None:
    with pytest.raises(ValidationFailed) as raised:
        world.admin.put_officer(officer(phone="13900000003"), by=ADMIN)  # 王警官's

    assert "phone" in raised.value.fields
    assert world.directory.officer("o-new") is None


def test_routing_defaults_to_the_command_center(world: World) -> None:
    assert world.admin.routing() == ROUTING.model_copy(update={"default_unit_id": "command-center"})


def test_routing_keeps_a_default_that_was_set(world: World) -> None:
    routing = Routing(rules=(), default_unit_id="qingfu")

    assert world.admin.put_routing(routing, by=ADMIN) == routing
    assert world.directory.routing() == routing


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (RoutingRule(board="nowhere", unit_id="kunqu"), "rules[1].board"),
        (RoutingRule(board="report", type="rumour", unit_id="kunqu"), "rules[1].type"),
        (RoutingRule(board="report", district="朝阳区", unit_id="kunqu"), "rules[1].district"),
        (RoutingRule(board="report", unit_id="nowhere"), "rules[1].unit_id"),
    ],
)
def test_a_routing_rule_naming_something_unknown_replaces_nothing(world: World, rule: RoutingRule, field: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        world.admin.put_routing(Routing(rules=(RoutingRule(board="qa", unit_id="kunqu"), rule)), by=ADMIN)

    assert field in raised.value.fields
    assert world.directory.routing() == ROUTING


def test_an_unknown_default_unit_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed) as raised:
        world.admin.put_routing(Routing(default_unit_id="nowhere"), by=ADMIN)

    assert "default_unit_id" in raised.value.fields


def add_post(world: World) -> Post:
    now = world.clock.now()
    post = a_post(now)
    world.posts.add(post, Event(id="e1", at=now, kind="received", text="已收悉"))
    return post


def test_pinning_and_unpinning_each_make_a_new_version(world: World) -> None:
    add_post(world)
    until = world.clock.now() + timedelta(days=1)

    pinned = world.admin.pin("p1", "board", until, by=ADMIN)
    world.clock.advance(hours=1)
    unpinned = world.admin.unpin("p1", by=ADMIN)

    assert (pinned.version, unpinned.version) == (2, 3)
    assert pinned.pin is not None and pinned.pin.until == until
    assert world.posts.get("p1") == unpinned and unpinned.pin is None
    assert world.trail.actions() == [("o-admin", "pin", "post:p1"), ("o-admin", "unpin", "post:p1")]


def test_unpinning_a_post_without_a_pin_changes_nothing(world: World) -> None:
    post = add_post(world)

    assert world.admin.unpin("p1", by=ADMIN) == post
    assert world.posts.get("p1") == post
    assert world.trail.entries == []


def test_a_pin_that_ends_in_the_past_is_refused(world: World) -> None:
    post = add_post(world)

    with pytest.raises(ValidationFailed):
        world.admin.pin("p1", "global", world.clock.now() - timedelta(minutes=1), by=ADMIN)

    assert world.posts.get("p1") == post


def test_pinning_a_missing_post_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        world.admin.pin("p-missing", "global", None, by=ADMIN)
