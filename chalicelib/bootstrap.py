"""The one place that builds adapters and binds use cases; tests pass fakes by keyword (a misspelled one is a
TypeError)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from chalicelib.config import Settings

if TYPE_CHECKING:
    from chalicelib.adapters.dynamodb.table import Table
    from chalicelib.services.admin import Admin
    from chalicelib.services.audit import AuditLog
    from chalicelib.services.contacts import Contacts
    from chalicelib.services.cursors import CursorCodec
    from chalicelib.services.dispatch import Dispatcher
    from chalicelib.services.feeds import Feeds
    from chalicelib.services.forum import Forum
    from chalicelib.services.identity import Identity
    from chalicelib.services.incidents import CadOutbox, IncidentRepository, Incidents
    from chalicelib.services.lifecycle import Lifecycle
    from chalicelib.services.limits import Counters, Limits
    from chalicelib.services.mfa import SecondFactor, TotpStore
    from chalicelib.services.moderation import Moderation
    from chalicelib.services.open311 import Open311, Open311Reads, PartnerKeyRepository, PartnerKeys
    from chalicelib.services.photos import Photos
    from chalicelib.services.ports import (
        Clock,
        ContactBook,
        DirectoryRepository,
        DispatchQueue,
        IdempotencyStore,
        LinkStore,
        NoticeLedger,
        OfficerChannel,
        OtpRepository,
        PostRepository,
        SmsSender,
        StatsRepository,
        UserRepository,
        Vouchers,
        Wechat,
    )
    from chalicelib.services.publish import PublicObjects, Publisher
    from chalicelib.services.review import Review, ReviewIndex
    from chalicelib.services.stats import Stats
    from chalicelib.services.storage import PhotoStorage, UploadBook
    from chalicelib.services.supervision import Supervision
    from chalicelib.services.tokens import TokenService
    from chalicelib.services.wechat import WechatSignIn
    from chalicelib.services.work import Workbench


class SystemClock:
    """The real time, in UTC (rendered as +08:00 at the edge)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Services:
    """The bound use cases one request or message needs."""

    settings: Settings
    forum: Forum
    feeds: Feeds
    identity: Identity
    admin: Admin
    lifecycle: Lifecycle
    dispatcher: Dispatcher
    supervision: Supervision
    stats: Stats
    incidents: Incidents
    moderation: Moderation
    audit: AuditLog
    queue: DispatchQueue
    tokens: TokenService
    cursors: CursorCodec
    clock: Clock
    directory: DirectoryRepository
    table: Table
    open311: Open311
    partners: PartnerKeys
    contacts: Contacts
    wechat: WechatSignIn
    work: Workbench
    mfa: SecondFactor
    review: Review
    photos: Photos
    publisher: Publisher


