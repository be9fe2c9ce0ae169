"""The photos bucket on moto carries the cloud's rules: uploads expire after a day, unused photos after two."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.photos_bucket import cors_rules, ensure_photos_bucket, lifecycle_rules, template_rules
from local.provision import env_for, provision


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("PHOTOS_BUCKET", raising=False)
    with mock_aws():
        yield boto3.client("s3")


def _lifecycle(s3: Any, bucket: str) -> dict[str, Any]:
    return {rule["ID"]: rule for rule in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]}


def expiry_days(s3: Any, bucket: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], int]:
    """(prefix, tags) -> days until expiry, for each enabled rule that expires objects, as S3 reports them."""
    found = {}
    for rule in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]:
        if rule["Status"] != "Enabled" or "Expiration" not in rule:
            continue
        scope = rule["Filter"].get("And", rule["Filter"])
        tags = scope.get("Tags", [scope["Tag"]] if "Tag" in scope else [])
        found[scope.get("Prefix", ""), tuple((t["Key"], t["Value"]) for t in tags)] = rule["Expiration"]["Days"]
    return found


def test_provisioning_creates_the_photos_bucket_named_by_photos_bucket(
    aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PHOTOS_BUCKET", "police24-photos")
    outputs = provision("p24-photos")

    assert outputs["PhotosBucketName"] == "police24-photos"
    aws.head_bucket(Bucket="police24-photos")
    env = env_for(outputs, stage="local", site_url="", admin_key="", token_keys="", endpoint_url="")
    assert env["PHOTOS_BUCKET"] == "police24-photos"


def test_uploads_expire_after_a_day_and_unused_photos_after_two(aws: Any) -> None:
    bucket = provision("police24")["PhotosBucketName"]
    assert bucket == "police24-photos"  # the app's default for the local stack's prefix

    assert expiry_days(aws, bucket) == {("uploads/", ()): 1, ("photos/", (("state", "unused"),)): 2}
    block = aws.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    [cors] = aws.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert "POST" in cors["AllowedMethods"]
    assert set(cors["AllowedOrigins"]) == {"http://127.0.0.1:*", "http://localhost:*"}


def test_provisioning_again_keeps_the_bucket_and_its_photos(aws: Any) -> None:
    bucket = provision("police24")["PhotosBucketName"]
    aws.put_object(Bucket=bucket, Key="photos/u1/full.jpg", Body=b"kept")

    assert provision("police24")["PhotosBucketName"] == bucket
    assert aws.get_object(Bucket=bucket, Key="photos/u1/full.jpg")["Body"].read() == b"kept"
    assert len(_lifecycle(aws, bucket)) == 3


def test_the_templates_photos_bucket_is_the_one_source_of_the_rules(aws: Any, tmp_path: Path) -> None:
    """Once infra/*.json defines PhotosBucket, its properties are what the local bucket gets."""
    properties = {
        "CorsConfiguration": {
            "CorsRules": [{"AllowedMethods": ["POST"], "AllowedOrigins": ["https://police24.example"], "MaxAge": 60}]
        },
        "LifecycleConfiguration": {
            "Rules": [
                {"Id": "uploads-expire", "Status": "Enabled", "Prefix": "uploads/", "ExpirationInDays": 3},
                {
                    "Id": "tagged",
                    "Status": "Enabled",
                    "Prefix": "photos/",
                    "TagFilters": [{"Key": "state", "Value": "unused"}],
                    "ExpirationInDays": 5,
                },
            ]
        },
    }
    fragment = {"Resources": {"PhotosBucket": {"Type": "AWS::S3::Bucket", "Properties": properties}}}
    (tmp_path / "stateful.json").write_text(json.dumps(fragment), encoding="utf-8")
    assert template_rules(tmp_path) == properties
    assert template_rules(tmp_path / "nothing-here") == {}

    ensure_photos_bucket("from-template", template_rules(tmp_path))

    rules = _lifecycle(aws, "from-template")
    assert rules["uploads-expire"]["Expiration"] == {"Days": 3}
    tagged = {"And": {"Prefix": "photos/", "Tags": [{"Key": "state", "Value": "unused"}]}}
    assert rules["tagged"]["Filter"] == tagged
    [cors] = aws.get_bucket_cors(Bucket="from-template")["CORSRules"]
    assert (cors["AllowedOrigins"], cors["MaxAgeSeconds"]) == (["https://police24.example"], 60)


def test_the_templates_rules_translate_to_the_s3_api_shape() -> None:
    uploads, _, multipart = lifecycle_rules(template_rules())
    assert uploads == {
        "ID": "expire-unprocessed-uploads",
        "Status": "Enabled",
        "Filter": {"Prefix": "uploads/"},
        "Expiration": {"Days": 1},
    }
    assert multipart["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    [cors] = cors_rules(template_rules())
    assert cors["ExposeHeaders"] == ["ETag"] and cors["MaxAgeSeconds"] == 3600 and cors["ID"]
