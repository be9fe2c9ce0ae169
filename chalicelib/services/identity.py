"""Sign-in by phone and one-time code; profiles."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from chalicelib.domain.nicknames import nickname_problem
from chalicelib.domain.people import Actor, User, normalize_phone
from chalicelib.services.limits import Limits
from chalicelib.services.links import resolve_link
from chalicelib.services.ports import (
    Clock,
    DirectoryRepository,
    LinkStore,
    OtpRecord,
    OtpRepository,
    SmsSender,
    UserRepository,
)
from chalicelib.services.tokens import TokenService

OTP_TEXT = "【24小时警局】您的验证码是{code},{minutes}分钟内有效。如非本人操作,请忽略本短信。"


@dataclass(frozen=True)
class Session:
    """A signed-in session: the token and who it stands for."""

    token: str
    user: User


class Identity:
    """One-time codes by SMS, session tokens, and profiles."""

    def __init__(
        self,
        users: UserRepository,
        otps: OtpRepository,
        directory: DirectoryRepository,
        sms: SmsSender,
        tokens: TokenService,
        clock: Clock,
        pepper: str,
        limits: Limits,
        links: LinkStore,
        otp_ttl: int = 300,
        otp_max_tries: int = 5,
        session_ttl: int = 7 * 24 * 3600,
    ) -> None:
        self.users, self.otps, self.directory, self.sms = users, otps, directory, sms
        self.tokens, self.clock, self._pepper, self.limits = tokens, clock, pepper.encode(), limits
        self.otp_ttl, self.otp_max_tries, self.session_ttl = otp_ttl, otp_max_tries, session_ttl
        self.links = links

    def _hash(self, phone: str, code: str) -> str:
        return hmac.new(self._pepper, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()

    def request_code(self, raw_phone: object) -> int:
        """Send a 6-digit code to a phone; return its lifetime in seconds."""
        phone = normalize_phone(raw_phone)
        now = self.clock.now()
        self.limits.otp(phone, now)
        code = f"{secrets.randbelow(10**6):06d}"
        self.otps.put(OtpRecord(phone, self._hash(phone, code), now + timedelta(seconds=self.otp_ttl)))
        self.sms.send(phone, OTP_TEXT.format(code=code, minutes=self.otp_ttl // 60))
        return self.otp_ttl

    def sign_in(self, raw_phone: object, code: object) -> Session:
        """Exchange a phone's code for a session; the directory decides police roles."""
        phone = normalize_phone(raw_phone)
        if not isinstance(code, str) or not re.fullmatch(r"\d{6}", code):
            raise ValidationFailed("请输入6位数字验证码", {"code": "must be 6 digits"})
        record = self.otps.get(phone)
        now = self.clock.now()
        if record is None or record.expires_at <= now or record.tries >= self.otp_max_tries:
            raise Unauthenticated("验证码已失效,请重新获取")
        if not hmac.compare_digest(record.code_hash, self._hash(phone, code)):
            if self.otps.count_try(phone) >= self.otp_max_tries:
                self.otps.delete(phone)
            raise Unauthenticated("验证码错误")
        self.otps.delete(phone)
        user = self._account(phone, now.isoformat())
        created = datetime.fromisoformat(user.created_at) if user.created_at else now
        actor = Actor(
            role=user.role,
            user_id=user.id,
            nickname=user.nickname,
            officer_id=user.id if user.role != "citizen" else None,
            account_created=int(created.timestamp()) if user.role == "citizen" else None,
        )
        token = self.tokens.issue(actor, now, timedelta(seconds=self.session_ttl))
        return Session(token, user)

    def account(self, raw_phone: object) -> User:
        """Return the account of a phone, opening a citizen account if it has none."""
        return self._account(normalize_phone(raw_phone), self.clock.now().isoformat())

    def _account(self, phone: str, now: str) -> User:
        officer = self.directory.officer_by_phone(phone)
        if officer is not None:
            return User(id=officer.id, phone=phone, nickname=officer.name, role=officer.role, created_at=now)
        existing = self.users.by_phone(phone)
        if existing is not None:
            return existing
        nickname = "网友" + secrets.token_hex(3).upper()
        while nickname_problem(nickname):  # 网友110A2B or 网友123456 would break the rules it enforces
            nickname = "网友" + secrets.token_hex(3).upper()
        return self.users.create(User(id="u_" + secrets.token_hex(8), phone=phone, nickname=nickname, created_at=now))

    def exchange_link(self, link_token: object) -> tuple[Session, str]:
        """Exchange a notification link for a session that may act on that one post."""
        if not isinstance(link_token, str) or not link_token:
            raise ValidationFailed("缺少链接凭证", {"token": "required"})
        now = self.clock.now()
        link = resolve_link(self.links, link_token, now)
        officer = self.directory.officer(link.officer_id)
        post_id = link.post_id
        if officer is None:
            raise Unauthenticated("链接无效或已过期")
        actor = Actor(role=officer.role, user_id=officer.id, nickname=officer.name,
                      officer_id=officer.id, link_post_id=post_id)
        remaining = min(self.session_ttl, int((link.expires_at - now).total_seconds()))
        token = self.tokens.issue(actor, now, timedelta(seconds=remaining))
        user = User(id=officer.id, phone=officer.phone, nickname=officer.name, role=officer.role)
        return Session(token, user), post_id

    def profile(self, actor: Actor) -> User:
        """Return the caller's own profile."""
        if actor.officer_id:
            officer = self.directory.officer(actor.officer_id)
            if officer is None:
                raise NotFound("账号不存在")
            return User(id=officer.id, phone=officer.phone, nickname=officer.name, role=officer.role)
        user = self.users.get(actor.user_id)
        if user is None:
            raise NotFound("账号不存在")
        return user

    def rename(self, actor: Actor, nickname: str) -> User:
        """Change a citizen's nickname (officers show their real name)."""
        if actor.officer_id:
            raise Forbidden("民警以实名显示,不能修改昵称")
        problem = nickname_problem(nickname)
        if problem is not None:
            raise ValidationFailed(problem, {"nickname": problem})
        return self.users.set_nickname(actor.user_id, nickname)
