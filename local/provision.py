"""Create (or find) the stateful CloudFormation stack on whatever endpoint boto3 points to."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from local.photos_bucket import ensure_photos_bucket
from local.table_stream import share_stream_records

TEMPLATE_PATH = Path(__file__).resolve().parent.parent / "infra" / "stateful.json"
DONE = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"})
TTL_ATTRIBUTE = "expires_at"


class ProvisionError(RuntimeError):
    """The stack could not be created or is in a state we cannot use."""


def stack_name(prefix: str) -> str:
    """Name the local stack after the resource prefix."""
    return f"{prefix}-stateful"


def provision(prefix: str = "police24", *, timeout: float = 60.0) -> dict[str, str]:
    """Create the stack unless it exists, wait for it and return its outputs."""
    share_stream_records()  # moto in this process (the local stack, the tests): see local/table_stream.py
    cloudformation = boto3.client("cloudformation")
    name = stack_name(prefix)
    stack = _describe(cloudformation, name)
    if stack is None:
        cloudformation.create_stack(
            StackName=name,
            TemplateBody=TEMPLATE_PATH.read_text(encoding="utf-8"),
            Parameters=[{"ParameterKey": "Prefix", "ParameterValue": prefix}],
        )
    stack = _wait(cloudformation, name, timeout)
    outputs = {item["OutputKey"]: item["OutputValue"] for item in stack.get("Outputs", [])}
    _reconcile_table(outputs["TableName"])
    _reconcile_bucket(outputs["SiteBucketName"])
    photos = os.environ.get("PHOTOS_BUCKET") or outputs.get("PhotosBucketName") or f"{prefix}-photos"
    outputs["PhotosBucketName"] = ensure_photos_bucket(photos)
    return outputs


def _describe(cloudformation: Any, name: str) -> dict[str, Any] | None:
    """Return the stack, or None when there is none by that name."""
    try:
        stacks = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    return stacks[0] if stacks else None


def _wait(cloudformation: Any, name: str, timeout: float) -> dict[str, Any]:
    """Poll the stack until it settles; fail on any rollback or failure."""
    deadline = time.monotonic() + timeout
    while True:
        stack = _describe(cloudformation, name)
        status = stack["StackStatus"] if stack else "MISSING"
        if stack is not None and status in DONE:
            return stack
        if not status.endswith("_IN_PROGRESS") or time.monotonic() > deadline:
            reason = stack.get("StackStatusReason", "") if stack else ""
            raise ProvisionError(f"stack {name} is {status} {reason}".strip())
        time.sleep(0.2)


def _reconcile_table(table_name: str) -> None:
    """Turn on TTL and point-in-time recovery where the template was not honoured (moto)."""
    dynamodb = boto3.client("dynamodb")
    ttl = dynamodb.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
    if ttl.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
        dynamodb.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={"AttributeName": TTL_ATTRIBUTE, "Enabled": True},
        )
    backups = dynamodb.describe_continuous_backups(TableName=table_name)
    pitr = backups["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription", {})
    if pitr.get("PointInTimeRecoveryStatus") != "ENABLED":
        dynamodb.update_continuous_backups(
            TableName=table_name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )


def _reconcile_bucket(bucket: str) -> None:
    """Block public access on the site bucket where the template was not honoured (moto)."""
    s3 = boto3.client("s3")
    try:
        s3.get_public_access_block(Bucket=bucket)
    except ClientError as error:
        if error.response["Error"]["Code"] != "NoSuchPublicAccessBlockConfiguration":
            raise
        s3.put_public_access_block(
            Bucket=bucket,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )


def env_for(
    outputs: Mapping[str, str],
    *,
    stage: str,
    site_url: str,
    admin_key: str,
    token_keys: str,
    endpoint_url: str,
    region: str = "us-east-1",
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Give the app's environment variables for a provisioned stack."""
    env = {
        "STAGE": stage,
        "TABLE_NAME": outputs["TableName"],
        "DISPATCH_QUEUE_URL": outputs["DispatchQueueUrl"],
        "DISPATCH_QUEUE_NAME": outputs["DispatchQueueUrl"].rsplit("/", 1)[-1],
        "OFFICER_TOPIC_ARN": outputs["OfficerTopicArn"],
        "CAD_QUEUE_URL": outputs.get("CadQueueUrl", ""),
        "PHOTOS_BUCKET": outputs.get("PhotosBucketName", "police24-photos"),
        "SITE_URL": site_url,
        "ADMIN_KEY": admin_key,
        "TOKEN_KEYS": token_keys,
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    env.update(extra or {})
    return env


def template() -> dict[str, Any]:
    """Load the template as a dict (for tests and tooling)."""
    loaded: dict[str, Any] = json.loads(TEMPLATE_PATH.read_text(encoding="utf-8"))
    return loaded
