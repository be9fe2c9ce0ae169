"""Response bodies as API.md shapes them: render.py builds these models, the routes write them, OpenAPI
describes them. A field a viewer must not see is left unset, and unset fields are not written.

Closed models (`additionalProperties: false`): a field the renderers add without documenting it here
fails the schema test, so the description stays true.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from chalicelib.domain.status import Status
from chalicelib.domain.times import iso_cst
from chalicelib.services.audit import AuditEntry

Role = Literal["citizen", "officer", "leader", "admin"]
UnitKind = Literal["command_center", "station", "brigade", "department"]
# A time as the API writes it: +08:00, to the millisecond (described as a date-time).
Time = Annotated[datetime, PlainSerializer(iso_cst, return_type=str, when_used="json")]


class Out(BaseModel):
    """A response body: closed, so that undocumented fields are caught."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class ErrorDetail(Out):
    code: str = Field(min_length=1)
    message: str = Field(min_length=1)
    fields: dict[str, str] | None = Field(default=None, min_length=1)
    post_id: str | None = Field(
        default=None,
        min_length=1,
        description="on a 409 from `POST /posts` that refuses "
        "the same text again within 10 minutes: the earlier post, when it can be found",
    )


class Error(Out):
    """Every 4xx (and 503) of the API."""

    error: ErrorDetail


NAME_EN = "the English name the directory gives the unit, when it gives one"


class UnitRef(Out):
    id: str
    name: str
    name_en: str | None = Field(default=None, description=NAME_EN)


class CitizenAuthor(Out):
    nickname: str


class Partner(Out):
    """The partner app that filed a post through Open311 for a citizen's phone."""

    name: str


class OfficialAuthor(Out):
    name: str
    title: str
    unit: UnitRef


class Photo(Out):
    id: str
    thumb_url: str = Field(description="480 px on its long side")
    url: str = Field(description="at most 2048 px; public: cached for a year; otherwise a signed URL for 15 minutes")
    width: int = Field(ge=1)
    height: int = Field(ge=1)


class Location(Out):
    lat: float
    long: float


class Upload(Out):
    upload_id: str
    url: str = Field(description="where the browser POSTs the file (multipart: `fields`, then `file`)")
    fields: dict[str, str]
    expires_in: int = Field(description="seconds the POST stays good")


class Post(Out):
    """A post; for the public, ID and mobile numbers masked, a police-only one as a stub."""

    id: str
    board: str
    type: str
    title: str
    body: str
    author: CitizenAuthor
    district: str | None
    status: Status | None = Field(description="null for police notices (publicity): no work to track")
    visibility: Literal["public", "police_only"]
    pinned: bool
    created_at: Time
    updated_at: Time
    first_response_due: Time | None = Field(
        description="the first official reply is due by then; a reopened post gets a fresh one, counted from the "
        "reopening by the rule of a new post"
    )
    assigned_unit: UnitRef | None
    reply_count: int = Field(ge=0)
    version: int = Field(ge=1)
    urgent: bool
    answered: bool = Field(description="an official reply came")
    first_official_reply_at: Time | None
    mine: bool = Field(
        default=False,
        description="true, to its author only (by account, whatever nickname they use now), with the two fields "
        "after it; absent for everyone else. Decide ownership by this field, never by comparing nicknames",
    )
    awaiting_feedback: bool = Field(
        default=False, description="to its author only: the post is resolved and the author may rate it now"
    )
    satisfied: bool | None = Field(default=None, description="to its author only: their last rating, if any")
    hidden: bool = Field(default=False, description="only for the author and the police, when hidden")
    hidden_reason: str | None = None
    via: Partner | None = Field(default=None, description="present when a partner app filed it (Open311)")
    photos: list[Photo] = Field(default_factory=list, description="processed photos, in order; none on a stub")
    photos_refused: list[int] = Field(
        default_factory=list, description="places (1-based) of the photos sent that were not images, dropped"
    )
    location: Location | None = Field(
        default=None, description="WGS-84; the public sees it rounded to 0.001° (about 100 m), the police exact"
    )
    address: str | None = Field(default=None, description="as typed by the author (masked for the public)")


class NewPost(Post):
    """A post just created; `notice` tells to call 110 when it reads like an emergency."""

    notice: str = Field(default="", description="present on urgent posts only")


