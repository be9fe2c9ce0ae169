"""Fill the table with realistic posts straight through BatchWriteItem (never through HTTP)."""

from __future__ import annotations

import random
import sys
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.items import event_item, pin_copy_items, post_item, reply_item
from chalicelib.adapters.dynamodb.table import to_item
from chalicelib.domain.boards import BOARDS, POLICE_ONLY_TYPES
from chalicelib.domain.posts import Event, Post, Reply, UnitRef

# Posts are spaced this far apart, newest first, so every fill is older than the one before.
SPACING = timedelta(minutes=3)
REPLIES_ON_TARGET = 6
# Positions (0 = newest) of the pinned posts, the expired pin and the post whose detail is measured.
PINNED_GLOBAL = (2, 9)
PINNED_BOARD = 5
PINNED_EXPIRED = 25
TARGET = 12

_PLACES = (
    "昆区锦泰驾校小区",
    "青山区万达广场",
    "东河区财神庙",
    "九原区赛汗塔拉",
    "钢铁大街与民族东路交叉口",
    "包头东站候车厅",
    "稀土高新区万达",
    "友谊大街十八街坊",
    "阿尔丁广场",
    "昆区少先路",
)
_MATTERS = (
    "有人深夜在楼道里大声喧哗、摔东西,已经持续一个多星期,严重影响休息",
    "发现一辆无牌电动车长期停放在消防通道",
    "有人在小区门口发放小广告,内容疑似涉及非法集资",
    "捡到一个钱包,里面有身份证和银行卡,想交给失主",
    "想咨询孩子上户口需要准备哪些材料,在哪个派出所办理",
    "护照快要过期了,请问续签需要预约吗",
    "路口的信号灯坏了两天,早晚高峰很容易出事故",
    "工厂夜间排放刺鼻气体,附近居民都闻得到",
)
_UNITS = (
    UnitRef(id="kun-branch", name="昆都仑区公安分局"),
    UnitRef(id="qingshan-branch", name="青山区公安分局"),
    UnitRef(id="donghe-branch", name="东河区公安分局"),
    UnitRef(id="traffic", name="交警支队"),
)
_STATUSES = ("received", "dispatched", "acknowledged", "in_progress", "resolved")
_DISTRICTS = ("昆都仑区", "青山区", "东河区", "九原区", None)


def _body(rng: random.Random) -> str:
    """Return a citizen's post of a few sentences (roughly 100 to 300 characters)."""
    sentences = [f"我在{rng.choice(_PLACES)}附近,{rng.choice(_MATTERS)}。" for _ in range(rng.randint(2, 6))]
    return "".join(sentences) + "希望警方尽快处理,谢谢!"


def make_post(rng: random.Random, number: int, created: datetime) -> tuple[Post, list[Event]]:
    """Return one post, deterministic for its number, and its timeline so far."""
    board = BOARDS[number % len(BOARDS)]
    type_ = next(t for t in board.post_types if t not in POLICE_ONLY_TYPES)
    status = _STATUSES[number % len(_STATUSES)]
    unit = None if status == "received" else _UNITS[number % len(_UNITS)]
    post = Post(
        id=f"pb{number:014d}",
        board=board.id,
        type=type_,
        title=f"{rng.choice(_PLACES)}:{rng.choice(_MATTERS)[:16]}",
        body=_body(rng),
        author_id=f"u_bench{number % 97:09d}",
        author_nickname=f"网友{number % 97:06X}",
        author_phone=f"138{number % 10**8:08d}",
        district=_DISTRICTS[number % len(_DISTRICTS)],
        status=status,
        created_at=created,
        updated_at=created + timedelta(minutes=1),
        first_response_due=Post.first_response_due_for(type_, created),
        first_official_reply_at=None if unit is None else created + timedelta(minutes=9),
        assigned_unit=unit,
        reply_count=0 if unit is None else 1 + number % 3,
    )
    events = [Event(id=f"eb{number:014d}a", at=created, kind="received", text="已收悉,正在分派处置单位")]
    if unit is not None:
        events.append(
            Event(
                id=f"eb{number:014d}b",
                at=created + timedelta(seconds=30),
                kind="dispatched",
                text=f"已派至{unit.name}",
                unit=unit,
            )
        )
    return post, events


