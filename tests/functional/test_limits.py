"""Abuse limits on a moved clock: posting, replying and flagging per account, codes per phone, per client address
and platform-wide, duplicates, Retry-After.

The suite runs with the posting limits off (tests/conftest.py TEST_ENV); this module switches the configured
defaults on (30 s between posts, 20 a day, 5 on an account's first day, 5 s between replies, duplicate text
within 10 minutes, codes 1 a minute and 5 an hour, a flag every 10 s and 10 an hour) for its own stack, whose
clock the tests move. The stack is local, so the per-client code budget applies only where a test sets it; the
caller's address is what chalice.test puts in requestContext.identity.sourceIp.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from itertools import count
from typing import Any

import pytest

from tests.functional.conftest import World, assert_error_shape

_phones = count(1)


@pytest.fixture(scope="module")
def limited(people: World) -> Iterator[World]:
    """The module's stack with the default limits on, on the module's movable clock."""
    from chalicelib import bootstrap
    from chalicelib.config import Settings

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RATE_LIMITS", "")  # the defaults
        bootstrap.reset()
        settings = Settings.from_env()
        bootstrap._cache[settings] = bootstrap.build(settings, clock=people.clock)
        yield people
    bootstrap.reset()


def new_account(world: World) -> str:
    """Sign in a phone never seen before: a new account."""
    return world.api.sign_in(f"1350000{next(_phones):04d}")


def publish(world: World, token: str, title: str, body: str = "正文", **headers: str) -> tuple[int, Any, dict]:
    fields = {"board": "qa", "type": "question", "title": title, "body": body}
    return world.api.call("POST", "/posts", fields, token=token, headers=headers or None)


def assert_slow_down(status: int, data: Any, headers: dict[str, str], at_most: int) -> int:
    assert status == 429, data
    assert_error_shape(data)
    retry = int(headers["Retry-After"])
    assert 1 <= retry <= at_most
    return retry


def test_a_second_post_within_30_seconds_is_429_until_the_wait_is_over(limited: World) -> None:
    token = new_account(limited)
    assert publish(limited, token, "第一条")[0] == 201
    limited.clock.advance(seconds=10)
    status, data, headers = publish(limited, token, "第二条")
    assert assert_slow_down(status, data, headers, at_most=30) >= 19
    limited.clock.advance(seconds=20)
    assert publish(limited, token, "第二条")[0] == 201


def test_limits_are_per_account(limited: World) -> None:
    first, second = new_account(limited), new_account(limited)
    assert publish(limited, first, "甲的帖子")[0] == 201
    assert publish(limited, second, "乙的帖子")[0] == 201
    assert publish(limited, first, "甲的第二条")[0] == 429


def test_the_same_text_again_within_10_minutes_is_a_duplicate(limited: World) -> None:
    token = new_account(limited)
    first_status, first, _ = publish(limited, token, "小区停车难", "晚上没有车位")
    assert first_status == 201
    limited.clock.advance(minutes=5)
    status, data, _ = publish(limited, token, "小区停车难", "晚上没有车位")
    assert status == 409, data
    assert_error_shape(data, "conflict")
    assert data["error"]["message"] == "您在10分钟内已发布过相同内容的帖子"
    assert data["error"]["post_id"] == first["id"]  # the page links to the earlier post
    assert publish(limited, token, "小区停车难", "白天也没有")[0] == 201  # other text is no duplicate
    limited.clock.advance(minutes=10)
    assert publish(limited, token, "小区停车难", "晚上没有车位")[0] == 201


def test_a_new_account_posts_5_on_its_first_day_and_20_a_day_after(limited: World) -> None:
    token = new_account(limited)
    for index in range(5):
        assert publish(limited, token, f"第一天第{index}条")[0] == 201
        limited.clock.advance(seconds=31)
    status, data, headers = publish(limited, token, "第一天第6条")
    assert_slow_down(status, data, headers, at_most=24 * 3600)
    limited.clock.advance(days=1)
    for index in range(20):
        assert publish(limited, token, f"第二天第{index}条")[0] == 201, index
        limited.clock.advance(seconds=31)
    status, data, headers = publish(limited, token, "第二天第21条")
    assert_slow_down(status, data, headers, at_most=24 * 3600)


def test_replies_come_at_most_one_every_5_seconds(limited: World) -> None:
    token = new_account(limited)
    post = limited.api.new_post(limited.token("leader"), title="警方提问", body="请大家留言")
    path = f"/posts/{post['id']}/replies"
    assert limited.api.call("POST", path, {"body": "第一条回复"}, token=token)[0] == 201
    status, data, headers = limited.api.call("POST", path, {"body": "第二条回复"}, token=token)
    assert_slow_down(status, data, headers, at_most=5)
    limited.clock.advance(seconds=5)
    assert limited.api.call("POST", path, {"body": "第二条回复"}, token=token)[0] == 201


def test_the_police_are_not_held_back(limited: World) -> None:
    for index in range(3):
        status, data, _ = publish(limited, limited.token("leader") or "", f"警情通报{index}")
        assert status == 201, data


def test_refused_requests_and_replays_do_not_count(limited: World) -> None:
    token = new_account(limited)
    assert publish(limited, token, "")[0] == 400  # refused: no wait starts
    assert limited.api.call("POST", "/posts/nope/replies", {"body": "在吗"}, token=token)[0] == 404
    status, first, _ = publish(limited, token, "带幂等键的帖子", **{"Idempotency-Key": "k-1"})
    assert status == 201
    status, again, _ = publish(limited, token, "带幂等键的帖子", **{"Idempotency-Key": "k-1"})
    assert (status, again["id"]) == (201, first["id"])  # a replay, not a second post: no 429, no duplicate


def test_bad_input_and_unknown_posts_answer_before_the_limit(limited: World) -> None:
    token = new_account(limited)
    assert publish(limited, token, "先发一条")[0] == 201
    assert publish(limited, token, "")[0] == 400
    assert publish(limited, "not-a-token", "冷却中")[0] == 401
    assert limited.api.call("POST", "/posts/nope/replies", {"body": "在吗"}, token=token)[0] == 404
    assert publish(limited, token, "冷却中")[0] == 429


def test_codes_go_out_once_a_minute_and_five_an_hour_per_phone(limited: World) -> None:
    api, phone = limited.api, "13500009999"
    assert api.call("POST", "/auth/otp", {"phone": phone})[0] == 202
    status, data, headers = api.call("POST", "/auth/otp", {"phone": phone})
    assert_slow_down(status, data, headers, at_most=60)
    assert api.call("POST", "/auth/otp", {"phone": "13500009998"})[0] == 202  # another phone is not held
    now = limited.clock.now() + timedelta(seconds=61)
    limited.clock.advance(seconds=((now + timedelta(hours=1)).replace(minute=0, second=1) - now).total_seconds() + 61)
    for _ in range(5):  # a new hour: five codes, a minute apart
        assert api.call("POST", "/auth/otp", {"phone": phone})[0] == 202
        limited.clock.advance(seconds=61)
    status, data, headers = api.call("POST", "/auth/otp", {"phone": phone})
    assert_slow_down(status, data, headers, at_most=3600)
    limited.clock.advance(hours=1)
    assert api.call("POST", "/auth/otp", {"phone": phone})[0] == 202


# -- flags ------------------------------------------------------------------------------------------------


def police_posts(world: World, count: int) -> list[str]:
    return [world.api.new_post(world.token("leader"), title=f"警方通报{n}", body="请周知")["id"] for n in range(count)]


def flag(world: World, token: str, post_id: str) -> tuple[int, Any, dict[str, str]]:
    return world.api.call("POST", f"/posts/{post_id}/flags", {"reason": "广告"}, token=token)


def start_of_an_hour(world: World) -> None:
    """Move the clock to one second past the next full hour, so that hourly budgets start afresh."""
    now = world.clock.now()
    world.clock.advance(seconds=((now + timedelta(hours=1)).replace(minute=0, second=1) - now).total_seconds())


def test_one_account_flags_one_post_every_10_seconds(limited: World) -> None:
    token, posts = new_account(limited), police_posts(limited, 6)
    assert flag(limited, token, posts[0])[0] == 202
    for post_id in posts[1:]:  # six posts in a blink: the rest are refused, and not recorded
        status, data, headers = flag(limited, token, post_id)
        assert_slow_down(status, data, headers, at_most=10)
    assert flag(limited, token, posts[0])[0] == 202  # the same post again is no new flag: no 429
    limited.clock.advance(seconds=10)
    assert flag(limited, token, posts[1])[0] == 202


def test_one_account_flags_at_most_10_posts_an_hour(limited: World) -> None:
    token, posts = new_account(limited), police_posts(limited, 11)
    start_of_an_hour(limited)
    for post_id in posts[:10]:
        assert flag(limited, token, post_id)[0] == 202
        limited.clock.advance(seconds=10)
    status, data, headers = flag(limited, token, posts[10])
    assert assert_slow_down(status, data, headers, at_most=3600) > 3000


# -- one-time codes per client address and platform-wide ---------------------------------------------------

_numbers = count(1)


def fresh_phones(amount: int) -> list[str]:
    return [f"1360000{next(_numbers):04d}" for _ in range(amount)]


@pytest.fixture
def otp_limits(limited: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Rebuild the module's services with these RATE_LIMITS (and EMF metrics on), at the start of an hour."""
    from chalicelib import bootstrap
    from chalicelib.config import Settings

    def use(rate_limits: str) -> None:
        monkeypatch.setenv("RATE_LIMITS", rate_limits)
        monkeypatch.setenv("METRICS", "emf")
        settings = Settings.from_env()
        bootstrap._cache[settings] = bootstrap.build(settings, clock=limited.clock)
        start_of_an_hour(limited)

    yield use
    bootstrap._cache.pop(Settings.from_env(), None)


