"""Officers' second factor (TOTP, RFC 6238): enrolment, the check at sign-in, and an admin's recovery.

等保 level 3 asks two factors of privileged users: the SMS code proves the phone, a TOTP code from the officer's
authenticator app proves the device enrolled. `OFFICER_MFA=required` (the default outside local/test) makes it a
condition of every officer's full session; `optional` asks it only of officers who enrolled.

The secret is sealed (HMAC-SHA256 keystream, encrypt-then-MAC, under a key derived from the token signing key
named in the record) before it is stored, is shown once in the `otpauth_uri` of the enrolment and never again,
and is never logged. Every code tried takes one of a small number of tries first (a guessed code costs a try
even when many arrive at once); a right code gives its try back. A code once accepted is refused for the rest
of its window (its time step is claimed once), so a code read over a shoulder cannot be replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from chalicelib.domain.errors import Forbidden, NotFound, TooManyRequests, Unauthenticated, ValidationFailed
from chalicelib.domain.people import Actor, Officer
from chalicelib.services.audit import Auditor
from chalicelib.services.limits import Counters
from chalicelib.services.ports import DirectoryRepository

ISSUER = "24小时警局"
STEP = 30  # seconds of one TOTP time step
WINDOW = 1  # steps accepted either side of now (clock drift of the phone)
TRIES = 5  # codes an officer may try per quarter hour
TRIES_PERIOD = timedelta(minutes=15)
Mode = Literal["required", "optional"]
Need = Literal["none", "check", "enrol"]
_CODE = re.compile(r"\d{6}")


@dataclass(frozen=True)
class TotpRecord:
    """An officer's TOTP enrolment: the sealed secret, and whether a code confirmed it."""

    officer_id: str
    sealed: str
    confirmed: bool
    created_at: datetime


class TotpStore(Protocol):
    """Officers' TOTP enrolments (one per officer)."""

    def get(self, officer_id: str) -> TotpRecord | None:
        """Return an officer's enrolment (consistent read), or None."""

    def put(self, record: TotpRecord) -> None:
        """Store (or replace) an officer's enrolment."""

    def delete(self, officer_id: str) -> bool:
        """Remove an officer's enrolment; True if there was one."""


