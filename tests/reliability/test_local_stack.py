"""The whole local stack over HTTP: many callers at once on one post, a restart in the middle of work, and kill -9.

One `python -m local.devstack` serves the module (chalice local in threads, moto serving one request at a
time); one test stops it with Ctrl-C while writes are arriving and starts it again on the same data, the last
kills its whole process group with SIGKILL right after a 201 and starts it again.
"""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from local.journal import Journal
from local.serial import SerialMotoServer
from tests.burst import all_at_once
from tests.e2e.stack import Stack

pytestmark = pytest.mark.slow
OFFICER = "13900000012"  # 李晓东, on duty at 昆都仑区公安分局 (local/demo.py)
LEADER = "13900000001"  # 韩立军, 局长 at the command center


@dataclass
class Live:
    """A running local stack and what its banner and data folder tell."""

    stack: Stack
    data: Path

    @property
    def admin_key(self) -> str:
        return json.loads((self.data / "secrets.json").read_text())["ADMIN_KEY"]

    @property
    def endpoint(self) -> str:
        found = re.search(r"AWS:\s+(http://\S+)", self.stack.output())
        assert found, self.stack.output()
        return found.group(1)

    def aws(self, service: str) -> Any:
        """A boto3 client on the stack's moto (as an operator's tool would use it)."""
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("local-stack")
    running = Live(Stack(folder / "data", folder / "first.log"), folder / "data")
    try:
        running.stack.wait_until_ready()
        yield running
    finally:
        running.stack.stop()


def sign_in_many(stack: Stack, count: int) -> list[str]:
    with ThreadPoolExecutor(8) as pool:
        return [s["token"] for s in pool.map(lambda _: stack.sign_in(stack.new_phone()), range(count))]