def from_address(monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    """Make API Gateway report this caller address (requestContext.identity.sourceIp), as chalice.test fixes it."""
    from chalice.local import LambdaEventConverter

    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", address)


def ask_codes(world: World, phones: list[str], **headers: str) -> list[int]:
    statuses = []
    for phone in phones:
        status, data, got = world.api.call("POST", "/auth/otp", {"phone": phone}, headers=headers or None)
        if status == 429:
            assert_slow_down(status, data, got, at_most=3600)
        statuses.append(status)
    return statuses


def sms_to(phones: list[str]) -> int:
    from tests.conftest import sent_sms

    return sum(len(sent_sms(phone)) for phone in phones)


def test_thirty_phones_from_one_address_get_ten_codes_however_x_forwarded_for_is_spoofed(
    limited: World, otp_limits: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    otp_limits("otp_per_client_per_hour=10")
    from_address(monkeypatch, "203.0.113.7")
    phones = fresh_phones(30)

    statuses = [
        ask_codes(limited, [phone], **{"X-Forwarded-For": f"198.51.100.{n}"})[0] for n, phone in enumerate(phones)
    ]

    assert statuses == [202] * 10 + [429] * 20
    assert sms_to(phones) == 10
    assert ask_codes(limited, ["not a phone"]) == [400]  # bad input answers before the limit
    from_address(monkeypatch, "198.51.100.20")
    others = fresh_phones(2)
    assert ask_codes(limited, others) == [202, 202]  # another address has its own budget
    assert sms_to(others) == 2


def test_on_the_local_stack_one_loopback_address_is_not_limited_unless_set(limited: World) -> None:
    phones = fresh_phones(12)
    assert ask_codes(limited, phones) == [202] * 12
    assert sms_to(phones) == 12


def test_past_the_platform_budget_no_code_leaves_for_anyone_and_the_alarm_metric_is_emitted(
    limited: World,
    otp_limits: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    import json

    otp_limits("otp_platform_per_hour=3")
    capsys.readouterr()
    from_address(monkeypatch, "203.0.113.8")
    first = fresh_phones(4)
    assert ask_codes(limited, first) == [202, 202, 202, 429]
    from_address(monkeypatch, "198.51.100.21")
    second = fresh_phones(1)
    assert ask_codes(limited, second) == [429]

    assert sms_to(first + second) == 3
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    alarms = [line for line in lines if "OtpBudgetExhausted" in line]
    assert [line["OtpBudgetExhausted"] for line in alarms] == [[1.0], [1.0]]  # Powertools writes value lists
    (directive,) = alarms[0]["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "Police24" and directive["Metrics"] == [
        {"Name": "OtpBudgetExhausted", "Unit": "Count"}
    ]
    assert any(r.levelname == "WARNING" and "budget" in r.getMessage() for r in caplog.records)
    limited.clock.advance(hours=1)
    assert ask_codes(limited, fresh_phones(1)) == [202]  # the next hour
