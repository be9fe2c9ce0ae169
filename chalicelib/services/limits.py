"""Abuse limits per account and per phone: intervals, daily quotas and duplicate text."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.domain.errors import Conflict, TooManyRequests
from chalicelib.domain.posts import CST


class Counters(Protocol):
    """Atomic counters with expiry (DynamoDB items with TTL)."""

    def take_interval(self, key: str, seconds: int, now: datetime) -> int:
        """Claim `key` if its last claim is `seconds` old; return 0, or the seconds to wait."""

    def take_quota(self, key: str, limit: int, expires: datetime) -> bool:
        """Count one more use of `key` unless it reached `limit`; True if counted."""

    def release_interval(self, key: str, now: datetime) -> None:
        """Undo the claim of `key` made at `now` (a later check refused the request)."""


@dataclass(frozen=True)
class LimitSettings:
    """The configurable limits; 0 switches one off."""

    post_interval: int = 30
    posts_per_day: int = 20
    posts_first_day: int = 5
    reply_interval: int = 5
    otp_interval: int = 60
    otp_per_hour: int = 5
    duplicate_window: int = 600
    partner_posts_per_hour: int = 60

    @classmethod
    def parse(cls, value: str) -> LimitSettings:
        """Read `name=value,...` (or `off` for none at all)."""
        if value.strip() == "off":
            return cls(**dict.fromkeys(cls.__dataclass_fields__, 0))
        fields = {}
        for part in value.split(","):
            name, _, number = part.partition("=")
            if name.strip() in cls.__dataclass_fields__ and number.strip().isdigit():
                fields[name.strip()] = int(number)
        return cls(**fields)


Claims = list[str]  # the interval keys one request claimed so far, given back if a later check refuses it


def _next_midnight(now: datetime) -> datetime:
    local = now.astimezone(CST)
    return (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


class Limits:
    """Refuse what comes too fast or too often, with a Retry-After."""

    def __init__(self, counters: Counters, settings: LimitSettings) -> None:
        self.counters, self.settings = counters, settings

    def _interval(self, key: str, seconds: int, now: datetime, message: str, claims: Claims | None = None) -> None:
        if seconds and (wait := self.counters.take_interval(key, seconds, now)):
            raise TooManyRequests(message, retry_after=wait)
        if seconds and claims is not None:
            claims.append(key)

    def _quota(self, key: str, limit: int, until: datetime, now: datetime, message: str) -> None:
        if limit and not self.counters.take_quota(key, limit, until):
            raise TooManyRequests(message, retry_after=max(1, int((until - now).total_seconds())))

    def _give_back(self, claims: Claims, now: datetime) -> None:
        """Return the intervals a refused request claimed: refusals do not count towards a limit."""
        for key in claims:
            self.counters.release_interval(key, now)

    def post(self, user_id: str, account_created: datetime | None, title: str, body: str, now: datetime) -> None:
        """Admit one post of an account, or refuse it (duplicate text, too fast, too many today)."""
        s = self.settings
        claims: Claims = []
        try:
            if s.duplicate_window:
                digest = hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()[:32]
                if self.counters.take_interval(f"dup#{user_id}#{digest}", s.duplicate_window, now):
                    raise Conflict("您在10分钟内已发布过相同内容的帖子")
                claims.append(f"dup#{user_id}#{digest}")
            self._interval(f"post#{user_id}", s.post_interval, now, "发帖过于频繁,请稍后再试", claims)
            midnight = _next_midnight(now)
            new_account = account_created is not None and now - account_created < timedelta(days=1)
            limit = s.posts_first_day if new_account else s.posts_per_day
            day = now.astimezone(CST).date().isoformat()
            self._quota(f"posts#{user_id}#{day}", limit, midnight, now, "今日发帖数量已达上限,请明天再试")
        except (Conflict, TooManyRequests):
            self._give_back(claims, now)
            raise

    def reply(self, user_id: str, now: datetime) -> None:
        """Admit one reply of an account, or refuse it."""
        self._interval(f"reply#{user_id}", self.settings.reply_interval, now, "回复过于频繁,请稍后再试")

    def partner_post(self, key_id: str, now: datetime) -> None:
        """Admit one post filed through a partner's Open311 key, or refuse it."""
        hour = now.replace(minute=0, second=0, microsecond=0)
        key = f"o311#{key_id}#{hour.isoformat()}"
        limit = self.settings.partner_posts_per_hour
        self._quota(key, limit, hour + timedelta(hours=1), now, "该接入方本小时提交的诉求已达上限,请稍后再试")

    def otp(self, phone: str, now: datetime) -> None:
        """Admit one code request for a phone, or refuse it."""
        s = self.settings
        claims: Claims = []
        self._interval(f"otp#{phone}", s.otp_interval, now, "验证码发送过于频繁,请稍后再试", claims)
        hour = now.replace(minute=0, second=0, microsecond=0)
        key = f"otph#{phone}#{hour.isoformat()}"
        try:
            self._quota(key, s.otp_per_hour, hour + timedelta(hours=1), now, "验证码请求次数过多,请一小时后再试")
        except TooManyRequests:
            self._give_back(claims, now)
            raise
