"""Who acts (the caller of a use case) and how phones are written; no pydantic here, for a light import."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from chalicelib.domain.errors import ValidationFailed

Role = Literal["anonymous", "citizen", "officer", "leader", "admin"]
POLICE_ROLES = frozenset({"officer", "leader", "admin"})
_PHONE = re.compile(r"^(?:\+?86)?(1[3-9][0-9]{9})$")  # ASCII digits only: "１３８…" is no phone number
_SEP = "[ -]*"
# What normalize_phone takes, written as one pattern (for the API description): spaces and dashes anywhere.
PHONE_PATTERN = f"^{_SEP}(?:(?:\\+{_SEP})?8{_SEP}6{_SEP})?1{_SEP}[3-9](?:{_SEP}[0-9]){{9}}{_SEP}$"


@dataclass(frozen=True)
class Actor:
    """The caller of a use case, as the credentials say."""

    role: Role
    user_id: str = ""
    nickname: str = ""
    officer_id: str | None = None
    link_post_id: str | None = None
    account_created: int | None = None  # epoch seconds; limits are tighter on an account's first day
    enrol_only: bool = False  # an officer's session that may only enrol a second factor (OFFICER_MFA=required)

    @property
    def is_police(self) -> bool:
        return self.role in POLICE_ROLES

    @property
    def signed_in(self) -> bool:
        return self.role != "anonymous"

    def police_for(self, post_id: str) -> bool:
        """Tell whether the caller acts as police on a post (a link session only on its own post)."""
        return self.is_police and (self.link_post_id is None or self.link_post_id == post_id)


ANONYMOUS = Actor(role="anonymous")


def normalize_phone(raw: object) -> str:
    """Return an 11-digit mainland mobile number, or refuse it."""
    if not isinstance(raw, str) or not (match := _PHONE.match(raw.replace(" ", "").replace("-", ""))):
        raise ValidationFailed("请输入正确的11位手机号码", {"phone": "must be a mainland mobile number"})
    return match.group(1)
