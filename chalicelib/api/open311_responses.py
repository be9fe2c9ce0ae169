"""Open311 GeoReport v2 response bodies (its own shapes; XML carries the same data under the spec's element names).

Named through responses.py, like every response model."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from chalicelib.api.responses import Out


class Open311Error(Out):
    """One entry of an Open311 error answer: `[{"code", "description"}]` (XML: <errors><error>)."""

    code: int = Field(description="the HTTP status")
    description: str = Field(min_length=1)


class Open311Endpoint(Out):
    specification: str
    url: str
    changeset: str
    type: Literal["production", "test"]
    formats: list[str]


class Open311Discovery(Out):
    changeset: str
    contact: str
    key_service: str
    endpoints: list[Open311Endpoint]


class Open311Service(Out):
    """A board as an Open311 service."""

    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


class Open311Value(Out):
    key: str
    name: str


class Open311Attribute(Out):
    variable: bool
    code: str
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool
    datatype_description: str
    order: int
    description: str
    values: list[Open311Value]


class Open311ServiceDefinition(Out):
    service_code: str
    attributes: list[Open311Attribute]


class Open311Request(Out):
    """A public post as a service request: masked; a police-only one as a stub (no notes, no description)."""

    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None
    address: str | None
    lat: float | None
    long: float | None
    media_url: str | None


class Open311Submitted(Out):
    """The answer to a filed request: its id at once (`realtime`, no tokens)."""

    service_request_id: str
    service_notice: str | None
    account_id: str | None


class Open311Update(Out):
    """One entry of a request's public timeline (the FixMyStreet `servicerequestupdates` extension)."""

    update_id: str
    service_request_id: str
    status: Literal["open", "closed"]
    updated_datetime: datetime
    description: str
    media_url: str | None
    external_status_code: str