class Reply(Out):
    id: str
    post_id: str
    body: str
    created_at: Time
    official: bool
    author: CitizenAuthor | OfficialAuthor
    template: str | None = Field(
        default=None,
        description="an official reply that is a default template word for "
        "word names it, so a page can show it in the reader's language",
    )
    photos: list[Photo] = Field(default_factory=list, description="processed photos, in order")
    photos_refused: list[int] = Field(default_factory=list, description="places of photos that were not images")


class Event(Out):
    at: Time
    kind: str
    text: str
    unit: UnitRef | None = None


class PostDetail(Out):
    post: Post
    replies: list[Reply]
    timeline: list[Event]


class PostSummary(Post):
    """A post in a list: `body` is an excerpt of at most 120 characters; the post page has it whole."""

    body: str = Field(max_length=120, description="an excerpt, cut at a clause or word where one is near")
    body_length: int = Field(ge=0, description="characters in the whole body")
    truncated: bool = Field(description="the body goes on: GET /posts/{id} has it whole")


class Feed(Out):
    pinned: list[PostSummary]
    posts: list[PostSummary]
    next_cursor: str | None


class MyPosts(Out):
    posts: list[PostSummary]
    next_cursor: str | None


class Board(Out):
    id: str
    name: str
    description: str
    post_types: list[str]


class Boards(Out):
    boards: list[Board]


class Districts(Out):
    districts: list[str]


class EmergencyRule(Out):
    """The server's one rule for an emergency in progress, for the page to check a draft with."""

    pattern: str = Field(
        min_length=1,
        description="a regular expression that Python `re` and JavaScript "
        "`new RegExp(pattern, 'u')` read alike; a title or body it matches marks the post urgent",
    )
    notice: str = Field(min_length=1, description="the headline of the warning, e.g. 紧急情况请立即拨打110")
    warning: str = Field(min_length=1, description="the sentence under it")


class PublicOfficer(Out):
    name: str
    title: str
    public_contact: str | None


class Unit(Out):
    id: str
    name: str
    kind: UnitKind
    district: str | None
    parent_id: str | None
    public_contact: str | None
    name_en: str | None = Field(default=None, description=NAME_EN)
    officers: list[PublicOfficer] = Field(default_factory=list, description="in the public directory only")


class Units(Out):
    units: list[Unit]


class Figures(Out):
    """One scope's figures; `notes` of Stats says how each is computed."""

    posts: int
    replies: int
    official_replies: int
    assigned: int = Field(description="posts routed to a unit, shown as 已分派 (a unit counts posts transferred in)")
    incidents: int = Field(description="posts handed to the 110 command system")
    police_dispatches: int = Field(description="incidents 110 reports police were sent to, shown as 已派警")
    resolved: int
    escalations: int
    first_responses: int
    median_first_response_minutes: int | None
    deadlines: int = Field(description="posts whose first-response deadline passed or was met")
    answered_in_time: int
    answered_within_deadline: float | None = Field(description="answered_in_time / deadlines")
    satisfaction: float | None
    ratings: int


class UnitFigures(Figures):
    unit: UnitRef


class Stats(Out):
    overall: Figures
    units: list[UnitFigures]
    notes: dict[str, str] = Field(description="how each figure is computed, one line in Chinese, by field name")


class DayFigures(Out):
    date: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description="a Beijing date")
    posts: int
    official_replies: int
    first_responses: int
    median_first_response_minutes: int | None
    deadlines: int
    answered_in_time: int
    answered_within_deadline: float | None
    ratings: int
    satisfaction: float | None


class DailyStats(Out):
    """The last 30 days, oldest first, today last; a day without data has zeros and nulls."""

    unit: UnitRef | None = Field(description="null: the whole platform")
    from_: str = Field(alias="from")
    to: str
    days: list[DayFigures] = Field(min_length=30, max_length=30)
    notes: dict[str, str]


class Template(Out):
    id: str
    text: str


class Templates(Out):
    templates: list[Template]


class CodeSent(Out):
    expires_in: int


class UnitOfOfficer(Out):
    id: str
    name: str
    kind: UnitKind
    name_en: str | None = Field(default=None, description=NAME_EN)


class User(Out):
    id: str
    nickname: str
    role: Role
    title: str = Field(default="", description="officers only")
    unit: UnitOfOfficer | None = Field(default=None, description="officers only")


class Me(User):
    wechat: bool = Field(description="a WeChat account is bound: sign-in and notices by WeChat")
    notify: list[Literal["wechat", "email", "sms"]] = Field(description="the channels notices take, in order")


