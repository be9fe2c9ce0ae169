"""The S3 event handler: each photo uploaded under `uploads/` is processed once (services.photos.Photos.process)."""

from __future__ import annotations

import logging
import os

from chalice.app import Blueprint, S3Event

from chalicelib.adapters.logs import correlate, mask_logs
from chalicelib.bootstrap import services

log = logging.getLogger(__name__)
mask_logs(log)
bp = Blueprint(__name__)
# The bucket's name is fixed when the app is packaged; the stack's prefix decides it (tools/package.py).
PHOTOS_BUCKET = os.environ.get("PHOTOS_BUCKET", "police24-photos")


@bp.on_s3_event(bucket=PHOTOS_BUCKET, prefix="uploads/", events=["s3:ObjectCreated:*"])
def process_upload(event: S3Event) -> None:
    """Decode, clean and store one uploaded photo. A failure raises, so Lambda tries the event again (S3 events
    are asynchronous invocations: two retries); a redelivered event finds the upload settled and does nothing."""
    correlate(event.key)
    try:
        outcome = services().photos.process(event.key)
        log.info("photo processed", extra={"key": event.key, "outcome": outcome})
    finally:
        correlate(None)
