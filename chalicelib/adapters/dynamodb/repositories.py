"""The DynamoDB repositories, gathered for bootstrap; each lives in a module of its own."""

from __future__ import annotations

from chalicelib.adapters.dynamodb.accounts import (
    DynamoIdempotencyStore,
    DynamoLinkStore,
    DynamoOtpRepository,
    DynamoUserRepository,
)
from chalicelib.adapters.dynamodb.directory import DynamoDirectoryRepository
from chalicelib.adapters.dynamodb.effects import (
    DynamoAuditLog,
    DynamoCounters,
    DynamoIncidentRepository,
    DynamoNoticeLedger,
    DynamoStatsRepository,
)
from chalicelib.adapters.dynamodb.posts import DynamoPostRepository

__all__ = [
    "DynamoAuditLog",
    "DynamoCounters",
    "DynamoDirectoryRepository",
    "DynamoIdempotencyStore",
    "DynamoIncidentRepository",
    "DynamoLinkStore",
    "DynamoNoticeLedger",
    "DynamoOtpRepository",
    "DynamoPostRepository",
    "DynamoStatsRepository",
    "DynamoUserRepository",
]
