"""Request bodies: every field typed and bounded, unknown fields refused."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from chalicelib.domain.actors import PHONE_PATTERN, normalize_phone
from chalicelib.domain.boards import BOARDS, POST_TYPES
from chalicelib.domain.status import Status


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("time must carry an offset, e.g. +08:00")
    return value


def _aware_required(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("time must carry an offset, e.g. +08:00")
    return value


# What the description says of every free text (chalicelib/domain/text.py refuses the rest at parsing, 400):
# no control character but tab and newline (a carriage return only before a newline).
PRINTABLE = "^(?:[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\ufffe\\uffff]|\\r\\n)*$"


def districts() -> tuple[str, ...]:
    """Return the districts a post may name on this deployment (DISTRICTS, else Baotou's)."""
    from chalicelib.config import Settings

    return Settings.from_env({"DISTRICTS": os.environ.get("DISTRICTS", "")}).districts


def _one_of(values: list[str]) -> dict[str, Any]:
    return {"enum": values}


def _district_enum(schema: dict[str, Any]) -> None:
    """Describe a district field with the deployment's districts (the forum and the directory refuse others)."""
    for branch in schema.get("anyOf", [schema]):
        if branch.get("type") == "string":
            branch["enum"] = list(districts())


def _printable(schema: dict[str, Any], _model: Any = None) -> None:
    """Give each free-text property of a body the printable pattern (enums, ids and times say more already)."""
    for prop in schema.get("properties", {}).values():
        for branch in prop.get("anyOf", [prop]):
            if branch.get("type") == "string" and not {"enum", "pattern", "format", "const"} & set(branch):
                branch["pattern"] = PRINTABLE


BOARD_IDS = [board.id for board in BOARDS]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
AwareTime = Annotated[datetime | None, AfterValidator(_aware)]
Phone = Annotated[str, Field(max_length=20, json_schema_extra={"pattern": PHONE_PATTERN})]
BoardId = Annotated[str, Field(max_length=40, json_schema_extra=_one_of(BOARD_IDS))]
PostType = Annotated[str, Field(max_length=20, json_schema_extra=_one_of(list(POST_TYPES)))]
District = Annotated[str | None, Field(default=None, max_length=40, json_schema_extra=_district_enum)]


class Body(BaseModel):
    """A request body: strict, closed, whitespace trimmed."""

    model_config = ConfigDict(
        extra="forbid", strict=True, str_strip_whitespace=True, defer_build=True, json_schema_extra=_printable
    )


class OtpIn(Body):
    phone: Phone


TotpCode = Annotated[str, Field(max_length=10, json_schema_extra={"pattern": "^[0-9]{6}$"})]
Ticket = Annotated[str, Field(max_length=64, json_schema_extra={"pattern": "^[A-Za-z0-9_-]{16,64}$"})]
Channel = Literal["wechat", "email", "sms"]


class SessionIn(Body):
    phone: Phone
    code: str = Field(max_length=10, json_schema_extra={"pattern": "^[0-9]{6}$"})
    wechat_ticket: Ticket | None = Field(default=None, description="a bind ticket: signing in binds that WeChat")
    totp: TotpCode | None = Field(default=None, description="an enrolled officer's TOTP code (second factor)")


class WechatSessionIn(Body):
    ticket: Ticket
    totp: TotpCode | None = Field(default=None, description="with a TOTP ticket (`totp_required`): the officer's code")


class TotpConfirmIn(Body):
    code: TotpCode


class ReviewIn(Body):
    decision: Literal["publish", "hide"]
    note: Annotated[Text, Field(max_length=500)] | None = None


class ProfileIn(Body):
    nickname: Annotated[Text, Field(max_length=20)] | None = None
    notify: list[Channel] | None = Field(
        default=None, min_length=1, max_length=3, description="channels in the order wanted; citizens: wechat, sms"
    )

    @model_validator(mode="after")
    def _something(self) -> ProfileIn:
        if self.nickname is None and self.notify is None:
            raise ValueError("give a nickname or notify")
        return self


PhotoIds = Annotated[list[Id], Field(max_length=9, description="upload ids from POST /uploads, in order")]


class LocationIn(Body):
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
    long: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]


