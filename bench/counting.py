"""Count the AWS calls the app makes, by hooking botocore events on its cached clients.

With a table schema (bench/units.py), every DynamoDB call also carries the request units it cost, from the real
item sizes: a write's items are read before and after it through a client of the recorder's own (never
recorded), a Query's items are the ones it read (before any filter).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench.units import Item, Schema, Units, index_writes, item_size, read_cost, write_cost

SERVICES = ("dynamodb", "sqs", "sns", "s3")
_INDEX, _PARTITION, _PARAMS = "bench_index", "bench_partition", "bench_params"
_BEFORE, _AFTER = "bench_before", "bench_after"  # a write's items before it, and (before, after) pairs
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")


@dataclass(frozen=True)
class Call:
    """One AWS API call as the app made it."""

    service: str
    operation: str
    index: str | None
    partition: str | None
    items: int
    bytes_read: int
    bytes_compact: int
    status: int
    units: Units = field(default_factory=Units)
    item_bytes: int = 0  # bytes of the items DynamoDB read, by its size rules (before any filter)
    index_partitions: dict[str, float] = field(default_factory=dict)  # index write units by `GSI1 FEED#all`

    @property
    def label(self) -> str:
        """Name the call: the index of a Query (`Query[GSI1]`, `Query[table]`), the item of a single-item call."""
        if self.operation in ("Query", "Scan"):
            return f"{self.operation}[{self.index or 'table'}]"
        if self.partition:
            return f"{self.operation}({self.partition})"
        return self.operation


@dataclass
class Calls:
    """The calls made inside one recording window."""

    calls: list[Call] = field(default_factory=list)
    # The HTTP response body the caller got (0: not an HTTP route); the feed pages (bench/operations.py) count only
    # the items they carried (compact UTF-8 JSON), against `bytes_compact`: what the reads cost for what they show.
    bytes_returned: int = 0

    def of(self, service: str) -> list[Call]:
        return [c for c in self.calls if c.service == service]

    def count(self, service: str, operation: str | None = None, index: str | None = "any") -> int:
        """Count calls to a service, optionally of one operation and one index (None: the table)."""
        return sum(
            1
            for c in self.of(service)
            if (operation is None or c.operation == operation) and (index == "any" or c.index == index)
        )

    @property
    def dynamodb(self) -> list[Call]:
        return self.of("dynamodb")

    @property
    def bytes_read(self) -> int:
        """Bytes of every DynamoDB response body."""
        return sum(c.bytes_read for c in self.dynamodb)

    @property
    def bytes_compact(self) -> int:
        """Bytes of the same DynamoDB responses as compact UTF-8 JSON (moto pads and escapes non-ASCII)."""
        return sum(c.bytes_compact for c in self.dynamodb)

    @property
    def items_read(self) -> int:
        return sum(c.items for c in self.dynamodb)

    @property
    def item_bytes(self) -> int:
        """Bytes of the items DynamoDB read, by its size rules."""
        return sum(c.item_bytes for c in self.dynamodb)

    @property
    def units(self) -> Units:
        """The request units of every DynamoDB call."""
        return sum((c.units for c in self.dynamodb), Units())

    def summary(self, service: str | tuple[str, ...] = "dynamodb") -> str:
        """Say which calls were made, e.g. `Query[GSI4] + Query[GSI1]` or `-`; failed calls are marked `!`."""
        services = (service,) if isinstance(service, str) else service
        counts = Counter(
            (f"{c.service}:{c.label}" if len(services) > 1 else c.label) + ("!" if c.status >= 300 else "")
            for c in self.calls
            if c.service in services
        )
        parts = [name if n == 1 else f"{n}x {name}" for name, n in counts.items()]
        return " + ".join(parts) or "-"

    def signature(self) -> tuple[str, ...]:
        """The calls in order, for comparing two runs."""
        return tuple(f"{c.service}:{c.label}" for c in self.calls)


class CallRecorder:
    """Record AWS calls made through clients it is attached to, while a window is open."""

    def __init__(self, schema: Schema | None = None) -> None:
        self._window: Calls | None = None
        self._attached: set[int] = set()
        self.schema = schema
        self._peek: Any = None  # a DynamoDB client of the recorder's own: its calls are never recorded

    def attach(self, client: Any) -> None:
        """Register the handlers on one boto3 client (once)."""
        if id(client) in self._attached:
            return
        self._attached.add(id(client))
        events = client.meta.events
        events.register("provide-client-params", self._tag_index)
        events.register("after-call", self._after_call)

    def attach_app_clients(self, region: str | None = None) -> None:
        """Build (through the app's own cache) and attach the DynamoDB, SQS, SNS and S3 clients."""
        import boto3

        from chalicelib.adapters import aws
        from chalicelib.config import Settings

        region = region or Settings.from_env().region
        for service in SERVICES:
            self.attach(aws.client(service, region))
        self.schema = self.schema or Schema.from_template()
        self._peek = boto3.session.Session().client("dynamodb", region_name=region)

    @contextmanager
    def recording(self, http: Any = None) -> Iterator[Calls]:
        """Collect every call made until the block ends (and the body of the response `http` got in it)."""
        window = Calls()
        self._window = window
        if http is not None:
            http.last_bytes = 0
        try:
            yield window
        finally:
            self._window = None
            if http is not None:
                window.bytes_returned = http.last_bytes

    def _tag_index(self, params: dict[str, Any], context: dict[str, Any], model: Any = None, **_: Any) -> None:
        context[_INDEX] = params.get("IndexName")
        self._keep(params, context, model)
        key = params.get("Key") or params.get("Item") or {}
        if isinstance(key, str):  # S3: the object's top folder (uploads, photos, media)
            context[_PARTITION] = key.split("/", 1)[0]
            return
        pk = key.get("PK", {}).get("S") if isinstance(key.get("PK"), dict) else None
        context[_PARTITION] = pk.split("#", 1)[0] if isinstance(pk, str) else None

    def _keep(self, params: dict[str, Any], context: dict[str, Any], model: Any) -> None:
        """Keep a DynamoDB call's parameters and, for a write, the items it touches as they stand."""
        if self._window is None or not self._measures or model is None:
            return
        if model.service_model.service_name != "dynamodb":
            return
        assert self.schema is not None
        context[_PARAMS] = dict(params)
        if model.name in WRITES:
            targets = _targets(model.name, params, self.schema.keys)
            context[_BEFORE] = [(*target, self._image(target)) for target in targets]

    def _after_call(
        self, http_response: Any, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        if self._window is None:
            return
        service = model.service_model.service_name
        # A streamed body (S3's GetObject) is the caller's to read: never touched here.
        body = b"" if model.has_streaming_output else (http_response.content or b"")
        status = http_response.status_code
        units, item_bytes, partitions = Units(), 0, {}
        if service == "dynamodb" and self._measures:
            units, item_bytes = self._units(model.name, params_of(context), parsed, context, status)
            partitions = self._index_partitions(context, status)
        self._window.calls.append(
            Call(
                service,
                model.name,
                context.get(_INDEX),
                context.get(_PARTITION),
                _items(parsed),
                len(body),
                _compact(body),
                status,
                units,
                item_bytes,
                partitions,
            )
        )

    @property
    def _measures(self) -> bool:
        return self.schema is not None and self._peek is not None

    def _image(self, target: tuple[str, str, Item]) -> Item | None:
        """The item as it stands (None: absent), read through the recorder's own client."""
        table, _, key = target
        found = self._peek.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
        return found if isinstance(found, dict) else None

    def _units(
        self, operation: str, params: dict[str, Any], parsed: dict[str, Any], context: dict[str, Any], status: int
    ) -> tuple[Units, int]:
        """Return a DynamoDB call's request units and the bytes of the items it read."""
        assert self.schema is not None
        failed = status >= 300
        if operation in WRITES:
            total = Units()
            for table, action, key, old in context.get(_BEFORE, []):
                if action == "ConditionCheck":
                    total += read_cost([old or {}], transactional=True, apiece=True)
                    continue
                new = old if failed else self._image((table, action, key))
                context.setdefault(_AFTER, []).append((old, new))
                total += write_cost(self.schema, old, new, operation == "TransactWriteItems", failed)
            return total, 0
        consistent = bool(params.get("ConsistentRead"))
        if operation == "GetItem":
            items = [parsed.get("Item") or {}]
            return read_cost(items, consistent, apiece=True), item_size(items[0])
        if operation in ("Query", "Scan"):
            items = self._read_items(operation, params, parsed)
            return read_cost(items, consistent), sum(item_size(i) for i in items)
        if operation == "BatchGetItem":
            total, size = Units(), 0
            for table, found in parsed.get("Responses", {}).items():
                strong = bool(params.get("RequestItems", {}).get(table, {}).get("ConsistentRead"))
                total += read_cost(found, strong, apiece=True) if found else Units()
                size += sum(item_size(i) for i in found)
            return total, size
        if operation == "TransactGetItems":
            items = [r.get("Item") or {} for r in parsed.get("Responses", [])]
            return read_cost(items, transactional=True, apiece=True), sum(item_size(i) for i in items)
        return Units(), 0

    def _index_partitions(self, context: dict[str, Any], status: int) -> dict[str, float]:
        """A write's index write units by index partition (nothing for a failed write)."""
        assert self.schema is not None
        out: dict[str, float] = {}
        if status >= 300:
            return out
        for old, new in context.get(_AFTER, []):
            for name, units in index_writes(self.schema, old, new).items():
                out[name] = out.get(name, 0.0) + units
        return out

    def _read_items(self, operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> list[Item]:
        """The items a Query or Scan read: what it returned, or, behind a filter, a count or a projection,
        the same page asked again without them."""
        items = parsed.get("Items", [])
        if not params or not any(k in params for k in ("FilterExpression", "Select", "ProjectionExpression")):
            return list(items)
        again = {k: v for k, v in params.items() if k not in ("FilterExpression", "Select", "ProjectionExpression")}
        used = " ".join(str(again.get(k, "")) for k in ("KeyConditionExpression",))
        for names in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
            kept = {k: v for k, v in again.get(names, {}).items() if k in used}
            if kept:
                again[names] = kept
            else:
                again.pop(names, None)
        call = self._peek.query if operation == "Query" else self._peek.scan
        return list(call(**again).get("Items", []))


def params_of(context: dict[str, Any]) -> dict[str, Any]:
    """The parameters of a DynamoDB call as the app gave them."""
    found = context.get(_PARAMS)
    return found if isinstance(found, dict) else {}


def _targets(operation: str, params: dict[str, Any], keys: tuple[str, ...]) -> list[tuple[str, str, Item]]:
    """(table, action, key) of every item a write touches."""

    def key(entry: dict[str, Any]) -> Item:
        item = entry.get("Key") or entry.get("Item") or {}
        return {k: v for k, v in item.items() if k in keys}

    if operation == "TransactWriteItems":
        return [
            (body["TableName"], action, key(body))
            for entry in params.get("TransactItems", [])
            for action, body in entry.items()
        ]
    if operation == "BatchWriteItem":
        return [
            (table, action, key(body))
            for table, requests in params.get("RequestItems", {}).items()
            for request in requests
            for action, body in request.items()
        ]
    return [(params["TableName"], operation, key(params))]


def _compact(body: bytes) -> int:
    """Return the length of a JSON body re-encoded without padding, non-ASCII as plain UTF-8."""
    try:
        return len(json.dumps(json.loads(body), ensure_ascii=False, separators=(",", ":")).encode())
    except ValueError:
        return len(body)


def _items(parsed: dict[str, Any]) -> int:
    """Count the items a response returned."""
    if "Items" in parsed:
        return len(parsed["Items"])
    responses = parsed.get("Responses")
    if isinstance(responses, dict):  # BatchGetItem
        return sum(len(v) for v in responses.values())
    if isinstance(responses, list):  # TransactGetItems
        return len(responses)
    return 1 if parsed.get("Item") else 0