def wait_for(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def kinds(stack: Stack, post_id: str) -> list[str]:
    status, detail = stack.call("GET", f"/posts/{post_id}")
    assert status == 200, detail
    return [event["kind"] for event in detail["timeline"]]


def test_a_hundred_concurrent_replies_to_one_post_are_all_stored_and_counted(
    live: Live, figures: dict[str, Any]
) -> None:
    stack = live.stack
    repliers = sign_in_many(stack, 10)
    post = stack.post(repliers[0], board="qa", type="question", title="并发回复", body="大家都来说说")

    started = time.monotonic()
    results = all_at_once(
        100,
        lambda i: stack.call("POST", f"/posts/{post['id']}/replies", {"body": f"第{i}条补充"}, repliers[i % 10]),
        timeout=120,
    )
    elapsed = time.monotonic() - started

    assert Counter(r[0] if isinstance(r, tuple) else repr(r) for r in results) == {201: 100}
    status, detail = stack.call("GET", f"/posts/{post['id']}")
    assert status == 200 and detail["post"]["reply_count"] == 100
    assert sorted(r["body"] for r in detail["replies"]) == sorted(f"第{i}条补充" for i in range(100))
    feed = stack.call("GET", "/posts?board=qa")[1]["posts"]
    assert next(p for p in feed if p["id"] == post["id"])["reply_count"] == 100
    figures.update(
        replies_sent=100,
        answered_201=100,
        stored=len(detail["replies"]),
        reply_count=detail["post"]["reply_count"],
        seconds=round(elapsed, 1),
    )


def test_fifty_concurrent_status_changes_on_one_version_let_exactly_one_win(
    live: Live, figures: dict[str, Any]
) -> None:
    stack = live.stack
    post = stack.post(sign_in_many(stack, 1)[0], board="qa", type="question", title="并发改状态", body="正文")
    wait_for(lambda: "dispatched" in kinds(stack, post["id"]))  # the pump has had its turn with the version
    version = stack.call("GET", f"/posts/{post['id']}")[1]["post"]["version"]
    leader = stack.sign_in(LEADER)["token"]

    results = all_at_once(
        50,
        lambda i: stack.call(
            "POST",
            f"/posts/{post['id']}/status",
            {"status": "acknowledged", "version": version, "note": f"{i}"},
            leader,
        ),
        timeout=120,
    )

    assert Counter(r[0] if isinstance(r, tuple) else repr(r) for r in results) == {200: 1, 409: 49}
    assert {r[1]["error"]["code"] for r in results if r[0] == 409} == {"stale_version"}
    detail = stack.call("GET", f"/posts/{post['id']}")[1]
    assert detail["post"]["status"] == "acknowledged" and detail["post"]["version"] == version + 1
    assert kinds(stack, post["id"]).count("acknowledged") == 1
    figures.update(changes_sent=50, won_200=1, stale_409=49, timeline_entries=1)


@dataclass
class Written:
    """What the writer was told was stored (201), and how many answers it never got."""

    posts: dict[str, str]
    replies: dict[str, list[str]]
    official: dict[str, list[str]]
    unanswered: int = 0
    refused: int = 0


def keep_writing(stack: Stack, citizen: str, officer: str, stop: threading.Event, written: Written) -> None:
    """Post, reply and answer officially, one after another, until told to stop; record every 201."""
    number = 0
    while not stop.is_set():
        number += 1
        try:
            fields = {"board": "qa", "type": "question", "title": f"重启时的帖子{number}", "body": "请问怎么办"}
            status, post = stack.call("POST", "/posts", fields, citizen)
            if status != 201:
                written.refused += 1
                continue
            written.posts[post["id"]] = post["title"]
            status, reply = stack.call("POST", f"/posts/{post['id']}/replies", {"body": f"补充{number}"}, citizen)
            if status == 201:
                written.replies[post["id"]].append(reply["id"])
            status, answer = stack.call("POST", f"/posts/{post['id']}/replies", {"body": "已收悉,正在处理"}, officer)
            if status == 201:
                written.official[post["id"]].append(answer["id"])
        except OSError:  # the stack is going down: this answer never came
            written.unanswered += 1
            time.sleep(0.05)


def run_the_sweep_later(live: Live, monkeypatch: pytest.MonkeyPatch, minutes: int) -> Any:
    """Run the real every-minute sweep against the stack's moto, as it would run `minutes` from now."""
    from chalicelib import bootstrap
    from chalicelib.adapters.aws import clear_clients
    from chalicelib.config import Settings

    secrets = json.loads((live.data / "secrets.json").read_text())
    env = {
        "AWS_ENDPOINT_URL": live.endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "STAGE": "local",
        "TABLE_NAME": "police24",
        "TOKEN_KEYS": secrets["TOKEN_KEYS"],
        "DISPATCH_QUEUE_URL": live.aws("sqs").get_queue_url(QueueName="police24-dispatch")["QueueUrl"],
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    class Later:
        def now(self) -> datetime:
            return datetime.now(UTC) + timedelta(minutes=minutes)

    clear_clients()
    try:
        return bootstrap.build(Settings.from_env(), clock=Later()).supervision.sweep()
    finally:
        clear_clients()
        bootstrap.reset()


def test_a_restart_in_the_middle_of_work_loses_no_post_reply_or_timeline_entry(
    live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, figures: dict[str, Any]
) -> None:
    stack = live.stack
    citizen, officer = sign_in_many(stack, 1)[0], stack.sign_in(OFFICER)["token"]
    before = {p["id"]: p["reply_count"] for p in stack.call("GET", "/posts?limit=50")[1]["posts"]}
    written = Written({}, defaultdict(list), defaultdict(list))
    stop = threading.Event()
    writer = threading.Thread(target=keep_writing, args=(stack, citizen, officer, stop, written))
    writer.start()
    try:
        wait_for(lambda: len(written.posts) >= 5)
        # From now on dispatch messages wait 15 minutes on the queue: posts still undispatched at the stop.
        live.aws("sqs").set_queue_attributes(
            QueueUrl=live.aws("sqs").get_queue_url(QueueName="police24-dispatch")["QueueUrl"],
            Attributes={"DelaySeconds": "900"},
        )
        delayed_from = len(written.posts)
        wait_for(lambda: len(written.posts) >= delayed_from + 3)
        stack.stop()  # Ctrl-C while the writer keeps going
    finally:
        stop.set()
        writer.join(30)
    assert written.refused == 0

    live.stack = stack = Stack(live.data, tmp_path / "second.log")
    stack.wait_until_ready()

    for post_id, reply_count in before.items():  # what was there before this test, such as the 100 replies
        assert stack.call("GET", f"/posts/{post_id}")[1]["post"]["reply_count"] == reply_count
    for post_id, title in written.posts.items():
        status, detail = stack.call("GET", f"/posts/{post_id}")
        assert status == 200 and detail["post"]["title"] == title, detail
        stored = {r["id"] for r in detail["replies"]}
        assert set(written.replies[post_id]) | set(written.official[post_id]) <= stored
        assert detail["post"]["reply_count"] == len(detail["replies"])  # no reply half written
        events = [e["kind"] for e in detail["timeline"]]
        assert events[0] == "received" and events.count("replied") == len(
            [r for r in detail["replies"] if r["official"]]
        )
    undispatched = [p for p in written.posts if "dispatched" not in kinds(stack, p)]
    assert len(undispatched) >= 3

    report = run_the_sweep_later(live, monkeypatch, minutes=3)  # what the schedule does two minutes on

    assert report.requeued >= len(undispatched)
    wait_for(lambda: all("dispatched" in kinds(stack, p) for p in written.posts))
    figures.update(
        posts_accepted=len(written.posts),
        replies_accepted=sum(map(len, written.replies.values())) + sum(map(len, written.official.values())),
        lost_after_restart=0,
        attempts_refused_while_down=written.unanswered,
        undispatched_at_stop=len(undispatched),
        requeued_by_sweep=report.requeued,
    )


def test_journalling_each_write_before_its_answer_costs_one_fsync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, figures: dict[str, Any]
) -> None:
    fsyncs: list[float] = []
    real_fsync = os.fsync

    def timed_fsync(fd: int) -> None:
        started = time.perf_counter()
        real_fsync(fd)
        fsyncs.append(time.perf_counter() - started)

    server = SerialMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        dynamodb = boto3.client(
            "dynamodb",
            endpoint_url="http://{}:{}".format(*server.get_host_and_port()),
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        dynamodb.create_table(
            TableName="fsync-cost",
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
        )
        journal = Journal(tmp_path / "journal.log")
        journal.recover(0)
        monkeypatch.setattr(os, "fsync", timed_fsync)
        counter = iter(range(1_000_000))

        def per_write(count: int) -> float:
            started = time.perf_counter()
            for _ in range(count):
                item = {"PK": {"S": f"p{next(counter)}"}, "t": {"S": "x" * 400}}  # about a post's size
                dynamodb.put_item(TableName="fsync-cost", Item=item)
            return (time.perf_counter() - started) / count

        per_write(10)  # warm up
        plain: list[float] = []
        journalled: list[float] = []
        for _ in range(5):  # alternate, so that whatever else runs on the machine weighs on both alike
            assert server.serial is not None
            server.serial.journal = None
            plain.append(per_write(25))
            server.keep_journal(journal)
            journalled.append(per_write(25))
        journal.close()
    finally:
        server.stop()

    assert (tmp_path / "journal.log").read_bytes().count(b"\n") == 125  # every write, none of the others
    assert len(fsyncs) == 125  # one after one: each answer waited for its own fsync
    fsyncs.sort()
    figures.update(
        writes_journalled=125,
        fsyncs=len(fsyncs),
        fsync_ms_p50=round(fsyncs[62] * 1000, 1),
        fsync_ms_p95=round(fsyncs[118] * 1000, 1),
        ms_per_write_unjournalled=round(sorted(plain)[2] * 1000, 1),
        ms_per_write_journalled=round(sorted(journalled)[2] * 1000, 1),
    )


def test_kill_9_right_after_the_last_201_loses_none_of_forty_posts(
    live: Live, tmp_path: Path, figures: dict[str, Any]
) -> None:
    stack = live.stack
    # Phones of this test's own: a Stack started by an earlier test numbers its phones from 1 again.
    citizens = [stack.sign_in(f"136{os.getpid() % 10_000:04d}{i:04d}")["token"] for i in range(1, 5)]

    def publish(index: int) -> tuple[str, str]:
        title = f"断电前的帖子{index}"
        fields = {"board": "qa", "type": "question", "title": title, "body": "请问怎么办"}
        status, post = stack.call("POST", "/posts", fields, citizens[index % 4])
        assert status == 201, post
        return str(post["id"]), title

    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        acknowledged = dict(pool.map(publish, range(40)))
    os.killpg(stack.process.pid, signal.SIGKILL)  # the whole stack, right after the last 201: nothing is saved
    stack.process.wait()
    seconds = time.monotonic() - started
    snapshot = (live.data / "table.json").read_text(encoding="utf-8")
    in_snapshot = sum(post_id in snapshot for post_id in acknowledged)

    live.stack = stack = Stack(live.data, tmp_path / "after-kill.log")
    stack.wait_until_ready()

    for post_id, title in acknowledged.items():
        status, detail = stack.call("GET", f"/posts/{post_id}")
        assert status == 200 and detail["post"]["title"] == title, detail
        assert detail["timeline"][0]["kind"] == "received"
    in_feed: set[str] = set()
    cursor = ""
    while not set(acknowledged) <= in_feed:
        status, page = stack.call("GET", "/posts?board=qa&limit=50" + (f"&cursor={cursor}" if cursor else ""))
        assert status == 200, page
        in_feed |= {p["id"] for p in page["posts"]}
        cursor = page.get("next_cursor") or ""
        assert cursor or set(acknowledged) <= in_feed, f"missing from the feed: {set(acknowledged) - in_feed}"
    replayed = re.search(r"replaying (\d+) journalled write", stack.output())
    assert replayed, stack.output()[-2000:]
    figures.update(
        posts_acknowledged=40,
        found_after_kill=40,
        in_feed=40,
        in_snapshot_at_kill=in_snapshot,
        writes_replayed=int(replayed.group(1)),
        seconds_to_post=round(seconds, 1),
    )
