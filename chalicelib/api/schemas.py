"""Request bodies: every field typed and bounded, unknown fields refused."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("time must carry an offset, e.g. +08:00")
    return value


def _aware_required(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("time must carry an offset, e.g. +08:00")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
AwareTime = Annotated[datetime | None, AfterValidator(_aware)]


class Body(BaseModel):
    """A request body: strict, closed, whitespace trimmed."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True, defer_build=True)


class OtpIn(Body):
    phone: str = Field(max_length=20)


class SessionIn(Body):
    phone: str = Field(max_length=20)
    code: str = Field(max_length=10)


class ProfileIn(Body):
    nickname: Annotated[Text, Field(max_length=20)]


class PostIn(Body):
    board: str = Field(max_length=40)
    type: str = Field(max_length=20)
    title: Annotated[Text, Field(max_length=100)]
    body: Annotated[Text, Field(max_length=5000)]
    district: str | None = Field(default=None, max_length=40)
    visibility: Literal["public", "police_only"] = "public"


class ReplyIn(Body):
    body: Annotated[Text, Field(max_length=2000)]
    template: str | None = Field(default=None, max_length=40)


class StatusIn(Body):
    status: Literal["received", "dispatched", "acknowledged", "in_progress", "resolved", "reopened", "hidden"]
    note: Annotated[Text, Field(max_length=500)] | None = None
    version: int = Field(ge=1)


class PinIn(Body):
    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)

    scope: Literal["board", "global"]
    until: AwareTime = None


class UnitIn(Body):
    name: Annotated[Text, Field(max_length=60)]
    kind: Literal["command_center", "station", "brigade", "department"]
    district: str | None = Field(default=None, max_length=40)
    parent_id: Id | None = None
    public_contact: Annotated[Text, Field(max_length=200)] | None = None


class OfficerIn(Body):
    name: Annotated[Text, Field(max_length=20)]
    title: Annotated[Text, Field(max_length=40)]
    phone: str = Field(max_length=20)
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=120)] | None = None
    unit_id: Id
    role: Literal["officer", "leader", "admin"]
    on_duty: bool
    public_contact: Annotated[Text, Field(max_length=200)] | None = None


class RuleIn(Body):
    board: str = Field(max_length=40)
    type: str | None = Field(default=None, max_length=20)
    district: str | None = Field(default=None, max_length=40)
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
    comment: Annotated[Text, Field(max_length=500)] | None = None


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
