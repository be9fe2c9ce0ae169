"""The unit of work (PostStore) and effects that happen once (once), on fakes."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from chalicelib.domain.errors import NotFound, StaleVersion
from chalicelib.domain.posts import Event, Post
from chalicelib.domain.status import Status
from chalicelib.services.once import once
from chalicelib.services.store import Message, PostStore
from tests import fakes
from tests.unit.test_posts import LATER, T0, post


def stored(status: str = "received") -> tuple[PostStore, fakes.InMemoryPostRepository, fakes.RecordingDispatchQueue]:
    repo, queue = fakes.InMemoryPostRepository(), fakes.RecordingDispatchQueue()
    repo.add(post(status), Event(id="e0", at=T0, kind="received", text="已收悉"))
    return PostStore(repo, queue), repo, queue


def timeline(repo: fakes.InMemoryPostRepository) -> list[str]:
    detail = repo.detail("p1")
    assert detail is not None
    return [e.kind for e in detail.events]


def test_a_save_bumps_the_version_writes_the_events_with_the_post_and_then_queues_the_messages() -> None:
    store, repo, queue = stored("dispatched")
    read = store.get("p1")
    assert read is not None
    change = read.move_to(Status.RESOLVED, LATER, read.version, by="王警官")
    saved = store.save(read, change, [Message("resolved")])
    assert saved.version == read.version + 1 == repo.get("p1").version  # type: ignore[union-attr]
    assert saved.status == Status.RESOLVED and timeline(repo) == ["received", "resolved"]
    assert [(m.post_id, m.kind) for m in queue.messages] == [("p1", "resolved")]


def test_a_save_from_a_stale_copy_writes_nothing_and_sends_nothing() -> None:
    store, repo, queue = stored("dispatched")
    first, second = store.get("p1"), store.get("p1")
    assert first is not None and second is not None
    store.save(first, first.move_to(Status.ACKNOWLEDGED, LATER, first.version, by="王警官"))
    with pytest.raises(StaleVersion):
        store.save(second, second.move_to(Status.RESOLVED, LATER, second.version, by="李警官"), [Message("resolved")])
    assert repo.get("p1").status == Status.ACKNOWLEDGED  # type: ignore[union-attr]
    assert timeline(repo) == ["received", "acknowledged"] and queue.messages == []


def test_a_queue_that_fails_after_the_commit_leaves_the_change_stored_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store, repo, queue = stored("dispatched")
    queue.failing = True
    read = store.get("p1")
    assert read is not None
    with caplog.at_level(logging.ERROR):
        saved = store.save(read, read.move_to(Status.RESOLVED, LATER, read.version, by="王警官"), [Message("resolved")])
    assert repo.get("p1") == saved and saved.status == Status.RESOLVED
    assert any("could not queue work" in r.getMessage() for r in caplog.records)


def test_retry_decides_again_on_the_post_another_writer_left() -> None:
    repo = fakes.InMemoryPostRepository()
    repo.add(post("dispatched"), Event(id="e0", at=T0, kind="received", text="已收悉"))
    interleaved = fakes.InterleavedPosts(repo)
    store = PostStore(interleaved, fakes.RecordingDispatchQueue())
    other = PostStore(repo, fakes.RecordingDispatchQueue())

    def officer_acknowledges() -> None:
        read = other.get("p1")
        assert read is not None
        other.save(read, read.move_to(Status.ACKNOWLEDGED, LATER, read.version, by="王警官"))

    interleaved.meanwhile = officer_acknowledges
    seen: list[str] = []

    def escalate(read: Post) -> Post:
        seen.append(read.status)
        return read.model_copy(update={"escalation_level": read.escalation_level + 1})

    saved = store.retry("p1", escalate)
    assert seen == [Status.DISPATCHED, Status.ACKNOWLEDGED]  # the first decision was on a copy another write replaced
    assert (saved.status, saved.escalation_level, saved.version) == (Status.ACKNOWLEDGED, 1, 3)
    assert store.retry("p1", lambda read: None) == repo.get("p1")  # nothing to write: the post as it is
    with pytest.raises(NotFound):
        store.retry("missing", lambda read: None)


def test_once_carries_out_an_effect_once_and_gives_the_claim_back_when_it_fails() -> None:
    ledger, done = fakes.InMemoryNoticeLedger(), []

    def failing() -> None:
        raise ConnectionError("SMS gateway down")

    with pytest.raises(ConnectionError):
        once(ledger, "p1", "sms:author", T0, failing)
    assert once(ledger, "p1", "sms:author", T0, lambda: done.append("sent")) is True  # the retry takes the claim
    assert once(ledger, "p1", "sms:author", T0 + timedelta(hours=1), lambda: done.append("again")) is False
    assert once(ledger, "p1", "sms:officer", T0, lambda: done.append("other key")) is True
    assert done == ["sent", "other key"]
