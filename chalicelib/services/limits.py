"""Abuse limits per account, per phone, per client address and platform-wide: intervals, quotas, duplicates."""

from __future__ import annotations

import hashlib
import ipaddress
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.domain.errors import Conflict, DuplicatePost, TooManyRequests
from chalicelib.domain.posts import CST

log = logging.getLogger(__name__)
# Settings that, on the local stack (every caller is loopback), apply only when RATE_LIMITS names them.
PER_CLIENT = ("otp_per_client_per_hour",)


class Counters(Protocol):
    """Atomic counters with expiry (DynamoDB items with TTL)."""

    def take_interval(self, key: str, seconds: int, now: datetime) -> int:
        """Claim `key` if its last claim is `seconds` old; return 0, or the seconds to wait."""

    def take_quota(self, key: str, limit: int, expires: datetime) -> bool:
        """Count one more use of `key` unless it reached `limit`; True if counted."""

    def release_interval(self, key: str, now: datetime) -> None:
        """Undo the claim of `key` made at `now` (a later check refused the request)."""

    def release_quota(self, key: str) -> None:
        """Undo one use of `key` counted by take_quota (a later check refused the request)."""


class Alarms(Protocol):
    """Where events someone must look at go (a CloudWatch metric with an alarm on it)."""

    def alarm(self, event: str) -> None:
        """Report one occurrence of an event."""


@dataclass(frozen=True)
class LimitSettings:
    """The configurable limits; 0 switches one off."""

    post_interval: int = 30
    posts_per_day: int = 20
    posts_first_day: int = 5
    reply_interval: int = 5
    otp_interval: int = 60
    otp_per_hour: int = 5
    otp_per_client_per_hour: int = 10
    otp_platform_per_hour: int = 2000
    duplicate_window: int = 600
    partner_posts_per_hour: int = 60
    flag_interval: int = 10
    flags_per_hour: int = 10
    uploads_per_hour: int = 60  # photos an account may start uploading an hour (9 a post; each costs a Lambda run)

    @classmethod
    def parse(cls, value: str, local: bool = False) -> LimitSettings:
        """Read `name=value,...` (or `off` for none at all); `local` leaves per-client limits off unless named."""
        if value.strip() == "off":
            return cls(**dict.fromkeys(cls.__dataclass_fields__, 0))
        fields = dict.fromkeys(PER_CLIENT, 0) if local else {}
        for part in value.split(","):
            name, _, number = part.partition("=")
            if name.strip() in cls.__dataclass_fields__ and number.strip().isdigit():
                fields[name.strip()] = int(number)
        return cls(**fields)


Claims = list[str]  # the interval and quota keys one request took so far, given back if a later check refuses it
QUOTA = "quota:"  # marks a quota key among the claims


UNPARSEABLE = "unparseable"


