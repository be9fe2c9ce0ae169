"""Request bodies of the Open311 routes and the partner-key admin routes (loaded lazily, like schemas.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chalicelib.api.http import validation_fields
from chalicelib.domain.actors import normalize_phone
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.open311 import MAX_DESCRIPTION, Submission
from chalicelib.domain.open311_filters import district_in
from chalicelib.domain.text import unprintable


class ServiceRequestForm(BaseModel):
    """The fields of `POST requests` we read; the spec's other fields are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, populate_by_name=False, defer_build=True)

    service_code: str = Field(min_length=1, max_length=40)
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION)
    phone: str = Field(min_length=1, max_length=20)
    type: Literal["report", "help", "question"] = Field(alias="attribute[type]")
    district: str | None = Field(default=None, max_length=40, alias="attribute[district]")
    address_string: str | None = Field(default=None, max_length=500)
    lat: float | None = Field(default=None, ge=-90, le=90)
    long: float | None = Field(default=None, ge=-180, le=180)


def plain_text(form: Mapping[str, str]) -> dict[str, str]:
    """Return the fields with CRLF and CR as LF; refuse what the JSON API refuses (400 naming the fields): any other
    control character, U+FFFE and U+FFFF (chalicelib/domain/text.py)."""
    fields = {name: value.replace("\r\n", "\n").replace("\r", "\n") for name, value in form.items()}
    bad = {name: why for name, value in fields.items() if (why := unprintable(value))}
    if bad:
        raise ValidationFailed("请求内容含有不允许的控制字符", bad)
    return fields


def parse_submission(form: Mapping[str, str], districts: tuple[str, ...]) -> Submission:
    """Check a partner's form field by field (400 with the fields named) and return what it asks."""
    present = {name: value for name, value in plain_text(form).items() if value.strip()}
    try:
        fields = ServiceRequestForm.model_validate(present)
    except ValidationError as error:
        raise ValidationFailed("请求内容有误", validation_fields(error)) from error
    if (fields.lat is None) != (fields.long is None):
        missing = "long" if fields.long is None else "lat"
        raise ValidationFailed("位置须同时给出纬度和经度", {missing: "lat and long come together, or neither"})
    district = fields.district or district_in(fields.address_string or "", districts)
    return Submission(
        service_code=fields.service_code,
        description=fields.description,
        phone=normalize_phone(fields.phone),
        type=fields.type,
        district=district,
        lat=fields.lat,
        long=fields.long,
        address=(fields.address_string or "")[:100] or None,
    )
