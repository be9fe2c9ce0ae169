"""Seed the demo directory, routing and two pinned notices through the running API."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from local.demo import ADMIN_PHONE, NOTICES, OFFICERS, ROUTING, UNITS

CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


class SeedError(RuntimeError):
    """The API refused a seeding step."""


def call(
    base: str, method: str, path: str, body: Any = None, token: str = "", headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """Send one JSON request to the API; return (status, parsed body or None)."""
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(base.rstrip("/") + path, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
        error.close()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


def expect(status: int, body: Any, what: str, ok: tuple[int, ...] = (200, 201, 202, 204)) -> Any:
    if status not in ok:
        raise SeedError(f"{what}: HTTP {status} {json.dumps(body, ensure_ascii=False)}")
    return body


def is_empty(base: str) -> bool:
    """Tell whether the unit directory is still empty."""
    status, body = call(base, "GET", "/api/units")
    expect(status, body, "GET /api/units", (200,))
    units = body.get("units", []) if isinstance(body, dict) else body
    return not units


def code_from_moto(phone: str, region: str = "us-east-1") -> str | None:
    """Read the newest one-time code SNS "sent" to a phone in this process's moto."""
    digits = re.sub(r"\D", "", phone)
    messages = list(sns_backends[DEFAULT_ACCOUNT_ID][region].sms_messages.values())
    for to, text in reversed(messages):
        if re.sub(r"\D", "", to).endswith(digits) and "验证码" in text:
            found = CODE.search(text)
            if found:
                return found.group(1)
    return None


def sign_in(base: str, phone: str, read_code: Callable[[str], str | None]) -> str:
    """Sign in by SMS code and return the session token."""
    expect(*call(base, "POST", "/api/auth/otp", {"phone": phone}), "POST /api/auth/otp")
    deadline = time.monotonic() + 10
    code = read_code(phone)
    while code is None and time.monotonic() < deadline:
        time.sleep(0.1)
        code = read_code(phone)
    if code is None:
        raise SeedError(f"no one-time code reached {phone}")
    body = expect(*call(base, "POST", "/api/auth/session", {"phone": phone, "code": code}), "POST /api/auth/session")
    return str(body["token"])


def seed(
    base: str, admin_key: str, read_code: Callable[[str], str | None] = code_from_moto, wechat: bool = False
) -> None:
    """Create the units, officers, routing rules and the two pinned notices; with `wechat` (the simulator runs),
    bind every officer to its WeChat test user first, as the officers of a bureau on WeChat have."""
    for unit in UNITS:
        fields = {k: v for k, v in unit.items() if k != "id"}
        path = f"/api/admin/units/{unit['id']}"
        expect(*call(base, "PUT", path, fields, admin_key), f"PUT {path}")
    for officer in OFFICERS:
        fields = {k: v for k, v in officer.items() if k != "id"}
        path = f"/api/admin/officers/{officer['id']}"
        expect(*call(base, "PUT", path, fields, admin_key), f"PUT {path}")
    expect(*call(base, "PUT", "/api/admin/routing", ROUTING, admin_key), "PUT /api/admin/routing")
    if wechat:  # binding took the admin's one code: the binding's session posts the notices
        from local.seed_wechat import bind_officers

        token = bind_officers(base, OFFICERS, read_code)[ADMIN_PHONE]
    else:
        token = sign_in(base, ADMIN_PHONE, read_code)
    for scope, board, title, text in NOTICES:
        post = {"board": board, "type": "publicity", "title": title, "body": text}
        created = expect(*call(base, "POST", "/api/posts", post, token), "POST /api/posts")
        post_id = created["id"] if "id" in created else created["post"]["id"]
        path = f"/api/admin/posts/{post_id}/pin"
        expect(*call(base, "PUT", path, {"scope": scope}, admin_key), f"PUT {path}")
