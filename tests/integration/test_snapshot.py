"""Snapshots of the local table: a dump and a restore give back exactly the same items."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.provision import provision
from local.snapshot import Snapshotter, dump, restore, scan

ITEMS: list[dict[str, Any]] = [
    {
        "PK": {"S": "POST#p1"},
        "SK": {"S": "META"},
        "title": {"S": "捡到求救纸条 请求解救"},
        "count": {"N": "42"},
        "ratio": {"N": "0.125"},
        "big": {"N": "12345678901234567890123456789"},
        "tags": {"SS": ["昆都仑区", "传销"]},
        "scores": {"NS": ["1", "2.5"]},
        "author": {"M": {"nickname": {"S": "Balox"}, "verified": {"BOOL": True}, "deleted": {"NULL": True}}},
        "history": {"L": [{"S": "received"}, {"N": "3"}, {"M": {"unit": {"S": "昆区分局"}}}]},
        "blob": {"B": b"\x00\xffbinary"},
        "blobs": {"BS": [b"\x01", b"\x02\x03"]},
    },
    {"PK": {"S": "UNIT#command-center"}, "SK": {"S": "META"}, "name": {"S": "包头市公安局指挥中心"}},
    {"PK": {"S": "OTP#139"}, "SK": {"S": "CODE"}, "expires_at": {"N": "1000"}},
]


@pytest.fixture
def tables(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str, str]]:
    """Two empty tables provisioned from the template in an in-process moto."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        first = provision("p24-snap-a")["TableName"]
        second = provision("p24-snap-b")["TableName"]
        yield boto3.client("dynamodb"), first, second


def _put(client: Any, table: str) -> None:
    for item in ITEMS:
        client.put_item(TableName=table, Item=item)


def _normalised(items: list[dict[str, Any]]) -> list[str]:
    """Compare sets regardless of order (DynamoDB does not keep set order)."""

    def fix(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: sorted(fix(v)) if k in ("SS", "NS", "BS") else fix(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value.hex() if isinstance(value, bytes) else value

    return sorted(json.dumps(fix(item), sort_keys=True, ensure_ascii=False) for item in items)


def test_dump_and_restore_keep_every_type_exactly(tables: tuple[Any, str, str], tmp_path: Path) -> None:
    client, first, second = tables
    _put(client, first)
    path = tmp_path / "table.json"
    assert dump(client, first, path) == 3
    assert restore(client, second, path, now=0) == 3
    assert _normalised(scan(client, second)) == _normalised(ITEMS)


def test_restore_leaves_out_items_ttl_would_have_expired(tables: tuple[Any, str, str], tmp_path: Path) -> None:
    client, first, second = tables
    _put(client, first)
    path = tmp_path / "table.json"
    dump(client, first, path)
    assert restore(client, second, path, now=2000) == 2
    assert {item["PK"]["S"] for item in scan(client, second)} == {"POST#p1", "UNIT#command-center"}


def test_snapshot_file_is_utf8_json_and_written_only_on_change(tables: tuple[Any, str, str], tmp_path: Path) -> None:
    client, first, _ = tables
    path = tmp_path / "data" / "table.json"
    snapshotter = Snapshotter(client, first, path)
    assert snapshotter.restore() == 0
    assert snapshotter.dump_if_changed() is False
    _put(client, first)
    assert snapshotter.dump_if_changed() is True
    assert snapshotter.dump_if_changed() is False
    text = path.read_text(encoding="utf-8")
    assert "包头市公安局指挥中心" in text
    assert len(json.loads(text)["items"]) == 3
    assert [p.name for p in path.parent.iterdir()] == ["table.json"]


def test_restoring_without_a_snapshot_does_nothing(tables: tuple[Any, str, str], tmp_path: Path) -> None:
    client, first, _ = tables
    assert restore(client, first, tmp_path / "missing.json") == 0
    assert scan(client, first) == []
