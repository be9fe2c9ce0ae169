"""The one place that builds adapters and binds use cases; tests override by keyword."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.config import Settings

if TYPE_CHECKING:
    from chalicelib.services.admin import Admin
    from chalicelib.services.audit import AuditLog
    from chalicelib.services.dispatch import Dispatcher
    from chalicelib.services.forum import Forum
    from chalicelib.services.identity import Identity
    from chalicelib.services.incidents import Incidents
    from chalicelib.services.lifecycle import Lifecycle
    from chalicelib.services.moderation import Moderation
    from chalicelib.services.open311 import Open311, PartnerKeys
    from chalicelib.services.ports import Clock
    from chalicelib.services.stats import Stats
    from chalicelib.services.supervision import Supervision
    from chalicelib.services.tokens import TokenService


class SystemClock:
    """The real time, in UTC (rendered as +08:00 at the edge)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Services:
    """The bound use cases one request or message needs."""

    settings: Settings
    forum: Forum
    identity: Identity
    admin: Admin
    lifecycle: Lifecycle
    dispatcher: Dispatcher
    supervision: Supervision
    stats: Stats
    incidents: Incidents
    moderation: Moderation
    audit: AuditLog
    queue: Any
    tokens: TokenService
    clock: Clock
    directory: Any
    table: Any
    open311: Open311
    partners: PartnerKeys


def build(settings: Settings | None = None, **overrides: Any) -> Services:
    """Build the services from settings; keyword arguments replace any adapter."""
    from chalicelib.adapters.dynamodb.open311 import DynamoOpen311Reads, DynamoPartnerKeyRepository
    from chalicelib.adapters.dynamodb.repositories import (
        DynamoAuditLog,
        DynamoCounters,
        DynamoDirectoryRepository,
        DynamoIdempotencyStore,
        DynamoIncidentRepository,
        DynamoLinkStore,
        DynamoNoticeLedger,
        DynamoOtpRepository,
        DynamoPostRepository,
        DynamoStatsRepository,
        DynamoUserRepository,
    )
    from chalicelib.adapters.dynamodb.table import Table
    from chalicelib.adapters.metrics import EmfMetrics, MeteredStats
    from chalicelib.adapters.sms import sms_sender
    from chalicelib.adapters.sns import SnsOfficerChannel
    from chalicelib.adapters.sqs import SqsCadOutbox, SqsDispatchQueue
    from chalicelib.services.admin import Admin
    from chalicelib.services.audit import Auditor
    from chalicelib.services.cursors import CursorCodec
    from chalicelib.services.dispatch import Dispatcher
    from chalicelib.services.forum import Forum
    from chalicelib.services.identity import Identity
    from chalicelib.services.incidents import Incidents
    from chalicelib.services.lifecycle import Lifecycle
    from chalicelib.services.limits import Limits, LimitSettings
    from chalicelib.services.moderation import Moderation
    from chalicelib.services.open311 import Open311, PartnerKeys
    from chalicelib.services.stats import Stats
    from chalicelib.services.supervision import Supervision
    from chalicelib.services.tokens import TokenService

    settings = settings or Settings.from_env()
    table = overrides.get("table") or Table(settings.table_name, settings.region)
    posts = overrides.get("posts") or DynamoPostRepository(table)
    users = overrides.get("users") or DynamoUserRepository(table)
    directory = overrides.get("directory") or DynamoDirectoryRepository(table)
    otps = overrides.get("otps") or DynamoOtpRepository(table)
    clock: Clock = overrides.get("clock") or SystemClock()
    idempotency = overrides.get("idempotency") or DynamoIdempotencyStore(table, clock)
    queue = overrides.get("queue") or SqsDispatchQueue(settings.dispatch_queue_url, settings.region)
    sms = overrides.get("sms") or sms_sender(settings.sms_provider, settings.region)
    ledger = overrides.get("ledger") or DynamoNoticeLedger(table)
    metrics = EmfMetrics.from_env(os.environ)
    stats = MeteredStats(overrides.get("stats") or DynamoStatsRepository(table), metrics)
    officers = overrides.get("officers") or SnsOfficerChannel(settings.officer_topic_arn, settings.region)
    tokens = TokenService(settings.token_keys)
    secret = settings.token_keys[0][1]
    limits = Limits(
        overrides.get("counters") or DynamoCounters(table),
        LimitSettings.parse(settings.rate_limits, local=settings.is_local),
        metrics,
    )
    auditor = Auditor(overrides.get("audit") or DynamoAuditLog(table), clock)
    forum = Forum(
        posts,
        directory,
        queue,
        idempotency,
        clock,
        CursorCodec(secret),
        settings.districts,
        stats,
        limits,
        auditor,
        settings.sensitive_words,
        ledger=ledger,
    )
    links = overrides.get("links") or DynamoLinkStore(table)
    dispatcher = Dispatcher(
        posts, directory, users, ledger, officers, sms, stats, tokens, clock, settings.site_url, links
    )
    incidents = Incidents(
        forum,
        users,
        ledger,
        overrides.get("cad") or SqsCadOutbox(settings.cad_queue_url, settings.region),
        overrides.get("incidents") or DynamoIncidentRepository(table),
        stats,
        settings.site_url,
        settings.incident_boards,
        settings.cad_secret,
    )
    dispatcher.incidents = incidents
    identity = Identity(users, otps, directory, sms, tokens, clock, pepper=secret, limits=limits, links=links)
    open311 = Open311(
        overrides.get("open311_reads") or DynamoOpen311Reads(table),
        posts,
        forum,
        identity,
        limits,
        clock,
        settings.districts,
    )
    partners = PartnerKeys(overrides.get("partner_keys") or DynamoPartnerKeyRepository(table), clock, auditor)
    return Services(
        settings=settings,
        forum=forum,
        identity=identity,
        admin=Admin(posts, directory, clock, settings.districts, officers, auditor),
        moderation=Moderation(forum, ledger, posts, auditor),
        audit=auditor.trail,
        lifecycle=Lifecycle(forum),
        dispatcher=dispatcher,
        supervision=Supervision(posts, directory, queue, dispatcher, stats, clock),
        stats=Stats(stats, directory, clock),
        incidents=incidents,
        queue=queue,
        tokens=tokens,
        clock=clock,
        directory=directory,
        table=table,
        open311=open311,
        partners=partners,
    )


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
