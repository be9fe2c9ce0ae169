"""Sign-in by phone and one-time code; profiles."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.errors import Forbidden, NotFound, Unauthenticated, Undeliverable, ValidationFailed
from chalicelib.domain.nicknames import nickname_problem, personal_name
from chalicelib.domain.people import Actor, Officer, User, normalize_phone
from chalicelib.services.limits import Limits
from chalicelib.services.links import resolve_link
from chalicelib.services.mfa import SecondFactor
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

_EXPIRED_CODE = "验证码已失效，请重新获取"
_ENDED = "登录已失效或凭证无效，请重新登录"


def _new_nickname() -> str:
    """Return a default nickname that reads as a person's (热心市民3721) and obeys the rules (not 热心市民1104)."""
    while nickname_problem(nickname := personal_name(secrets.randbelow(10**9))):
        pass
    return nickname


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
        second_factor: SecondFactor | None = None,
    ) -> None:
        self.users, self.otps, self.directory, self.sms = users, otps, directory, sms
        self.tokens, self.clock, self._pepper, self.limits = tokens, clock, pepper.encode(), limits
        self.otp_ttl, self.otp_max_tries, self.session_ttl = otp_ttl, otp_max_tries, session_ttl
        self.links, self.second_factor = links, second_factor

    def _hash(self, phone: str, code: str) -> str:
        return hmac.new(self._pepper, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()

    def request_code(self, raw_phone: object, client: str | None = None) -> int:
        """Send a 6-digit code to a phone for a caller at a client address; return its lifetime in seconds."""
        phone = normalize_phone(raw_phone)
        now = self.clock.now()
        self.limits.otp(phone, now, client)
        code = f"{secrets.randbelow(10**6):06d}"
        self.otps.put(OtpRecord(phone, self._hash(phone, code), now + timedelta(seconds=self.otp_ttl)))
        try:
            self.sms.send(phone, "otp", {"code": code, "minutes": str(self.otp_ttl // 60)})
        except Undeliverable as refused:  # the provider refuses this number for good (blacklisted, not a phone)
            self.otps.delete(phone)
            raise ValidationFailed(
                "无法向该号码发送短信，请检查号码", {"phone": "the SMS provider refuses it"}
            ) from refused
        return self.otp_ttl

    def sign_in(self, raw_phone: object, code: object, totp: object = None) -> Session:
        """Exchange a phone's code (and an officer's TOTP code, where one is needed) for a session; the directory
        decides police roles.

        Every guess takes one of the code's tries first, atomically, and is compared only if it got one, so
        however many guesses arrive at once, at most `otp_max_tries` are ever compared; the right code is then
        consumed by a conditional delete, so one code gives one session. A wrong or missing TOTP code leaves the
        SMS code in place (less the try it took): the officer types the TOTP code again, not a new SMS code.
        """
        phone = normalize_phone(raw_phone)
        if not isinstance(code, str) or not re.fullmatch(r"\d{6}", code):
            raise ValidationFailed("请输入6位数字验证码", {"code": "must be 6 digits"})
        now = self.clock.now()
        record = self.otps.take_try(phone, self.otp_max_tries)
        if record is None:
            left = self.otps.get(phone)
            if left is not None and left.expires_at > now:
                raise Unauthenticated("验证码错误次数过多，请重新获取验证码")
            raise Unauthenticated(_EXPIRED_CODE)
        if record.expires_at <= now:
            raise Unauthenticated(_EXPIRED_CODE)
        if not hmac.compare_digest(record.code_hash, self._hash(phone, code)):
            remaining = self.otp_max_tries - record.tries
            if remaining > 0:
                raise Unauthenticated(f"验证码错误，还可尝试{remaining}次")
            self.otps.consume(phone, record.code_hash)  # used up: gone, unless a new code replaced it meanwhile
            raise Unauthenticated("验证码错误，请重新获取验证码")
        officer = self._officer_of(phone)
        enrol_only = self.second_step(officer, totp)
        if not self.otps.consume(phone, record.code_hash):  # another request signed in with it first
            raise Unauthenticated(_EXPIRED_CODE)
        user = self._account(phone, now.isoformat(), officer)
        if not user.verified:  # opened by a partner app: the phone has now proved itself
            user = self.users.verify(user.id)
        return self.session_for(user, officer, enrol_only=enrol_only)

    def second_step(self, officer: Officer | None, totp: object) -> bool:
        """Check an officer's TOTP code where one is needed; True: the session may only enrol one (not enrolled
        while OFFICER_MFA=required). A missing code is 401 with `fields.totp`, so the page asks for it."""
        need = self.second_factor.need(officer) if self.second_factor is not None else "none"
        if need == "check" and officer is not None and self.second_factor is not None:
            if totp is None or totp == "":
                raise Unauthenticated("请输入动态口令", {"totp": "required"})
            self.second_factor.check(officer, totp, self.clock.now())
        return need == "enrol"

    def session_for(self, user: User, officer: Officer | None, *, enrol_only: bool = False) -> Session:
        """Issue a session for an account whose holder proved it (a code, or a bound WeChat account, and the
        second factor where needed); `enrol_only`: a session that may only enrol the second factor."""
        now = self.clock.now()
        created = datetime.fromisoformat(user.created_at) if user.created_at else now
        actor = Actor(
            role=user.role,
            user_id=user.id,
            nickname=user.nickname,
            officer_id=user.id if officer is not None else None,
            account_created=int(created.timestamp()) if officer is None else None,
            enrol_only=enrol_only and officer is not None,
        )
        stamp = officer.sessions if officer is not None else ""
        token = self.tokens.issue(actor, now, timedelta(seconds=self.session_ttl), stamp=stamp)
        return Session(token, user)

    def officer_account(self, officer_id: str) -> tuple[User, Officer] | None:
        """Return an officer's account as of now (a consistent read), or None if the officer left."""
        officer = self.directory.officer(officer_id, consistent=True)
        if officer is None:
            return None
        user = User(id=officer.id, phone=officer.phone, nickname=officer.name, role=officer.role)
        return user, officer

    def account(self, raw_phone: object) -> User:
        """Return the account of a phone, opening a citizen account if it has none."""
        phone = normalize_phone(raw_phone)
        return self._account(phone, self.clock.now().isoformat(), self.directory.officer_by_phone(phone))

    def _officer_of(self, phone: str) -> Officer | None:
        """Return the officer a phone belongs to now (the phone index may lag a change; the record does not)."""
        found = self.directory.officer_by_phone(phone)
        if found is None:
            return None
        officer = self.directory.officer(found.id, consistent=True)
        return officer if officer is not None and officer.phone == phone else None

    def _account(self, phone: str, now: str, officer: Officer | None) -> User:
        if officer is not None:
            return User(id=officer.id, phone=phone, nickname=officer.name, role=officer.role, created_at=now)
        existing = self.users.by_phone(phone)
        if existing is not None:
            return existing
        return self.users.create(
            User(id="u_" + secrets.token_hex(8), phone=phone, nickname=_new_nickname(), created_at=now)
        )

    def partner_account(self, raw_phone: object) -> User:
        """Return the citizen account a partner app files for: never an officer's; a new one is unverified."""
        phone = normalize_phone(raw_phone)
        if self.directory.officer_by_phone(phone) is not None:
            raise ValidationFailed("合作方不能以民警的手机号提交", {"phone": "is an officer's phone"})
        existing = self.users.by_phone(phone)
        if existing is not None:
            return existing
        user = User(
            id="u_" + secrets.token_hex(8),
            phone=phone,
            nickname=_new_nickname(),
            created_at=self.clock.now().isoformat(),
            verified=False,
        )
        return self.users.create(user)

    def exchange_link(self, link_token: object) -> tuple[Session, str]:
        """Exchange a notification link for a session that may act on that one post."""
        if not isinstance(link_token, str) or not link_token:
            raise ValidationFailed("缺少链接凭证", {"token": "required"})
        now = self.clock.now()
        link = resolve_link(self.links, link_token, now)
        officer = self.directory.officer(link.officer_id, consistent=True)
        post_id = link.post_id
        if officer is None or not hmac.compare_digest(officer.sessions, link.sessions):
            raise Unauthenticated("链接无效或已过期")  # the officer left the directory, or changed phone since
        actor = Actor(
            role=officer.role, user_id=officer.id, nickname=officer.name, officer_id=officer.id, link_post_id=post_id
        )
        remaining = min(self.session_ttl, int((link.expires_at - now).total_seconds()))
        token = self.tokens.issue(actor, now, timedelta(seconds=remaining), stamp=officer.sessions)
        user = User(id=officer.id, phone=officer.phone, nickname=officer.name, role=officer.role)
        return Session(token, user), post_id

    def actor(self, token: str) -> Actor:
        """Return who holds a session token, with the role and standing the directory gives them now.

        An officer's session (sign-in or reply link) holds while the officer is in the directory under the
        session stamp the token was issued with: removing the officer, or changing the phone, ends it (401).
        One consistent read of the officer per call; a citizen's token is enough by itself.
        """
        claims = self.tokens.session(token, self.clock.now())
        if claims.officer_id is None:
            return Actor(
                role="citizen",
                user_id=claims.user_id,
                nickname=claims.nickname,
                link_post_id=claims.link_post_id,
                account_created=claims.account_created,
            )
        officer = self.directory.officer(claims.officer_id, consistent=True)
        if officer is None or not hmac.compare_digest(officer.sessions, claims.stamp):
            raise Unauthenticated(_ENDED)
        return Actor(
            role=officer.role,
            user_id=officer.id,
            nickname=officer.name,
            officer_id=officer.id,
            link_post_id=claims.link_post_id,
            enrol_only=claims.enrol_only,
        )

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
            raise Forbidden("民警以实名显示，不能修改昵称")
        problem = nickname_problem(nickname)
        if problem is not None:
            raise ValidationFailed(problem, {"nickname": problem})
        return self.users.set_nickname(actor.user_id, nickname)
