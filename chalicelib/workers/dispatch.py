"""Queue and schedule handlers: the dispatcher and the every-minute sweep."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from chalice.app import Blueprint, Cron, SQSEvent

from chalicelib.adapters.logs import mask_logs
from chalicelib.bootstrap import services

log = logging.getLogger(__name__)
mask_logs(log)  # in AWS the workers' functions import this module, never app.py
bp = Blueprint(__name__)
# The queue's name is fixed when the app is packaged; the stack's prefix decides it.
DISPATCH_QUEUE = os.environ.get("DISPATCH_QUEUE_NAME", "police24-dispatch")


@bp.on_sqs_message(queue=DISPATCH_QUEUE, batch_size=10)
def dispatch_post(event: SQSEvent) -> None:
    """Carry out each work message; a failing record is retried, then kept by the DLQ."""
    svc = services()
    done, failed = [], 0
    # Urgent posts (emergency wording) first; the rest in the order SQS gave them.
    records = sorted(event, key=lambda r: '"urgent"' not in r.body)
    for record in records:
        try:
            svc.dispatcher.handle(json.loads(record.body))
            done.append(record.receipt_handle)
        except Exception:
            log.exception("dispatch failed", extra={"message_id": record.to_dict().get("messageId")})
            failed += 1
    if failed:
        # Delete the good ones now, so that only the failures come back (and reach the DLQ alone).
        svc.queue.acknowledge(done)
        raise RuntimeError(f"{failed} of the messages failed; SQS will deliver them again")


@bp.schedule(Cron("*", "*", "*", "*", "?", "*"))
def sweep(event: Any) -> dict[str, int]:
    """Re-queue lost dispatches and escalate overdue posts, every minute."""
    report = services().supervision.sweep()
    return report.__dict__