class PostIn(Body):
    board: BoardId
    type: PostType
    title: Annotated[Text, Field(max_length=100)]
    body: Annotated[Text, Field(max_length=5000)]
    district: District = None
    visibility: Literal["public", "police_only"] = "public"
    photos: PhotoIds = []
    location: LocationIn | None = Field(default=None, description="WGS-84, inside the bureau's area")
    address: Annotated[Text, Field(max_length=100)] | None = None


class ReplyIn(Body):
    body: Annotated[Text, Field(max_length=2000)]
    template: str | None = Field(default=None, max_length=40)
    photos: PhotoIds = []


class UploadIn(Body):
    content_type: Literal["image/jpeg", "image/png", "image/webp"]
    size: int = Field(ge=1, le=10 * 1024 * 1024, description="bytes; at most 10 MB")


class StatusIn(Body):
    status: Annotated[Status, Field(strict=False)]  # the domain's statuses, by value
    note: Annotated[Text, Field(max_length=500)] | None = None
    version: int = Field(ge=1)


class PinIn(Body):
    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)

    scope: Literal["board", "global"]
    until: AwareTime = None


class UnitIn(Body):
    name: Annotated[Text, Field(max_length=60)]
    name_en: Annotated[Text, Field(max_length=100, description="the name the page shows in English")] | None = None
    kind: Literal["command_center", "station", "brigade", "department"]
    district: District = None
    parent_id: Id | None = None
    public_contact: Annotated[Text, Field(max_length=200)] | None = None


class OfficerIn(Body):
    name: Annotated[Text, Field(max_length=20)]
    title: Annotated[Text, Field(max_length=40)]
    phone: Phone
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=120)] | None = None
    unit_id: Id
    role: Literal["officer", "leader", "admin"]
    on_duty: bool
    public_contact: Annotated[Text, Field(max_length=200)] | None = None

    @model_validator(mode="after")
    def _mainland_mobile(self) -> OfficerIn:
        """Once every field is valid: the phone as 11 digits, or the domain's own refusal (400 naming `phone`)."""
        self.phone = normalize_phone(self.phone)
        return self


class RuleIn(Body):
    board: BoardId
    type: PostType | None = None
    district: District = None
    unit_id: Id


class RoutingIn(Body):
    rules: list[RuleIn] = Field(max_length=500)
    default_unit_id: Id | None = None


class LinkIn(Body):
    token: str = Field(min_length=1, max_length=2000)


class RouteIn(Body):
    unit_id: Id
    note: Annotated[Text, Field(max_length=500)] | None = None


class FeedbackIn(Body):
    satisfied: bool
    comment: Annotated[Text, Field(max_length=500)] | None = Field(
        default=None,
        description="the reason, required when `satisfied` is false (400 naming `comment` without it); shown on "
        "the timeline, masked for the public and withheld on a police-only post",
    )


class CadEventBody(Body):
    """A progress event from the 110 command system."""

    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True, defer_build=True)

    incident_id: str = Field(min_length=1, max_length=80)
    post_id: str = Field(min_length=1, max_length=80)
    event: Literal["accepted", "dispatched", "arrived", "closed"]
    unit_name: str = Field(max_length=60)
    note: str | None = Field(default=None, max_length=500)
    at: Annotated[datetime, AfterValidator(_aware_required)]


class FlagIn(Body):
    reason: Annotated[Text, Field(max_length=200)]


class HideIn(Body):
    reason: Annotated[Text, Field(max_length=200)]


class TemplateIn(Body):
    id: Id
    text: Annotated[Text, Field(max_length=500)]


class TemplatesIn(Body):
    templates: list[TemplateIn] = Field(min_length=1, max_length=50)


class ApiKeyIn(Body):
    name: Annotated[Text, Field(max_length=60)]
