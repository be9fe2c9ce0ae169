"""A running local stack (`python -m local.devstack`) and a small JSON client for set-up steps."""

from __future__ import annotations

import os
import re
import time
import uuid
from pathlib import Path
from typing import Any

from chalicelib.services.dispatch import post_number
from local.chalice_local import free_port
from local.launch import interrupt, start_devstack, wait_until_ready
from local.seed import call

CODE = re.compile(r"验证码是(\d{6})")
LINK = re.compile(r"(http://\S+/reply\.html#t=[A-Za-z0-9._-]+)")


def unique(text: str) -> str:
    """The text with a suffix of its own, so that no other test (or earlier run on the same data) has it."""
    return f"{text} {uuid.uuid4().hex[:6]}"


def officer_openid(phone: str) -> str | None:
    """The WeChat test user the demo seed bound to the officer with this phone (None: not a demo officer)."""
    from local.demo import OFFICERS
    from local.seed_wechat import openid_of

    found = [o for o in OFFICERS if o["phone"] == phone]
    return openid_of(str(found[0]["id"])) if found else None


class Stack:
    """`python -m local.devstack` in its own process group, plus a small JSON client for set-up steps."""

    def __init__(self, data_dir: Path, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        # Posting fast is fine for the tests, but the same text twice is refused, as residents meet it.
        limits = "post_interval=0,posts_per_day=0,posts_first_day=0,reply_interval=0"
        self.process = start_devstack(self.port, data_dir, log, RATE_LIMITS=limits)
        self._phones = iter(range(1, 10_000))

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wechat_base(self) -> str:
        """The address of the stack's WeChat simulator, as its banner prints it."""
        found = re.search(r"微信模拟器: (http://\S+)", self.output())
        assert found, "the stack printed no WeChat simulator"
        return found.group(1)

    def wait_until_ready(self, timeout: float = 120) -> None:
        wait_until_ready(self.process, self.output, timeout)

    def stop(self) -> None:
        interrupt(self.process, grace=20)

    def aws_endpoint(self) -> str:
        """The address of the stack's moto server, as its banner prints it."""
        found = re.search(r"AWS: +(http://\S+)", self.output())
        assert found, "the stack printed no AWS endpoint"
        return found.group(1)

    def backdate(self, post_id: str, minutes: float) -> None:
        """Move a post's clock back, as if it had been posted `minutes` earlier: its creation, its deadline and the
        index keys they make (through the app's own item mapping). The stack's clock is real and no setting
        shortens a deadline, so this is how a test gets an overdue post without waiting for one."""
        from datetime import timedelta

        import boto3

        from chalicelib.adapters.dynamodb import items, keys
        from chalicelib.adapters.dynamodb.table import from_item, to_item

        dynamodb = boto3.client(
            "dynamodb",
            endpoint_url=self.aws_endpoint(),
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        (table,) = [name for name in dynamodb.list_tables()["TableNames"] if name.startswith("police24")]
        key = to_item({"PK": keys.post_pk(post_id), "SK": keys.META})
        shift = timedelta(minutes=minutes)
        for _ in range(20):
            post = items.post_from(from_item(dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]))
            due = post.first_response_due - shift if post.first_response_due else None
            # The version is bumped as any writer's would be: the dispatcher, running meanwhile with the copy it read
            # before, then fails its versioned write and re-reads this one instead of putting the old clock back.
            moved = post.model_copy(
                update={"created_at": post.created_at - shift, "first_response_due": due, "version": post.version + 1}
            )
            try:
                dynamodb.put_item(
                    TableName=table,
                    Item=to_item(items.post_item(moved)),
                    ConditionExpression="#version = :read",
                    ExpressionAttributeNames={"#version": "version"},
                    ExpressionAttributeValues={":read": {"N": str(post.version)}},
                )
                return
            except dynamodb.exceptions.ConditionalCheckFailedException:
                time.sleep(0.1)
        raise AssertionError(f"post {post_id} kept changing while it was moved back")

    def call(self, method: str, path: str, body: Any = None, token: str = "") -> tuple[int, Any]:
        """Send one JSON request to /api; return (status, body)."""
        return call(f"{self.base}/api", method, path, body, token)

    def wait_for_copies(self, post_id: str, board: str | None = None, timeout: float = 20) -> None:
        """Wait until the public copies a browser reads first (/data/, a moment behind the table's stream) are not
        behind the API's anonymous answers: the post's page, the feed of every board and, given one, the board's.
        A missing copy is never behind (the page then asks the API)."""
        checks = [(f"/data/posts/{post_id}.json", f"/posts/{post_id}"), ("/data/feed.json", "/posts?limit=20")]
        if board is not None:
            checks.append((f"/data/feed/{board}.json", f"/posts?board={board}&limit=20"))
        deadline = time.monotonic() + timeout
        while True:
            behind = []
            for copy, answer in checks:
                status, copied = call(self.base, "GET", copy)
                if status == 200 and copied != self.call("GET", answer)[1]:
                    behind.append(copy)
            if not behind:
                return
            assert time.monotonic() < deadline, f"the public copies {behind} never caught up with the API"
            time.sleep(0.2)

    def new_phone(self) -> str:
        """A resident phone number no other test uses (codes are rate limited per phone)."""
        return f"137{os.getpid() % 10_000:04d}{next(self._phones):04d}"

    def wait_for_message(self, to: str, contains: str, pattern: re.Pattern[str], timeout: float = 20) -> str:
        """Wait for an outbox message to `to` containing `contains`; return the pattern's first group."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = self.call("GET", f"/dev/outbox?to={to}&limit=50")
            assert status == 200, body
            for message in body["messages"]:
                found = pattern.search(f"{message['body']}\n{message.get('url') or ''}")
                if contains in message["body"] and found:
                    return found.group(1)
            time.sleep(0.2)
        raise AssertionError(f"no message to {to} containing {contains!r}")

    def sign_in(self, phone: str) -> dict[str, Any]:
        """Sign a phone in through the API, a demo officer from WeChat (the seed bound them all), anyone else
        with the code from the outbox; return {token, user}."""
        openid = officer_openid(phone)
        if openid is not None:
            from local.seed_wechat import wechat_session

            session = wechat_session(self.base, openid)
            assert "token" in session, session
            return session
        status, body = self.call("POST", "/auth/otp", {"phone": phone})
        assert status == 202, body
        code = self.wait_for_message(phone, "验证码", CODE)
        status, body = self.call("POST", "/auth/session", {"phone": phone, "code": code})
        assert status == 200, body
        return body

    def post(self, token: str, **fields: Any) -> dict[str, Any]:
        """Create a post through the API."""
        status, body = self.call("POST", "/posts", fields, token)
        assert status == 201, body
        return body

    def report_in_qingshan(self, token: str, title: str, body: str) -> dict[str, Any]:
        """An environment report in 青山区 under a unique title (local/demo.py routes it to 青山区纺织道派出所)."""
        return self.post(token, board="environment", type="report", district="青山区", title=unique(title), body=body)

    def hukou_question_in_donghe(self, token: str, title: str, body: str) -> dict[str, Any]:
        """A 户籍 question in 东河区 under a unique title (local/demo.py routes it to 东河区青福派出所)."""
        return self.post(token, board="hukou", type="question", district="东河区", title=unique(title), body=body)

    def officer_link(self, phone: str, post_id: str) -> str:
        """The reply-page link that reached a demo officer (bound to WeChat by the seed) for the post with this id."""
        # A WeChat notice names the post by its number, never by the resident's title; its `url` is the link.
        openid = officer_openid(phone)
        assert openid is not None, f"{phone} is no demo officer"
        return self.wait_for_message(openid, post_number(post_id), LINK)

    def resolve_through_link(self, phone: str, post_id: str) -> str:
        """Open the officer's notice link for a post and mark the post resolved; return the link session."""
        status, link = self.call("POST", "/auth/link", {"token": self.officer_link(phone, post_id).split("#t=")[1]})
        assert status == 200, link
        _, detail = self.call("GET", f"/posts/{post_id}")
        status, body = self.call(
            "POST",
            f"/posts/{post_id}/status",
            {"status": "resolved", "version": detail["post"]["version"]},
            link["token"],
        )
        assert status == 200, body
        return str(link["token"])