class Session(Out):
    token: str
    user: User


class WechatSession(Out):
    token: str | None = None
    user: User | None = None
    bind_required: bool | None = Field(default=None, description="true: sign in by phone once with `ticket`")
    ticket: str | None = Field(
        default=None,
        description="the bind ticket for POST /auth/session (15 minutes), or with `totp_required` the TOTP ticket "
        "for POST /auth/wechat/session with `totp` (5 minutes)",
    )
    totp_required: bool | None = Field(default=None, description="true: send `ticket` again with the TOTP code")


class ReviewPage(Out):
    posts: list[Post] = Field(description="posts awaiting review, oldest first (held on sensitive words, flagged)")
    count: int = Field(description="how many posts await review in all")
    next_cursor: str | None


class TotpEnrolment(Out):
    otpauth_uri: str = Field(description="otpauth://totp/… for the authenticator app (as a QR code); shown once")


class WechatConfig(Out):
    enabled: bool
    app_id: str | None
    simulator: bool = Field(description="the local stack's WeChat simulator stands in for WeChat")


class JsSignature(Out):
    app_id: str
    timestamp: int
    nonce_str: str
    signature: str


class LinkSession(Session):
    post_id: str


class Flagged(Out):
    post_id: str
    flagged: bool


class IncidentQueued(Out):
    incident_id: str
    post_id: str


class CadApplied(Out):
    applied: bool = Field(description="false when the event was applied before")


class AuditPage(Out):
    entries: list[AuditEntry]
    next_cursor: str | None


class Officer(Out):
    id: str
    name: str
    title: str
    phone: str
    email: str | None
    unit_id: str
    role: Literal["officer", "leader", "admin"]
    on_duty: bool
    public_contact: str | None


class Rule(Out):
    board: str
    type: str | None
    district: str | None
    unit_id: str


class Routing(Out):
    rules: list[Rule]
    default_unit_id: str | None


class ApiKey(Out):
    """An Open311 partner key, without its secret."""

    id: str
    name: str
    created_at: Time
    revoked_at: Time | None


class IssuedApiKey(ApiKey):
    api_key: str = Field(description="shown this once")


class ApiKeys(Out):
    keys: list[ApiKey]


class Message(Out):
    channel: Literal["sms", "email", "cad", "wechat"]
    to: str
    subject: str | None = None
    body: str
    url: str | None = None  # the link a WeChat notice opens
    at: str


class Outbox(Out):
    messages: list[Message]


class OpenApi(BaseModel):
    """This document."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]


class WorkPost(PostSummary):
    """A post in the workbench's queue (police only): what the officer needs to pick it."""

    escalation_level: int = Field(
        ge=0, description="escalation level: 0 none, 1 the unit's leaders, 2 the command center"
    )
    latest_followup_at: Time | None = Field(description="the author's last follow-up, if any")


class WorkCounts(Out):
    """How many posts each view holds (the same unit and filters as the page)."""

    due: int = Field(ge=0, description="no official reply yet, deadline ahead")
    overdue: int = Field(ge=0, description="no official reply yet, deadline passed")
    in_progress: int = Field(ge=0, description="answered, not resolved")
    awaiting_feedback: int = Field(ge=0, description="resolved, the author's rating to come")
    resolved: int = Field(ge=0, description="resolved and rated (or no longer asked)")
    followups: int = Field(ge=0, description="the author wrote after the last official reply")


class WorkQueue(Out):
    view: Literal["due", "overdue", "in_progress", "awaiting_feedback", "resolved", "followups"]
    unit: UnitRef | None = Field(description="the unit whose queue this is; null: every unit's")
    posts: list[WorkPost]
    counts: WorkCounts
    next_cursor: str | None


class BoardUnit(Out):
    unit: UnitRef
    open: int = Field(ge=0, description="due + overdue + in progress + follow-ups")
    overdue: int = Field(ge=0)
    escalated: int = Field(ge=0, description="overdue and escalated to the leaders or the command center")
    median_first_response_minutes_today: int | None = Field(description="today's first replies (Beijing date)")


class WorkBoard(Out):
    at: Time
    units: list[BoardUnit]
    escalated: list[WorkPost] = Field(description="overdue posts escalated to the command center, longest first")
    review: int = Field(description="posts held or flagged, awaiting review (GET /work/review)")
