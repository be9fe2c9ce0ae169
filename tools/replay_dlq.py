"""Move the messages of a dead-letter queue back to their queue: `make replay-dlq` (`python -m tools.replay_dlq`).

Fix what made the messages fail first (the logs of `dispatch_post` say why), then replay. Each message is
sent to its queue first and deleted from the DLQ after: a run stopped between the two leaves the message in
both, and replaying it again is safe because the handlers decide every effect with a conditional write (a
message that arrives twice has one effect). Running the tool twice in a row moves nothing the second time.

    make replay-dlq                          # the dispatch DLQ, in AWS (the usual credentials and AWS_REGION)
    make replay-dlq DLQ=cad                  # the cad-outbox DLQ (the 110 system deduplicates by incident_id)
    make replay-dlq AWS_ENDPOINT_URL=http://127.0.0.1:NNNNN   # the local stack (`make dev` prints the URL)
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

QUEUES = {"dispatch": "dispatch", "cad": "cad-outbox"}  # --queue -> the queue's name after the prefix


@dataclass
class Replay:
    """What one run did."""

    moved: int = 0  # sent to the queue and deleted from the DLQ
    resend_next_time: int = 0  # sent, but the delete failed: the next run sends it again (harmless)
    failed: int = 0  # not sent: still in the DLQ
    left: int = 0  # in the DLQ after the run (approximate, as SQS counts)


def _attributes(message: dict[str, Any]) -> dict[str, Any]:
    """Keep the message attributes in the shape SendMessage takes."""
    kept = {}
    for name, value in message.get("MessageAttributes", {}).items():
        field = "BinaryValue" if "BinaryValue" in value else "StringValue"
        kept[name] = {"DataType": value["DataType"], field: value[field]}
    return kept


def depth(sqs: Any, url: str) -> int:
    """Messages in a queue, visible or in flight."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return sum(int(found.get(name, 0)) for name in names)


def replay(sqs: Any, dlq_url: str, queue_url: str, *, limit: int | None = None, visibility: int = 60) -> Replay:
    """Send each message of the DLQ to the queue, then delete it from the DLQ; stop when none is left."""
    from botocore.exceptions import BotoCoreError, ClientError

    done = Replay()
    seen: set[str] = set()
    while limit is None or done.moved < limit:
        batch = min(10, limit - done.moved) if limit is not None else 10
        messages = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=batch,
            WaitTimeSeconds=1,
            VisibilityTimeout=visibility,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        fresh = [m for m in messages if m["MessageId"] not in seen]
        if not fresh:  # empty, or only messages this run already tried
            break
        for message in fresh:
            seen.add(message["MessageId"])
            try:
                sqs.send_message(
                    QueueUrl=queue_url, MessageBody=message["Body"], MessageAttributes=_attributes(message)
                )
            except (BotoCoreError, ClientError) as error:
                print(f"  not sent {message['MessageId']}: {error}", file=sys.stderr)
                done.failed += 1
                continue
            try:
                sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
            except (BotoCoreError, ClientError) as error:
                print(f"  sent but not deleted {message['MessageId']} (sent again next run): {error}", file=sys.stderr)
                done.resend_next_time += 1
                continue
            done.moved += 1
    done.left = depth(sqs, dlq_url)
    return done


def sqs_client(region: str, endpoint: str | None) -> Any:
    """An SQS client; on the local stack (a loopback endpoint) moto's dummy credentials do."""
    import boto3

    options: dict[str, Any] = {"region_name": region}
    if endpoint:
        options["endpoint_url"] = endpoint
        if urlsplit(endpoint).hostname in ("127.0.0.1", "localhost") and not os.environ.get("AWS_ACCESS_KEY_ID"):
            options.update(aws_access_key_id="testing", aws_secret_access_key="testing")
    return boto3.session.Session().client("sqs", **options)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.replay_dlq", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--queue", choices=sorted(QUEUES), default="dispatch", help="which DLQ to replay")
    parser.add_argument("--prefix", default=os.environ.get("PREFIX") or "police24", help="the stack's name prefix")
    parser.add_argument(
        "--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    )
    parser.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL") or None)
    parser.add_argument("--limit", type=int, default=None, help="move at most this many messages")
    parser.add_argument(
        "--visibility", type=int, default=60, help="seconds a message stays hidden in the DLQ while it is moved"
    )
    parser.add_argument("--dry-run", action="store_true", help="only count the messages in the DLQ")
    args = parser.parse_args(argv)

    sqs = sqs_client(args.region, args.endpoint_url)
    name = f"{args.prefix}-{QUEUES[args.queue]}"
    queue_url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    dlq_url = sqs.get_queue_url(QueueName=f"{name}-dlq")["QueueUrl"]
    if args.dry_run:
        print(f"{name}-dlq holds {depth(sqs, dlq_url)} message(s); nothing moved (--dry-run)")
        return 0
    done = replay(sqs, dlq_url, queue_url, limit=args.limit, visibility=args.visibility)
    print(
        f"{name}-dlq -> {name}: moved {done.moved}, sent but not deleted {done.resend_next_time} "
        f"(harmless: sent again next run), not sent {done.failed}; {done.left} left in the DLQ"
    )
    return 1 if done.failed or done.resend_next_time else 0


if __name__ == "__main__":
    sys.exit(main())
