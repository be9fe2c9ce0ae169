"""Queue and schedule handlers: the dispatcher and the every-minute sweep."""

from __future__ import annotations

import json
import logging
import os
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Cron, SQSEvent

from chalicelib.adapters.logs import correlate, mask_logs
from chalicelib.bootstrap import services

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

log = logging.getLogger(__name__)
mask_logs(log)  # in AWS the workers' functions import this module, never app.py
bp = Blueprint(__name__)
# The queue's name is fixed when the app is packaged; the stack's prefix decides it.
DISPATCH_QUEUE = os.environ.get("DISPATCH_QUEUE_NAME", "police24-dispatch")


@bp.on_sqs_message(queue=DISPATCH_QUEUE, batch_size=10)
def dispatch_post(event: SQSEvent) -> PartialItemFailureResponse:
    """Carry out each work message; report the failed ones, which SQS delivers again (then the DLQ keeps them).

    The event source mapping reports batch item failures (tools/package.py sets it), so SQS deletes the
    messages that went through and only the failures come back. If every message fails, Powertools raises.
    """
    # Powertools' batch utility is heavy to import: only the dispatcher's function pays for it.
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    records = event.to_dict().get("Records", [])
    # Urgent posts (emergency wording) first; the rest in the order SQS gave them.
    ordered = {"Records": sorted(records, key=lambda r: '"urgent"' not in r.get("body", ""))}
    processor = BatchProcessor(event_type=EventType.SQS)
    return process_partial_response(event=ordered, record_handler=_dispatch, processor=processor)


def _dispatch(record: SQSRecord) -> None:
    """Carry out one work message, logged under its message id."""
    correlate(record.message_id)
    try:
        services().dispatcher.handle(json.loads(record.body))
    except Exception:
        log.exception("dispatch failed", extra={"message_id": record.message_id})
        raise
    finally:
        correlate(None)


@bp.schedule(Cron("*", "*", "*", "*", "?", "*"))
def sweep(event: Any) -> dict[str, int | bool]:
    """Re-queue lost dispatches and escalate overdue posts, every minute, until none is due or time runs short."""
    from chalicelib.services.supervision import SAFETY_MS

    time_left = getattr(getattr(event, "context", None), "get_remaining_time_in_millis", None)
    if time_left is not None and time_left() < 2 * SAFETY_MS:
        time_left = None  # not a Lambda's budget (chalice's local context says 3 s): the run is not cut short
    report = services().supervision.sweep(time_left)
    return report.__dict__
