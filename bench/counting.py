"""Count the AWS calls the app makes, by hooking botocore events on its cached clients."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

SERVICES = ("dynamodb", "sqs", "sns", "s3")
_INDEX, _PARTITION = "bench_index", "bench_partition"


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
    # Bytes of the items the API response carried to the client (compact UTF-8 JSON), where the operation sets
    # it (bench/operations.py: the feed pages); against `bytes_compact`, what the reads cost for what they show.
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

    def __init__(self) -> None:
        self._window: Calls | None = None
        self._attached: set[int] = set()

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
        from chalicelib.adapters import aws
        from chalicelib.config import Settings

        region = region or Settings.from_env().region
        for service in SERVICES:
            self.attach(aws.client(service, region))

    @contextmanager
    def recording(self) -> Iterator[Calls]:
        """Collect every call made until the block ends."""
        window = Calls()
        self._window = window
        try:
            yield window
        finally:
            self._window = None

    def _tag_index(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context[_INDEX] = params.get("IndexName")
        key = params.get("Key") or params.get("Item") or {}
        if isinstance(key, str):  # S3: the object's top folder (uploads, photos, media)
            context[_PARTITION] = key.split("/", 1)[0]
            return
        pk = key.get("PK", {}).get("S") if isinstance(key.get("PK"), dict) else None
        context[_PARTITION] = pk.split("#", 1)[0] if isinstance(pk, str) else None

    def _after_call(
        self, http_response: Any, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        if self._window is None:
            return
        service = model.service_model.service_name
        # A streamed body (S3's GetObject) is the caller's to read: never touched here.
        body = b"" if model.has_streaming_output else (http_response.content or b"")
        self._window.calls.append(
            Call(
                service,
                model.name,
                context.get(_INDEX),
                context.get(_PARTITION),
                _items(parsed),
                len(body),
                _compact(body),
                http_response.status_code,
            )
        )


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
