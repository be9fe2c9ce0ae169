"""DynamoDB's request units from real item sizes (on-demand), as its documentation states the rules.

- An item's size is the sum, over its attributes, of the name's UTF-8 bytes and the value's size: a string is
  its UTF-8 bytes, a binary its bytes, a number 1 byte plus 1 per two significant digits (plus 1 if negative),
  a boolean or null 1 byte, a list or map 3 bytes plus 1 per element plus the elements (a map's names count).
- A write costs 1 write unit per 1 KB of the larger of the item before and after (at least 1); in a transaction
  2. A failed conditional write still costs what it would have written (the item as it stands, at least 1).
- A read costs 1 read unit per 4 KB strongly consistent, half of that eventually consistent, 2 in a
  transaction. A Query or Scan adds the sizes of every item it reads (before a filter, even for Select=COUNT)
  and rounds up once; GetItem and each item of a batch round up on their own.
- Every global secondary index the item is (or was) in is written too, at standard (not transactional) rates,
  by the size of the projected entry: a new entry is one write, a removed one one write, an entry whose index
  key changes two (delete and put), an entry whose projected attributes change one; an entry nothing of which
  changed costs nothing. The indexes and projections come from the table's description (infra/stateful.json).
- ConditionCheck inside TransactWriteItems is charged as a transactional read of the item (our reading).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Item = dict[str, Any]  # DynamoDB's typed JSON: {"name": {"S": "..."}}
STATEFUL = Path(__file__).resolve().parent.parent / "infra" / "stateful.json"
WRITE_UNIT, READ_UNIT = 1024, 4096


def number_size(text: str) -> int:
    """Bytes of a number: 1, plus 1 per two significant digits, plus 1 if negative."""
    digits = text.lstrip("-+").lower().split("e", 1)[0].replace(".", "").strip("0")
    return 1 + math.ceil(len(digits) / 2) + (1 if text.startswith("-") else 0)


def _bytes(value: Any) -> int:
    return len(value) if isinstance(value, bytes | bytearray) else len(str(value).encode())


def value_size(value: dict[str, Any]) -> int:
    """Bytes of one typed attribute value."""
    ((kind, data),) = value.items()
    if kind == "S":
        return len(str(data).encode())
    if kind == "N":
        return number_size(str(data))
    if kind == "B":
        return _bytes(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(str(s).encode()) for s in data)
    if kind == "NS":
        return sum(number_size(str(n)) for n in data)
    if kind == "BS":
        return sum(_bytes(b) for b in data)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in data)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(v) for k, v in data.items())
    raise ValueError(f"unknown DynamoDB type {kind!r}")


def item_size(item: Item | None) -> int:
    """Bytes of an item: every attribute's name and value (0 for no item)."""
    return sum(len(name.encode()) + value_size(value) for name, value in (item or {}).items())


def read_units(size: int, consistent: bool = False, transactional: bool = False) -> float:
    """Read units of `size` bytes read in one go (a 0-byte read still costs the minimum)."""
    blocks = max(1, math.ceil(size / READ_UNIT))
    return blocks * (2.0 if transactional else 1.0 if consistent else 0.5)


def write_units(size: int, transactional: bool = False) -> float:
    """Write units of an item of `size` bytes (at least one)."""
    return max(1, math.ceil(size / WRITE_UNIT)) * (2.0 if transactional else 1.0)


@dataclass(frozen=True)
class Index:
    """A global secondary index: its key attributes and what it projects."""

    name: str
    keys: tuple[str, ...]
    projection: str  # ALL, KEYS_ONLY or INCLUDE
    non_key: tuple[str, ...] = ()

    def entry(self, item: Item | None, table_keys: tuple[str, ...]) -> Item | None:
        """The index's copy of an item, or None when the item lacks an index key (a sparse index)."""
        if item is None or any(k not in item for k in self.keys):
            return None
        if self.projection == "ALL":
            return dict(item)
        kept = {*self.keys, *table_keys, *(self.non_key if self.projection == "INCLUDE" else ())}
        return {k: v for k, v in item.items() if k in kept}


@dataclass(frozen=True)
class Schema:
    """A table's key attributes and its global secondary indexes."""

    keys: tuple[str, ...]
    indexes: tuple[Index, ...] = ()

    @classmethod
    def from_template(cls, path: Path = STATEFUL, resource: str = "Table") -> Schema:
        """Read the table's description from a CloudFormation template (infra/stateful.json)."""
        props = json.loads(path.read_text(encoding="utf-8"))["Resources"][resource]["Properties"]
        indexes = tuple(
            Index(
                g["IndexName"],
                tuple(k["AttributeName"] for k in g["KeySchema"]),
                g["Projection"]["ProjectionType"],
                tuple(g["Projection"].get("NonKeyAttributes", ())),
            )
            for g in props.get("GlobalSecondaryIndexes", ())
        )
        return cls(tuple(k["AttributeName"] for k in props["KeySchema"]), indexes)

    def key_of(self, item: Item) -> Item:
        """The primary key of an item."""
        return {k: item[k] for k in self.keys}


@dataclass(frozen=True)
class Units:
    """What one call (or one item of it) cost."""

    read: float = 0.0
    write: float = 0.0  # the table's own write units
    index_write: float = 0.0  # the global secondary indexes' write units

    def __add__(self, other: Units) -> Units:
        return Units(self.read + other.read, self.write + other.write, self.index_write + other.index_write)

    @property
    def writes(self) -> float:
        """Every write unit: the table's and its indexes'."""
        return self.write + self.index_write


def index_writes(schema: Schema, old: Item | None, new: Item | None) -> dict[str, float]:
    """Write units the indexes cost when an item goes from `old` to `new` (None: absent), by index partition
    (`GSI1 FEED#all`: the index and its partition key's value)."""
    out: dict[str, float] = {}

    def add(index: Index, entry: Item, units: float) -> None:
        key = f"{index.name} {next(iter(entry[index.keys[0]].values()))}"
        out[key] = out.get(key, 0.0) + units

    for index in schema.indexes:
        before, after = index.entry(old, schema.keys), index.entry(new, schema.keys)
        if before == after:
            continue
        if before is None or after is None:
            entry = before or after
            assert entry is not None
            add(index, entry, write_units(item_size(entry)))
        elif any(before[k] != after[k] for k in index.keys):
            add(index, before, write_units(item_size(before)))
            add(index, after, write_units(item_size(after)))
        else:
            add(index, after, write_units(max(item_size(before), item_size(after))))
    return out


def index_units(schema: Schema, old: Item | None, new: Item | None) -> float:
    """Write units the indexes cost when an item goes from `old` to `new` (None: absent)."""
    return sum(index_writes(schema, old, new).values())


def write_cost(
    schema: Schema, old: Item | None, new: Item | None, transactional: bool = False, failed: bool = False
) -> Units:
    """Units of one item's write (put, update or delete) from the item before and after it."""
    if failed:  # the condition did not hold: charged for the item as it stands, no index touched
        return Units(write=write_units(item_size(old), transactional))
    table = write_units(max(item_size(old), item_size(new)), transactional)
    return Units(write=table, index_write=index_units(schema, old, new))


def read_cost(items: list[Item], consistent: bool = False, transactional: bool = False, apiece: bool = False) -> Units:
    """Units of reading `items`: rounded up once (a Query, a Scan) or item by item (`apiece`: GetItem, batches)."""
    if apiece:
        return Units(read=sum(read_units(item_size(i), consistent, transactional) for i in items))
    return Units(read=read_units(sum(item_size(i) for i in items), consistent, transactional))