def client_bucket(address: str | None) -> str | None:
    """Return the bucket of a caller's address: an IPv4 address (also one embedded in an IPv6 address: mapped,
    6to4, Teredo, NAT64), or the /64 network of any other IPv6 one.

    No address at all (no API Gateway in front, as in unit tests) is no bucket; an address that is not one
    shares a single bucket with every other such caller, so a malformed header cannot escape the budget.
    """
    if address is None:
        return None
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return UNPARSEABLE
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return str(embedded)
        return f"{ipaddress.IPv6Network((ip, 64), strict=False).network_address}/64"  # one subscriber's prefix
    return str(ip)


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: an IPv4 host seen through a NAT64 gateway


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address an IPv6 one stands for: mapped, 6to4, Teredo (the client) or NAT64.

    One IPv4 host owns the whole 6to4 prefix 2002:WWXX:YYZZ::/48 (65,536 networks of /64), and every client of a
    Teredo server or a NAT64 gateway shares one /64: each is counted as the IPv4 address it stands for.
    """
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _next_midnight(now: datetime) -> datetime:
    local = now.astimezone(CST)
    return (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


class Limits:
    """Refuse what comes too fast or too often, with a Retry-After."""

    def __init__(self, counters: Counters, settings: LimitSettings, alarms: Alarms | None = None) -> None:
        self.counters, self.settings, self.alarms = counters, settings, alarms

    def _interval(self, key: str, seconds: int, now: datetime, message: str, claims: Claims | None = None) -> None:
        if seconds and (wait := self.counters.take_interval(key, seconds, now)):
            raise TooManyRequests(message, retry_after=wait)
        if seconds and claims is not None:
            claims.append(key)

    def _quota(
        self, key: str, limit: int, until: datetime, now: datetime, message: str, claims: Claims | None = None
    ) -> None:
        if limit and not self.counters.take_quota(key, limit, until):
            raise TooManyRequests(message, retry_after=max(1, int((until - now).total_seconds())))
        if limit and claims is not None:
            claims.append(QUOTA + key)

    def _give_back(self, claims: Claims, now: datetime) -> None:
        """Return what a refused request took: refusals do not count towards a limit."""
        for key in reversed(claims):
            if key.startswith(QUOTA):
                self.counters.release_quota(key.removeprefix(QUOTA))
            else:
                self.counters.release_interval(key, now)

    def post(self, user_id: str, account_created: datetime | None, title: str, body: str, now: datetime) -> None:
        """Admit one post of an account, or refuse it (duplicate text, too fast, too many today)."""
        s = self.settings
        claims: Claims = []
        try:
            if s.duplicate_window:
                digest = hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()[:32]
                if self.counters.take_interval(f"dup#{user_id}#{digest}", s.duplicate_window, now):
                    raise DuplicatePost("您在10分钟内已发布过相同内容的帖子")
                claims.append(f"dup#{user_id}#{digest}")
            self._interval(f"post#{user_id}", s.post_interval, now, "发帖过于频繁，请稍后再试", claims)
            midnight = _next_midnight(now)
            new_account = account_created is not None and now - account_created < timedelta(days=1)
            limit = s.posts_first_day if new_account else s.posts_per_day
            day = now.astimezone(CST).date().isoformat()
            self._quota(f"posts#{user_id}#{day}", limit, midnight, now, "今日发帖数量已达上限，请明天再试")
        except (Conflict, TooManyRequests):
            self._give_back(claims, now)
            raise

    def reply(self, user_id: str, now: datetime) -> None:
        """Admit one reply of an account, or refuse it."""
        self._interval(f"reply#{user_id}", self.settings.reply_interval, now, "回复过于频繁，请稍后再试")

    def upload(self, user_id: str, now: datetime) -> None:
        """Admit one photo upload of an account this hour, or refuse it."""
        hour = now.replace(minute=0, second=0, microsecond=0)
        key = f"upload#{user_id}#{hour.isoformat()}"
        limit = self.settings.uploads_per_hour
        self._quota(key, limit, hour + timedelta(hours=1), now, "本小时上传的照片已达上限，请稍后再试")

    def partner_post(self, key_id: str, now: datetime) -> None:
        """Admit one post filed through a partner's Open311 key, or refuse it."""
        hour = now.replace(minute=0, second=0, microsecond=0)
        key = f"o311#{key_id}#{hour.isoformat()}"
        limit = self.settings.partner_posts_per_hour
        self._quota(key, limit, hour + timedelta(hours=1), now, "该接入方本小时提交的诉求已达上限，请稍后再试")

    def otp(self, phone: str, now: datetime, client: str | None = None) -> None:
        """Admit one code request for a phone from a client address, or refuse it.

        Per phone: one a minute and a few an hour. Per client address (as API Gateway reports it): a budget an
        hour. Platform-wide: a budget an hour, past which no code leaves and an alarm fires. A refused request
        gives back what it took, so it counts towards no limit.
        """
        s = self.settings
        claims: Claims = []
        self._interval(f"otp#{phone}", s.otp_interval, now, "验证码发送过于频繁，请稍后再试", claims)
        hour = now.replace(minute=0, second=0, microsecond=0)
        stamp, until = hour.isoformat(), hour + timedelta(hours=1)
        try:
            self._quota(
                f"otph#{phone}#{stamp}", s.otp_per_hour, until, now, "验证码请求次数过多，请一小时后再试", claims
            )
            bucket = client_bucket(client)
            if bucket is not None:
                self._quota(
                    f"otpc#{bucket}#{stamp}",
                    s.otp_per_client_per_hour,
                    until,
                    now,
                    "当前网络请求验证码过于频繁，请稍后再试",
                    claims,
                )
            self._platform_otp(stamp, until, now)
        except TooManyRequests:
            self._give_back(claims, now)
            raise

    def _platform_otp(self, stamp: str, until: datetime, now: datetime) -> None:
        limit = self.settings.otp_platform_per_hour
        if limit and not self.counters.take_quota(f"otpp#{stamp}", limit, until):
            log.warning("platform one-time code budget exhausted", extra={"budget": limit, "hour": stamp})
            if self.alarms is not None:
                self.alarms.alarm("otp_platform_budget")
            raise TooManyRequests("验证码服务繁忙，请稍后再试", retry_after=max(1, int((until - now).total_seconds())))

    def flag(self, user_id: str, now: datetime) -> None:
        """Admit one flag of an account, or refuse it (too fast, too many this hour)."""
        s = self.settings
        claims: Claims = []
        self._interval(f"flag#{user_id}", s.flag_interval, now, "举报过于频繁，请稍后再试", claims)
        hour = now.replace(minute=0, second=0, microsecond=0)
        try:
            self._quota(
                f"flagh#{user_id}#{hour.isoformat()}",
                s.flags_per_hour,
                hour + timedelta(hours=1),
                now,
                "本小时举报次数已达上限，请稍后再试",
            )
        except TooManyRequests:
            self._give_back(claims, now)
            raise
