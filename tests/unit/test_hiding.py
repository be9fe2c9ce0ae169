"""Hiding and showing a post again on fakes, through the bootstrap: each change audited with before and after."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import NotFound
from chalicelib.domain.people import Actor
from tests.unit.services import Station, station
from tests.unit.world import ADMIN, CITIZEN, KUNQU_OFFICER, OTHER_CITIZEN


def hidden_for(actor: Actor, s: Station, post_id: str) -> bool:
    """Tell whether `post_id` is out of sight for an actor (the public's answer is: not found)."""
    try:
        s.svc.feeds.detail(actor, post_id)
    except NotFound:
        return True
    return False


def test_an_admin_hides_a_post_and_shows_it_again_each_audited_once() -> None:
    s = station()
    post = s.post()

    s.svc.moderation.set_hidden(ADMIN, post.id, True, "广告")
    s.svc.moderation.set_hidden(ADMIN, post.id, True, "广告")  # already hidden: nothing to record
    assert hidden_for(OTHER_CITIZEN, s, post.id)
    assert not hidden_for(CITIZEN, s, post.id) and not hidden_for(KUNQU_OFFICER, s, post.id)

    shown = s.svc.moderation.set_hidden(ADMIN, post.id, False, None)

    assert not shown.hidden and shown.hidden_reason is None
    assert not hidden_for(OTHER_CITIZEN, s, post.id)
    entries = [e for e in s.audit.entries if e.target == f"post:{post.id}"]
    assert [(e.actor, e.role, e.action) for e in entries] == [
        ("o-admin", "admin", "hide"),
        ("o-admin", "admin", "unhide"),
    ]
    hide, unhide = entries
    assert hide.before is not None and hide.after is not None and unhide.before is not None and unhide.after is not None
    assert (hide.before["hidden"], hide.after["hidden"], hide.after["hidden_reason"]) == (False, True, "广告")
    assert (unhide.before["hidden"], unhide.after["hidden"]) == (True, False)
    assert hide.after["version"] > hide.before["version"]


def test_hiding_a_missing_post_is_not_found() -> None:
    with pytest.raises(NotFound):
        station().svc.moderation.set_hidden(ADMIN, "p-missing", True, "广告")


def test_the_third_established_account_hides_a_post_audited_as_the_system() -> None:
    s = station()
    post = s.post()
    established = int(s.clock.now().timestamp()) - 30 * 24 * 3600
    accounts = [
        Actor(role="citizen", user_id=f"u_elder{n}", nickname="网友", account_created=established) for n in range(3)
    ]

    for account in accounts:
        s.svc.moderation.flag(account, post.id, "广告")

    assert hidden_for(OTHER_CITIZEN, s, post.id)
    assert [(a, action) for a, action, _ in s.audit.actions()] == [("system", "hide")]
    (entry,) = s.audit.entries
    assert entry.after is not None and entry.after["hidden_reason"] == "flagged"