class Sealer:
    """Seal and open short secrets with the token signing keys (the first seals; each opens what it sealed)."""

    def __init__(self, keys: tuple[tuple[str, str], ...]) -> None:
        self._keys = {kid: hashlib.sha256(f"totp-seal:{key}".encode()).digest() for kid, key in keys}
        self._kid = keys[0][0]

    @staticmethod
    def _stream(key: bytes, nonce: bytes, size: int) -> bytes:
        blocks = (hmac.new(key, nonce + i.to_bytes(4, "big"), hashlib.sha256).digest() for i in range(size // 32 + 1))
        return b"".join(blocks)[:size]

    def seal(self, secret: str) -> str:
        key, nonce, plain = self._keys[self._kid], secrets.token_bytes(16), secret.encode()
        body = nonce + bytes(a ^ b for a, b in zip(plain, self._stream(key, nonce, len(plain)), strict=True))
        tag = hmac.new(key, b"tag" + body, hashlib.sha256).hexdigest()
        return f"{self._kid}.{body.hex()}.{tag}"

    def open(self, sealed: str) -> str:
        kid, _, rest = sealed.partition(".")
        body_hex, _, tag = rest.partition(".")
        key = self._keys.get(kid)
        if key is None:
            raise Unauthenticated("双因素认证需要重新绑定，请联系管理员")  # its key was retired
        body = bytes.fromhex(body_hex)
        if not hmac.compare_digest(tag, hmac.new(key, b"tag" + body, hashlib.sha256).hexdigest()):
            raise Unauthenticated("双因素认证需要重新绑定，请联系管理员")
        nonce, cipher = body[:16], body[16:]
        return bytes(a ^ b for a, b in zip(cipher, self._stream(key, nonce, len(cipher)), strict=True)).decode()


class SecondFactor:
    """TOTP enrolment and checks for officers."""

    def __init__(
        self,
        store: TotpStore,
        counters: Counters,
        sealer: Sealer,
        mode: str,
        directory: DirectoryRepository,
        auditor: Auditor,
    ) -> None:
        self.store, self.counters, self.sealer = store, counters, sealer
        self.mode: Mode = "required" if mode == "required" else "optional"
        self.directory, self.auditor = directory, auditor

    def need(self, officer: Officer | None) -> Need:
        """Say what a sign-in of this account needs: nothing more, a code, or (required, not enrolled) enrolment."""
        if officer is None:
            return "none"
        record = self.store.get(officer.id)
        if record is not None and record.confirmed:
            return "check"
        return "enrol" if self.mode == "required" else "none"

    def enrol(self, actor: Actor, now: datetime) -> str:
        """Start (or restart) an officer's enrolment; return the otpauth URI holding the new secret, shown once.

        An officer already enrolled must be reset by an admin first: a stolen session cannot swap the device.
        """
        import pyotp

        officer = self._officer(actor)
        found = self.store.get(officer.id)
        if found is not None and found.confirmed:
            raise Forbidden("已绑定动态口令；更换设备请联系管理员重置")
        secret = pyotp.random_base32()
        self.store.put(TotpRecord(officer.id, self.sealer.seal(secret), False, now))
        return pyotp.TOTP(secret, interval=STEP).provisioning_uri(name=officer.name, issuer_name=ISSUER)

    def confirm(self, actor: Actor, code: object, now: datetime) -> None:
        """Confirm the pending enrolment with a code from the app: from now on sign-in asks for a code."""
        record = self.store.get(self._officer(actor).id)
        if record is None or record.confirmed:
            raise ValidationFailed("没有待确认的动态口令绑定，请重新绑定", {"code": "no pending enrolment"})
        try:
            self._verify(record, code, now)
        except Unauthenticated as wrong:  # the session is fine: the code is what is wrong (not a 401)
            raise ValidationFailed(wrong.message, {"code": "wrong or used"}) from wrong
        self.store.put(TotpRecord(record.officer_id, record.sealed, True, record.created_at))
        # Audited: the first enrolment trusts the SMS code alone, so an admin can see who enrolled when.
        self.auditor.log(actor, "enrol_totp", f"officer:{record.officer_id}", {"totp": False}, {"totp": True})

    def check(self, officer: Officer, code: object, now: datetime) -> None:
        """Admit a sign-in's TOTP code for an enrolled officer (401 wrong or replayed, 429 after too many)."""
        record = self.store.get(officer.id)
        if record is None or not record.confirmed:
            raise Unauthenticated("尚未绑定动态口令")
        self._verify(record, code, now)

    def reset(self, officer_id: str, *, by: Actor) -> None:
        """An admin's recovery (a lost phone): remove the enrolment and end every session of the officer (a new
        session stamp), audited; the officer signs in again and enrols a new device."""
        officer = self.directory.officer(officer_id, consistent=True)
        if officer is None:
            raise NotFound("没有这位民警")
        had = self.store.delete(officer_id)
        self.directory.put_officer(officer.model_copy(update={"sessions": secrets.token_hex(8)}))
        self.auditor.log(by, "reset_totp", f"officer:{officer_id}", {"totp": had}, {"totp": False})

    def _officer(self, actor: Actor) -> Officer:
        officer = self.directory.officer(actor.officer_id, consistent=True) if actor.officer_id else None
        if officer is None or actor.link_post_id is not None:
            raise Forbidden("只有民警登录后可以绑定动态口令")
        return officer

    def _verify(self, record: TotpRecord, code: object, now: datetime) -> None:
        """Take a try, compare the code with the steps around now, and claim the matching step once."""
        import pyotp

        if not isinstance(code, str) or not _CODE.fullmatch(code):
            raise Unauthenticated("请输入6位动态口令")
        period = int(now.timestamp()) // int(TRIES_PERIOD.total_seconds())
        tries = f"totp_try#{record.officer_id}#{period}"
        until = datetime.fromtimestamp((period + 1) * TRIES_PERIOD.total_seconds(), now.tzinfo)
        if not self.counters.take_quota(tries, TRIES, until):
            wait = max(1, int((until - now).total_seconds()))
            raise TooManyRequests("动态口令错误次数过多，请稍后再试", retry_after=wait)
        totp = pyotp.TOTP(self.sealer.open(record.sealed), interval=STEP)
        step = int(now.timestamp()) // STEP
        steps = range(step - WINDOW, step + WINDOW + 1)
        matched = [s for s in steps if hmac.compare_digest(totp.generate_otp(s), code)]
        if not matched:
            raise Unauthenticated("动态口令错误")
        expires = datetime.fromtimestamp((matched[0] + WINDOW + 2) * STEP, now.tzinfo)
        if not self.counters.take_quota(f"totp_used#{record.officer_id}#{matched[0]}", 1, expires):
            raise Unauthenticated("该动态口令已使用，请等待下一个口令")
        self.counters.release_quota(tries)  # a right code costs no try
