"""A small police directory and the people who act in the unit tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.bootstrap import Services, build
from chalicelib.config import Settings
from chalicelib.domain.people import Actor, Officer, Routing, RoutingRule, Unit
from chalicelib.domain.posts import Post
from chalicelib.services.admin import Admin
from chalicelib.services.forum import Forum
from chalicelib.services.identity import Identity
from chalicelib.services.limits import Limits, LimitSettings
from chalicelib.services.supervision import Supervision
from tests.fakes import (
    InMemoryCounters,
    InMemoryDirectoryRepository,
)

UNITS = (
    Unit(id="command-center", name="包头市公安局指挥中心", kind="command_center", public_contact="0472-110"),
    Unit(id="kunqu", name="昆都仑区公安分局", kind="station", district="昆都仑区", parent_id="command-center"),
    Unit(id="qingfu", name="东河区青福派出所", kind="station", district="东河区", parent_id="command-center"),
)
OFFICERS = (
    Officer(id="o-chief", name="卜连海", title="局长", phone="13900000001", unit_id="command-center", role="leader"),
    Officer(id="o-center", name="刘宇", title="指挥中心大队长", phone="13900000002", unit_id="command-center"),
    Officer(id="o-kunqu", name="王警官", title="社区民警", phone="13900000003", unit_id="kunqu"),
    Officer(id="o-qingfu", name="李警官", title="值班民警", phone="13900000004", unit_id="qingfu"),
    Officer(
        id="o-admin",
        name="张管理",
        title="平台管理员",
        phone="13900000005",
        unit_id="command-center",
        role="admin",
        on_duty=False,
    ),
)
DISTRICTS = ("昆都仑区", "东河区")
TOKEN_KEYS = (("k1", "test-signing-secret-0123456789abcdef"),)
ROUTING = Routing(
    rules=(
        RoutingRule(board="report", district="昆都仑区", unit_id="kunqu"),
        RoutingRule(board="report", district="东河区", unit_id="qingfu"),
    )
)

CITIZEN = Actor(role="citizen", user_id="u_citizen", nickname="网友A1B2C3")
OTHER_CITIZEN = Actor(role="citizen", user_id="u_other", nickname="网友D4E5F6")
KUNQU_OFFICER = Actor(role="officer", user_id="o-kunqu", nickname="王警官", officer_id="o-kunqu")
QINGFU_OFFICER = Actor(role="officer", user_id="o-qingfu", nickname="李警官", officer_id="o-qingfu")
CENTER_OFFICER = Actor(role="officer", user_id="o-center", nickname="刘宇", officer_id="o-center")
LEADER = Actor(role="leader", user_id="o-chief", nickname="卜连海", officer_id="o-chief")
ADMIN = Actor(role="admin", user_id="o-admin", nickname="张管理", officer_id="o-admin")
ANONYMOUS = Actor(role="anonymous")


def a_post(at: datetime, **fields: Any) -> Post:
    """A post by 网友A created and last updated at `at`: a question on the Q&A board unless fields say otherwise."""
    values: dict[str, Any] = {
        "id": "p1",
        "board": "qa",
        "type": "question",
        "title": "标题",
        "body": "正文",
        "author_id": "u1",
        "author_nickname": "网友A",
        "created_at": at,
        "updated_at": at,
    }
    return Post(**{**values, **fields})


def link_session(post_id: str) -> Actor:
    """The session a notification link gives the Kunqu officer for one post."""
    return Actor(role="officer", user_id="o-kunqu", nickname="王警官", officer_id="o-kunqu", link_post_id=post_id)


def seeded_directory() -> InMemoryDirectoryRepository:
    """Return a directory holding the units, officers and routing above."""
    directory = InMemoryDirectoryRepository()
    for unit in UNITS:
        directory.put_unit(unit)
    for officer in OFFICERS:
        directory.put_officer(officer)
    directory.put_routing(ROUTING)
    return directory


def no_limits() -> Limits:
    """Limits that admit everything, for tests about something else."""
    return Limits(InMemoryCounters(), LimitSettings.parse("off"))


SETTINGS = Settings(stage="test", token_keys=TOKEN_KEYS, districts=DISTRICTS, sms_provider="log")


def build_services(**ports: Any) -> Services:
    """Bind every use case to fakes through the app's own bootstrap (limits off); keyword arguments replace any."""
    from tests.unit.services import SETTINGS, fake_ports

    return build(SETTINGS, **fake_ports(**{"limits": no_limits(), **ports}))


def build_forum(**ports: Any) -> Forum:
    """Bind the forum to fakes; keyword arguments replace any of them."""
    return build_services(**ports).forum


def build_admin(**ports: Any) -> Admin:
    """Bind the admin's use cases to fakes; keyword arguments replace any of them."""
    return build_services(**ports).admin


def build_identity(**ports: Any) -> Identity:
    """Bind identity to fakes; keyword arguments replace any of them."""
    return build_services(**ports).identity


def build_supervision(**ports: Any) -> Supervision:
    """Bind the sweep (and the notices it sends) to fakes; keyword arguments replace any of them."""
    return build_services(**ports).supervision
