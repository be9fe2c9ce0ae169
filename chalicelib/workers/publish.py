"""The public copies (services.publish): rewritten from the table's stream, and every minute for what no write marks."""

from __future__ import annotations

import logging
import os
from typing import Any

from chalice.app import Blueprint, Cron, DynamoDBEvent

from chalicelib.adapters.logs import mask_logs
from chalicelib.bootstrap import services

log = logging.getLogger(__name__)
mask_logs(log)
bp = Blueprint(__name__)
# The stream's ARN is known once the table exists: infra/public_data.json sets the event source to the table's
# StreamArn, so this is only the name the app registers (locally the pump reads moto's stream of the table).
TABLE_STREAM_ARN = os.environ.get("TABLE_STREAM_ARN", "arn:aws:dynamodb:us-east-1:000000000000:table/police24/stream/0")


@bp.on_dynamodb_record(stream_arn=TABLE_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON")
def publish_posts(event: DynamoDBEvent) -> None:
    """Rewrite the pages and feeds of the posts the records name, from the table as it stands. A failure raises:
    the stream delivers the batch again (in order, per post), and a redelivered batch writes the same copies."""
    from chalicelib.adapters.dynamodb.stream import post_changes  # the domain's models: loaded on first use

    changes = post_changes(event.to_dict().get("Records", []))
    if not changes:
        return
    done = services().publisher.publish(changes)
    log.info(
        "public copies",
        extra={"posts": len(changes), "written": len(done.written), "deleted": len(done.deleted)},
    )


@bp.schedule(Cron("*", "*", "*", "*", "?", "*"))
def refresh_feeds(event: Any) -> dict[str, int]:
    """Every minute: rewrite the public feeds a pin that ran out still shows (no write marks a pin's end), and
    write the feeds' copies where there are none yet (a new stack)."""
    done = services().publisher.refresh_feeds()
    return {"written": len(done.written), "deleted": len(done.deleted)}