def target_replies(post: Post) -> list[Reply]:
    """Return the discussion under the post whose detail page is measured."""
    return [
        Reply(
            id=f"rb{n:014d}",
            post_id=post.id,
            body=f"第{n + 1}条回复:{_MATTERS[n % len(_MATTERS)]}。",
            created_at=post.created_at + timedelta(minutes=5 + n),
            author_id=f"u_bench{n:09d}",
            nickname=f"网友{n:06X}",
        )
        for n in range(REPLIES_ON_TARGET)
    ]


class Filler:
    """Write posts older than everything written so far, so that the newest pages never change."""

    def __init__(self, dynamodb: Any, table_name: str, newest: datetime) -> None:
        self.dynamodb, self.table_name, self.newest = dynamodb, table_name, newest
        self.count = 0
        self.target: Post | None = None
        self.pinned: list[Post] = []

    def fill_to(self, total: int, progress: bool = True) -> None:
        """Add posts until the table holds `total` (the first fill also pins a few and sets up the target)."""
        rng = random.Random(total)
        items: list[dict[str, Any]] = []
        first = self.count == 0
        while self.count < total:
            created = self.newest - SPACING * self.count
            post, events = make_post(rng, self.count, created)
            if first and self.count in PINNED_GLOBAL:
                post = post.pin_with("global", None, self.newest)
            elif first and self.count == PINNED_BOARD:
                post = post.pin_with("board", None, self.newest)
            elif first and self.count == PINNED_EXPIRED:  # a pin that lapsed before the bench: sorted as a post
                post = post.pin_with("global", created + timedelta(hours=1), created)
            if post.pin is not None:
                self.pinned.append(post)
            replies: list[Reply] = []
            if first and self.count == TARGET:
                replies = target_replies(post)
                post = post.model_copy(update={"reply_count": len(replies)})
                self.target = post
            items.append(post_item(post, self.newest))  # pins as the app leaves them: lapsed ones in place
            items.extend(pin_copy_items(post, self.newest))  # a global pin's card in every other board's feed
            items.extend(event_item(post.id, e) for e in events)
            items.extend(reply_item(r) for r in replies)
            self.count += 1
            if len(items) >= 500:
                self._write(items)
                items = []
                if progress:
                    print(f"  filled {self.count:,} / {total:,} posts", file=sys.stderr, flush=True)
        self._write(items)

    def _write(self, items: Iterable[dict[str, Any]]) -> None:
        batch = [{"PutRequest": {"Item": to_item(item)}} for item in items]
        for start in range(0, len(batch), 25):
            pending = {self.table_name: batch[start : start + 25]}
            while pending:
                pending = self.dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    def snapshot(self, post_id: str) -> list[dict[str, Any]]:
        """Return every typed item of a post's partition (to restore it after writes)."""
        response = self.dynamodb.query(
            TableName=self.table_name,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues=to_item({":pk": keys.post_pk(post_id)}),
        )
        return list(response["Items"])

    def restore(self, post_id: str, items: list[dict[str, Any]]) -> None:
        """Put a post's partition back as it was; delete what was added since."""
        keep = {(i["PK"]["S"], i["SK"]["S"]) for i in items}
        for item in self.snapshot(post_id):
            if (item["PK"]["S"], item["SK"]["S"]) not in keep:
                self.dynamodb.delete_item(TableName=self.table_name, Key={"PK": item["PK"], "SK": item["SK"]})
        for item in items:
            self.dynamodb.put_item(TableName=self.table_name, Item=item)

    def remove(self, post_id: str) -> None:
        """Delete a post's whole partition (a post the bench created)."""
        self.restore(post_id, [])
