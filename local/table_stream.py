"""Follow the table's DynamoDB stream (moto's) and hand each batch to an `on_dynamodb_record` handler, as Lambda's
event source mapping does: from the stream's start (TRIM_HORIZON), in order, a batch at a time, and the same
batch again after a failure (the position moves only past a batch the handler took)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalice.app import DynamoDBEventConfig
from chalice.local import LambdaContext

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class StreamBinding:
    """A function and the stream it reads (the table's, whatever ARN the app registered)."""

    function_name: str
    batch_size: int
    handler: Handler


def discover_streams(chalice_app: Any) -> list[StreamBinding]:
    """Find the app's `on_dynamodb_record` handlers (blueprints included)."""
    return [
        StreamBinding(source.name, max(1, min(1000, int(source.batch_size))), chalice_app.handler_map[source.name])
        for source in chalice_app.event_sources
        if isinstance(source, DynamoDBEventConfig)
    ]


def _lambda_record(record: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """Give a GetRecords record the shape Lambda delivers (the creation time in epoch seconds, the source ARN)."""
    stream = dict(record["dynamodb"])
    created = stream.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        stream["ApproximateCreationDateTime"] = created.timestamp()
    return {**record, "dynamodb": stream, "eventSourceARN": stream_arn, "awsRegion": region}


def share_stream_records() -> None:
    """Keep moto from copying a table's stream records at every transaction.

    moto deep-copies a table before each TransactWriteItems (to roll it back on failure), stream records included,
    and never drops a record: every transaction would copy every change ever made, slower and slower (100
    concurrent replies then time out). The stream is shared instead; a record of a transaction that failed stays,
    which a stream handler must bear anyway (it reads the table again: services.publish).
    """
    from moto.dynamodb.models.table import StreamShard

    StreamShard.__deepcopy__ = lambda self, memo: self  # type: ignore[attr-defined]


def streams_client(region: str = "us-east-1") -> Any:
    """Return a DynamoDB Streams client on the usual endpoint (botocore would send a stream ARN's calls to an
    account's own endpoint, which moto does not serve)."""
    import boto3
    from botocore.config import Config

    return boto3.client("dynamodbstreams", region_name=region, config=Config(account_id_endpoint_mode="disabled"))


class TableStream:
    """One table's stream, read by the pump (moto has one shard per table)."""

    def __init__(self, dynamodb: Any, streams: Any, table_name: str, region: str = "us-east-1") -> None:
        self.dynamodb, self.streams, self.table_name, self.region = dynamodb, streams, table_name, region
        self.after: str | None = None  # the last sequence number a handler took
        self._found: tuple[str, str] | None = None

    def _arn_and_shard(self) -> tuple[str, str] | None:
        """Return the stream's ARN and its one shard (looked up once: moto serves one request at a time)."""
        if self._found is None:
            arn = self.dynamodb.describe_table(TableName=self.table_name)["Table"].get("LatestStreamArn")
            shards = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"] if arn else []
            self._found = (arn, shards[0]["ShardId"]) if shards else None
        return self._found

    def pending(self, limit: int) -> tuple[str, list[dict[str, Any]]]:
        """Return the stream's ARN and the next records after the position (none: an empty list)."""
        found = self._arn_and_shard()
        if found is None:
            return "", []
        arn, shard = found
        where = {"ShardIteratorType": "TRIM_HORIZON"}
        if self.after is not None:
            where = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": self.after}
        iterator = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard, **where)["ShardIterator"]
        records = self.streams.get_records(ShardIterator=iterator, Limit=limit)["Records"]
        return arn, [_lambda_record(r, arn, self.region) for r in records]

    def pump(self, binding: StreamBinding) -> int:
        """Hand the next batch to the handler; move past it if it went through. Return the records it took."""
        arn, records = self.pending(binding.batch_size)
        if not records:
            return 0
        context = LambdaContext(binding.function_name, memory_size=256, max_runtime_ms=60_000)
        try:
            binding.handler({"Records": records}, context)
        except Exception:
            log.exception("pump: %s failed on the stream of %s; the batch comes again", binding.function_name, arn)
            return 0
        self.after = records[-1]["dynamodb"]["SequenceNumber"]
        return len(records)

    def drain(self, binding: StreamBinding, rounds: int = 100) -> int:
        """Pump until the stream has nothing new (or a batch fails); return the records taken."""
        total = 0
        for _ in range(rounds):
            taken = self.pump(binding)
            if not taken:
                return total
            total += taken
        return total