def build(
    settings: Settings | None = None,
    *,
    table: Table | None = None,
    posts: PostRepository | None = None,
    users: UserRepository | None = None,
    directory: DirectoryRepository | None = None,
    otps: OtpRepository | None = None,
    clock: Clock | None = None,
    idempotency: IdempotencyStore | None = None,
    queue: DispatchQueue | None = None,
    sms: SmsSender | None = None,
    ledger: NoticeLedger | None = None,
    stats: StatsRepository | None = None,
    officers: OfficerChannel | None = None,
    counters: Counters | None = None,
    audit: AuditLog | None = None,
    links: LinkStore | None = None,
    cad: CadOutbox | None = None,
    incidents: IncidentRepository | None = None,
    open311_reads: Open311Reads | None = None,
    partner_keys: PartnerKeyRepository | None = None,
    limits: Limits | None = None,
    contacts: ContactBook | None = None,
    vouchers: Vouchers | None = None,
    wechat: Wechat | None = None,
    totps: TotpStore | None = None,
    review_index: ReviewIndex | None = None,
    uploads: UploadBook | None = None,
    photo_storage: PhotoStorage | None = None,
    public_objects: PublicObjects | None = None,
) -> Services:
    """Build the services from settings; each keyword replaces one adapter (`limits`: the limits as a whole)."""
    from chalicelib.adapters.dynamodb import repositories as dynamo
    from chalicelib.adapters.dynamodb.contacts import DynamoContactBook, DynamoVouchers
    from chalicelib.adapters.dynamodb.mfa import DynamoTotpStore
    from chalicelib.adapters.dynamodb.open311 import DynamoOpen311Reads, DynamoPartnerKeyRepository
    from chalicelib.adapters.dynamodb.review import DynamoReviewIndex
    from chalicelib.adapters.dynamodb.table import Table
    from chalicelib.adapters.dynamodb.uploads import DynamoUploadBook
    from chalicelib.adapters.metrics import EmfMetrics, MeteredStats
    from chalicelib.adapters.s3_photos import S3PhotoStorage
    from chalicelib.adapters.s3_public import S3PublicObjects
    from chalicelib.adapters.sms import sms_sender
    from chalicelib.adapters.sns import SnsOfficerChannel
    from chalicelib.adapters.sqs import SqsCadOutbox, SqsDispatchQueue
    from chalicelib.api.public import AnonymousRender
    from chalicelib.services import admin as admin_
    from chalicelib.services import dispatch, feeds, forum, lifecycle, moderation, notices, open311, supervision
    from chalicelib.services import identity as identity_
    from chalicelib.services import incidents as incidents_
    from chalicelib.services import wechat as wechat_
    from chalicelib.services.audit import Auditor
    from chalicelib.services.contacts import Contacts
    from chalicelib.services.cursors import CursorCodec
    from chalicelib.services.limits import Limits, LimitSettings
    from chalicelib.services.messenger import Messenger
    from chalicelib.services.mfa import Sealer, SecondFactor
    from chalicelib.services.photos import Photos
    from chalicelib.services.publish import Publisher
    from chalicelib.services.review import Review
    from chalicelib.services.staff import Staff
    from chalicelib.services.stats import Stats
    from chalicelib.services.store import PostStore
    from chalicelib.services.tokens import TokenService
    from chalicelib.services.work import Workbench

    settings = settings or Settings.from_env()
    table = table or Table(settings.table_name, settings.region)
    posts = posts or dynamo.DynamoPostRepository(table)
    users = users or dynamo.DynamoUserRepository(table)
    directory = directory or dynamo.DynamoDirectoryRepository(table)
    clock = clock or SystemClock()
    queue = queue or SqsDispatchQueue(settings.dispatch_queue_url, settings.region)
    sms = sms or sms_sender(settings)
    ledger = ledger or dynamo.DynamoNoticeLedger(table)
    metrics = EmfMetrics.from_env(os.environ)
    figures = MeteredStats(stats or dynamo.DynamoStatsRepository(table), metrics)
    officers = officers or SnsOfficerChannel(settings.officer_topic_arn, settings.region)
    links = links or dynamo.DynamoLinkStore(table)
    tokens, secret = TokenService(settings.token_keys), settings.token_keys[0][1]
    cursors = CursorCodec(secret)
    limits = limits or Limits(
        counters or dynamo.DynamoCounters(table),
        LimitSettings.parse(settings.rate_limits, local=settings.is_local),
        metrics,
    )
    auditor = Auditor(audit or dynamo.DynamoAuditLog(table), clock)
    photos = Photos(uploads or DynamoUploadBook(table), photo_storage or S3PhotoStorage(settings), clock, limits=limits)
    store, staff = PostStore(posts, queue, photos.follow), Staff(directory)
    the_forum = forum.Forum(
        store,
        idempotency or dynamo.DynamoIdempotencyStore(table, clock),
        staff,
        clock,
        limits,
        figures,
        auditor,
        settings.districts,
        settings.sensitive_words,
        photos,
        settings.area,
    )
    the_incidents = incidents_.Incidents(
        store,
        staff,
        users,
        ledger,
        cad or SqsCadOutbox(settings.cad_queue_url, settings.region),
        incidents or dynamo.DynamoIncidentRepository(table),
        figures,
        clock,
        auditor,
        incidents_.IncidentSettings(settings.site_url, settings.incident_boards, settings.cad_secret),
        photos,
    )
    contacts = contacts or DynamoContactBook(table)
    wechat = wechat or _wechat(settings, table)
    messenger = Messenger(contacts, sms, officers, wechat, settings.wechat_template)
    officer_notices = notices.OfficerNotices(directory, ledger, messenger, links, clock, settings.site_url)
    author_notices = notices.AuthorNotices(users, directory, ledger, messenger, clock, settings.site_url)
    second_factor = SecondFactor(
        totps or DynamoTotpStore(table),
        limits.counters,
        Sealer(settings.token_keys),
        settings.officer_mfa,
        directory,
        auditor,
    )
    the_identity = identity_.Identity(
        users,
        otps or dynamo.DynamoOtpRepository(table),
        directory,
        sms,
        tokens,
        clock,
        secret,
        limits,
        links,
        second_factor=second_factor,
    )
    wechat_sign_in = wechat_.WechatSignIn(
        the_identity,
        wechat,
        contacts,
        vouchers or DynamoVouchers(table),
        users,
        clock,
        secret,
        settings.site_url,
        settings.wechat_app_id,
    )
    reads = open311_reads or DynamoOpen311Reads(table)
    the_feeds = feeds.Feeds(posts, cursors, clock)
    return Services(
        settings=settings,
        forum=the_forum,
        feeds=the_feeds,
        identity=the_identity,
        admin=admin_.Admin(store, directory, clock, settings.districts, officers, auditor),
        moderation=moderation.Moderation(store, directory, ledger, limits, clock, auditor, photos),
        audit=auditor.trail,
        lifecycle=lifecycle.Lifecycle(store, staff, clock, figures, auditor),
        dispatcher=dispatch.Dispatcher(
            store, directory, officer_notices, author_notices, figures, the_incidents, clock
        ),
        supervision=supervision.Supervision(store, staff, officer_notices, figures, clock),
        stats=Stats(figures, directory, clock),
        incidents=the_incidents,
        queue=queue,
        tokens=tokens,
        cursors=cursors,
        clock=clock,
        directory=directory,
        table=table,
        open311=open311.Open311(reads, posts, the_forum, staff, the_identity, limits, clock, settings.districts),
        partners=open311.PartnerKeys(partner_keys or DynamoPartnerKeyRepository(table), clock, auditor),
        contacts=Contacts(contacts),
        wechat=wechat_sign_in,
        work=Workbench(posts, staff, directory, figures, cursors, clock, settings.districts),
        mfa=second_factor,
        review=Review(review_index or DynamoReviewIndex(table), store, staff, cursors, clock, auditor),
        photos=photos,
        publisher=Publisher(posts, the_feeds, public_objects or S3PublicObjects(settings), AnonymousRender(), clock),
    )


def _wechat(settings: Settings, table: Table) -> Wechat | None:
    """Return the official account's client, or None where the bureau configured none (no WeChat sign-in)."""
    if not settings.wechat_enabled:
        return None
    from chalicelib.adapters.wechat import WechatClient

    return WechatClient(settings, table)


_cache: dict[Settings, Services] = {}


def services() -> Services:
    """Return the services for the current environment, built once per settings."""
    settings = Settings.from_env()
    found = _cache.get(settings)
    if found is None:
        found = _cache[settings] = build(settings)
    return found


def reset() -> None:
    """Forget built services (tests)."""
    _cache.clear()
