"""The services as production binds them (chalicelib.bootstrap.build), with every port a fake.

`station()` gives the bound `Services` and the fakes behind them, so a test acts through the use cases and looks
at what the next component sees: the officers' notices, the texts to residents, the queue, the 110 outbox and
the audit trail. Nothing here makes an AWS client (tests/unit/conftest.py refuses one anyway).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

from chalicelib import bootstrap
from chalicelib.bootstrap import Services
from chalicelib.config import Settings
from chalicelib.domain.commands import NewPost
from chalicelib.domain.people import Actor, User
from chalicelib.domain.posts import Post
from chalicelib.services.ports import PostDetail
from tests import fakes
from tests.fake_photos import InMemoryPhotoStorage, InMemoryUploadBook
from tests.fake_public import InMemoryPublicObjects
from tests.unit.world import CITIZEN, DISTRICTS, TOKEN_KEYS, seeded_directory

CAD_SECRET = "test-cad-secret"
CITIZEN_PHONE = "13812345678"
WECHAT_TEMPLATE = "tpl-work-order"
SETTINGS = Settings(
    stage="test",
    token_keys=TOKEN_KEYS,
    districts=DISTRICTS,
    cad_secret=CAD_SECRET,
    rate_limits="off",
    wechat_app_id="wx-test",
    wechat_secret="wx-secret",
    wechat_templates=(("*", WECHAT_TEMPLATE),),
)
TIP_OFF = NewPost(board="report", type="report", title="可疑人员", body="小区门口有可疑人员徘徊", district="昆都仑区")


class UnusedTable:
    """Stands in for the DynamoDB table: every port that would use it is a fake, so nothing may call it."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a unit test reached the table ({name}); pass a fake for that port")


def fake_ports(clock: fakes.FixedClock | None = None, **overrides: Any) -> dict[str, Any]:
    """Return a fake for every port `bootstrap.build` takes by keyword; keyword arguments replace any of them."""
    clock = clock or fakes.FixedClock()
    posts = overrides.get("posts") or fakes.InMemoryPostRepository()
    users = fakes.InMemoryUserRepository()
    users.create(User(id=CITIZEN.user_id, phone=CITIZEN_PHONE, nickname=CITIZEN.nickname))
    ports: dict[str, Any] = {
        "table": UnusedTable(),
        "posts": posts,
        "users": users,
        "directory": seeded_directory(),
        "otps": fakes.InMemoryOtpRepository(),
        "clock": clock,
        "idempotency": fakes.InMemoryIdempotencyStore(posts, clock),
        "queue": fakes.RecordingDispatchQueue(),
        "sms": fakes.RecordingSmsSender(),
        "ledger": fakes.InMemoryNoticeLedger(),
        "stats": fakes.InMemoryStatsRepository(),
        "officers": fakes.RecordingOfficerChannel(),
        "counters": fakes.InMemoryCounters(),
        "audit": fakes.InMemoryAuditLog(),
        "links": fakes.InMemoryLinkStore(),
        "cad": fakes.RecordingCadOutbox(),
        "incidents": fakes.InMemoryIncidentRepository(),
        "open311_reads": fakes.InMemoryOpen311Reads(posts),
        "partner_keys": fakes.InMemoryPartnerKeyRepository(),
        "limits": None,  # built by the bootstrap from `counters` and the settings' rate limits
        "contacts": fakes.InMemoryContactBook(),
        "vouchers": fakes.InMemoryVouchers(),
        "wechat": fakes.RecordingWechat(),
        "totps": fakes.InMemoryTotpStore(),
        "review_index": fakes.InMemoryReviewIndex(posts),
        "uploads": InMemoryUploadBook(),
        "photo_storage": InMemoryPhotoStorage(),
        "public_objects": InMemoryPublicObjects(),
    }
    ports = {**ports, **overrides}
    if isinstance(ports["posts"], fakes.InMemoryPostRepository):
        ports["posts"].uploads = ports["uploads"]  # a post's claims of its photos, as the table's transaction
        ports["posts"].stats = ports["stats"]  # the figures a write adds, as the table's transaction
    return ports


@dataclass
class Station:
    """The bound services and the fakes behind them (`ports`, by the bootstrap's keyword)."""

    svc: Services
    ports: dict[str, Any] = field(repr=False)

    def __post_init__(self) -> None:
        self.clock: fakes.FixedClock = self.ports["clock"]
        self.officers: fakes.RecordingOfficerChannel = self.ports["officers"]
        self.sms: fakes.RecordingSmsSender = self.ports["sms"]
        self.queue: fakes.RecordingDispatchQueue = self.ports["queue"]
        self.cad: fakes.RecordingCadOutbox = self.ports["cad"]
        self.audit: fakes.InMemoryAuditLog = self.ports["audit"]
        self.directory: fakes.InMemoryDirectoryRepository = self.ports["directory"]
        self.wechat: fakes.RecordingWechat = self.ports["wechat"]
        self.contacts: fakes.InMemoryContactBook = self.ports["contacts"]

    def post(self, by: Actor = CITIZEN, new: NewPost = TIP_OFF) -> Post:
        """Publish a post the way the API does."""
        return self.svc.forum.create_post(by, new)

    def deliver(self) -> int:
        """Hand every queued message to the dispatch worker's use case, as SQS would; return how many."""
        delivered = 0
        while self.queue.messages:
            message = self.queue.messages.pop(0)
            self.svc.dispatcher.handle({"kind": message.kind, "post_id": message.post_id, **message.extra})
            delivered += 1
        return delivered

    def detail(self, post_id: str, actor: Actor = CITIZEN) -> PostDetail:
        """Read a post and its timeline as `actor` would."""
        return self.svc.feeds.detail(actor, post_id)

    def timeline(self, post_id: str, actor: Actor = CITIZEN) -> list[str]:
        return [event.kind for event in self.detail(post_id, actor).events]

    def notices_to(self, officer_id: str) -> list[str]:
        """Every notice an officer received, whatever the channel: e-mail, SMS, WeChat (text, then its link)."""
        officer = self.directory.officer(officer_id)
        texts = self.officers.texts_to(officer_id) + (self.sms.texts_to(officer.phone) if officer else [])
        openid = self.contacts.contact(officer_id).openid
        return texts + [self.wechat.text(m) for m in self.wechat.to(openid)] if openid else texts


def accepted(ports: dict[str, Any]) -> dict[str, Any]:
    """The ports `bootstrap.build` names as keyword parameters (all of them while it takes `**overrides`).

    A fake it does not name is left out rather than refused: test_services_on_fakes.py says which, and would see
    the real adapter built in its place.
    """
    parameters = inspect.signature(bootstrap.build).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return ports
    named = {p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY}
    return {name: port for name, port in ports.items() if name in named}


def station(settings: Settings = SETTINGS, **overrides: Any) -> Station:
    """Bind the services to fakes; keyword arguments replace any fake (`clock=FixedClock(...)`, ...)."""
    ports = fake_ports(**overrides)
    return Station(bootstrap.build(settings, **accepted(ports)), ports)


def fake_services(settings: Settings = SETTINGS, **overrides: Any) -> Services:
    """Build the services through the production bootstrap, every port a fake (see `fake_ports`)."""
    return station(settings, **overrides).svc
