"""Check a browser's presigned S3 POST as S3 does, since moto does not (local/storage_routes.py calls it).

moto stores whatever a POST form sends: a file over the policy's content-length-range, another Content-Type,
even another key (say media/<id>/full.jpg, which /media would then publish). S3 refuses all of these, so the
local stack does too: the policy's SigV4 signature (under the local stack's secret), its expiration, every
condition (exact, ["eq", ...], ["starts-with", ...], ["content-length-range", min, max], the bucket), and no
form field the policy does not name. What it answers is what S3 answers: 403 AccessDenied, or 400
EntityTooLarge / EntityTooSmall.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# Fields S3 never asks a condition for: the policy and signature themselves, the file, x-ignore-* fields.
UNCHECKED = {"policy", "x-amz-signature", "file"}


@dataclass(frozen=True)
class Refusal:
    """What S3 would answer instead of storing the file."""

    status: int
    code: str
    message: str


def form_fields(body: bytes, content_type: str) -> tuple[dict[str, str], bytes | None]:
    """Split a multipart/form-data body into its text fields (names lower-cased) and the file's bytes."""
    found = re.search(r'boundary="?([^";]+)"?', content_type)
    if not found:
        return {}, None
    delimiter = b"--" + found.group(1).encode("latin-1")
    fields: dict[str, str] = {}
    content: bytes | None = None
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        head, _, value = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        value = value.removesuffix(b"\r\n")
        name = re.search(rb'name="([^"]*)"', head)
        if name is None:
            continue
        key = name.group(1).decode("utf-8", "replace").lower()
        if key == "file":
            content = value
            break  # S3 ignores whatever follows the file
        fields[key] = value.decode("utf-8", "replace")
    return fields, content


def _signature_ok(fields: dict[str, str], secret: str) -> bool:
    credential = fields.get("x-amz-credential", "").split("/")
    if len(credential) != 5 or fields.get("x-amz-algorithm") != "AWS4-HMAC-SHA256":
        return False
    key = ("AWS4" + secret).encode()
    for part in credential[1:]:
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, fields["policy"].encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("x-amz-signature", ""))


def _condition_ok(condition: Any, fields: dict[str, str], bucket: str, size: int) -> Refusal | str | None:
    """None when met; the covered field's name when met; a Refusal when not."""
    values = {**fields, "bucket": bucket}
    if isinstance(condition, dict) and len(condition) == 1:
        [(name, wanted)] = condition.items()
        operator, name = "eq", str(name).lower()
    elif isinstance(condition, list) and len(condition) == 3 and condition[0] == "content-length-range":
        low, high = int(condition[1]), int(condition[2])
        if size > high:
            return Refusal(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
        if size < low:
            return Refusal(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
        return None
    elif isinstance(condition, list) and len(condition) == 3 and str(condition[1]).startswith("$"):
        operator, name, wanted = str(condition[0]).lower(), str(condition[1])[1:].lower(), condition[2]
    else:
        return Refusal(403, "AccessDenied", f"Invalid Policy: unknown condition {condition!r}")
    value = values.get(name, "")
    met = value == wanted if operator == "eq" else operator == "starts-with" and value.startswith(str(wanted))
    if not met:
        return Refusal(403, "AccessDenied", f"Invalid according to Policy: Policy Condition failed: {condition!r}")
    return name


def check(body: bytes, content_type: str, bucket: str, now: datetime | None = None) -> Refusal | None:
    """Return why S3 would refuse this POST upload to `bucket`, or None when it would store it."""
    fields, content = form_fields(body, content_type)
    if content is None or "key" not in fields:
        return Refusal(400, "InvalidArgument", "Bucket POST must contain a file field and a key field")
    if "policy" not in fields:
        return Refusal(403, "AccessDenied", "Anonymous POST is not allowed on this bucket")
    if not _signature_ok(fields, os.environ.get("AWS_SECRET_ACCESS_KEY") or "testing"):
        return Refusal(403, "SignatureDoesNotMatch", "The request signature we calculated does not match")
    try:
        policy = json.loads(base64.b64decode(fields["policy"], validate=True))
        expires = datetime.fromisoformat(str(policy["expiration"]).replace("Z", "+00:00"))
        conditions = list(policy["conditions"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        return Refusal(400, "InvalidPolicyDocument", "Invalid Policy: the policy is not valid JSON")
    if expires <= (now or datetime.now(UTC)):
        return Refusal(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    covered = set(UNCHECKED)
    for condition in conditions:
        result = _condition_ok(condition, fields, bucket, len(content))
        if isinstance(result, Refusal):
            return result
        if result:
            covered.add(result)
    extra = sorted(name for name in fields if name not in covered and not name.startswith("x-ignore-"))
    if extra:
        return Refusal(403, "AccessDenied", f"Invalid according to Policy: Extra input fields: {', '.join(extra)}")
    return None
