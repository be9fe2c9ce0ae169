"""The admin CLI: pins, hiding, units, officers, routing, reply templates and partner API keys.

In AWS the admin routes are guarded by API Gateway's IAM check, so each request is signed (SigV4)
with your own AWS credentials and sent to the API stage itself (not through CloudFront, which would
change the Host the signature covers):

    python -m tools.admin --api https://<id>.execute-api.<region>.amazonaws.com/api pin p123 --scope global
    python -m tools.admin --prefix police24 routing get          # finds the API in the stack's outputs

Against the local stack (`make dev`) it sends the ADMIN_KEY as a bearer token instead:

    python -m tools.admin --local http://127.0.0.1:8000/api --admin-key dev-admin-key units ...

Commands print the API's JSON answer; an error answer goes to stderr and the exit code is 1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

_REGION_IN_HOST = re.compile(r"\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$")


class AdminError(RuntimeError):
    """The API refused the request (or could not be reached)."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {json.dumps(body, ensure_ascii=False)}")
        self.status, self.body = status, body


@dataclass
class AdminClient:
    """Send admin requests: SigV4-signed with AWS credentials, or with the local ADMIN_KEY."""

    base_url: str
    admin_key: str | None = None
    credentials: Any = None  # botocore credentials (IAM mode)
    region: str = "us-east-1"
    timeout: float = 30.0

    def request(self, method: str, path: str, body: Any = None, query: dict[str, str] | None = None) -> Any:
        """Send one request and return the decoded JSON answer."""
        url = self.base_url.rstrip("/") + path + (f"?{urlencode(query)}" if query else "")
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.admin_key is not None:
            headers["Authorization"] = f"Bearer {self.admin_key}"
        else:
            headers = self._signed(method, url, data, headers)
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 (http/https only)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return _decode(response.read())
        except urllib.error.HTTPError as error:
            raise AdminError(error.code, _decode(error.read())) from None
        except urllib.error.URLError as error:
            raise AdminError(0, {"error": {"code": "unreachable", "message": str(error.reason)}}) from None

    def _signed(self, method: str, url: str, data: bytes | None, headers: dict[str, str]) -> dict[str, str]:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        if self.credentials is None:
            raise AdminError(0, {"error": {"code": "no_credentials", "message": "no AWS credentials found"}})
        signed = AWSRequest(method=method, url=url, data=data or b"", headers=headers)
        SigV4Auth(self.credentials, "execute-api", self.region).add_auth(signed)
        return dict(signed.headers.items())

    # The admin routes of API.md, one method each.
    def pin(self, post_id: str, scope: str, until: str | None = None) -> Any:
        return self.request("PUT", f"/admin/posts/{_id(post_id)}/pin", {"scope": scope, "until": until})

    def unpin(self, post_id: str) -> Any:
        return self.request("DELETE", f"/admin/posts/{_id(post_id)}/pin")

    def hide(self, post_id: str, reason: str) -> Any:
        return self.request("PUT", f"/admin/posts/{_id(post_id)}/hidden", {"reason": reason})

    def unhide(self, post_id: str) -> Any:
        return self.request("DELETE", f"/admin/posts/{_id(post_id)}/hidden")

    def put_unit(self, unit_id: str, unit: dict[str, Any]) -> Any:
        return self.request("PUT", f"/admin/units/{_id(unit_id)}", unit)

    def put_officer(self, officer_id: str, officer: dict[str, Any]) -> Any:
        return self.request("PUT", f"/admin/officers/{_id(officer_id)}", officer)

    def remove_officer(self, officer_id: str) -> Any:
        return self.request("DELETE", f"/admin/officers/{_id(officer_id)}")

    def routing(self) -> Any:
        return self.request("GET", "/admin/routing")

    def put_routing(self, routing: dict[str, Any]) -> Any:
        return self.request("PUT", "/admin/routing", routing)

    def put_templates(self, templates: dict[str, Any]) -> Any:
        return self.request("PUT", "/admin/templates", templates)

    def audit(self, month: str | None = None, limit: int | None = None) -> Any:
        query = {k: str(v) for k, v in (("month", month), ("limit", limit)) if v is not None}
        return self.request("GET", "/admin/audit", query=query or None)

    def create_api_key(self, name: str) -> Any:
        return self.request("POST", "/admin/api-keys", {"name": name})

    def api_keys(self) -> Any:
        return self.request("GET", "/admin/api-keys")

    def revoke_api_key(self, key_id: str) -> Any:
        return self.request("DELETE", f"/admin/api-keys/{_id(key_id)}")


def _id(value: str) -> str:
    return quote(value, safe="")


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"raw": raw.decode("utf-8", "replace")}


def region_of(url: str, default: str | None) -> str:
    """Return the region an execute-api URL names, else the default."""
    found = _REGION_IN_HOST.search(urlsplit(url).hostname or "")
    if found:
        return found.group(1)
    if not default:
        raise SystemExit("cannot tell the region: pass --region")
    return default


def _read_json(path: str) -> dict[str, Any]:
    data = json.loads(sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: expected a JSON object")
    return data


def parser() -> argparse.ArgumentParser:
    """Describe the command line."""
    p = argparse.ArgumentParser(prog="python -m tools.admin", description=__doc__.splitlines()[0])
    where = p.add_mutually_exclusive_group()
    where.add_argument("--api", default=os.environ.get("POLICE24_API"), help="the API stage URL (IAM-signed)")
    where.add_argument("--local", metavar="URL", help="the local stack's API base, e.g. http://127.0.0.1:8000/api")
    p.add_argument("--prefix", default="police24", help="find the API in the outputs of stack <prefix>-app")
    p.add_argument("--admin-key", default=os.environ.get("ADMIN_KEY"), help="the local ADMIN_KEY (with --local)")
    p.add_argument("--region", default=None, help="signing region (default: from the URL)")
    p.add_argument("--profile", default=None, help="AWS profile whose credentials sign the requests")
    sub = p.add_subparsers(dest="command", required=True)

    pin = sub.add_parser("pin", help="pin a post on its board or on every feed")
    pin.add_argument("post_id")
    pin.add_argument("--scope", choices=("board", "global"), default="board")
    pin.add_argument("--until", help="ISO 8601 time with offset when the pin lapses")
    sub.add_parser("unpin", help="take a pin off a post").add_argument("post_id")
    hide = sub.add_parser("hide", help="hide a post from the public")
    hide.add_argument("post_id")
    hide.add_argument("--reason", required=True)
    sub.add_parser("unhide", help="show a hidden post again").add_argument("post_id")

    unit = sub.add_parser("unit", help="create or replace a unit from a JSON file ('-' for stdin)")
    unit.add_argument("unit_id")
    unit.add_argument("file")
    officer = sub.add_parser("officer", help="create or replace an officer from a JSON file ('-' for stdin)")
    officer.add_argument("officer_id")
    officer.add_argument("file")
    sub.add_parser(
        "remove-officer", help="take an officer out of the directory, ending every session and reply link"
    ).add_argument("officer_id")

    routing = sub.add_parser("routing", help="get or replace the routing rules")
    routing_sub = routing.add_subparsers(dest="action", required=True)
    get = routing_sub.add_parser("get")
    get.add_argument("--out", help="write the rules to this file instead of stdout")
    routing_sub.add_parser("put").add_argument("file")

    sub.add_parser("templates", help="replace the reply templates from a JSON file ('-' for stdin)").add_argument(
        "file"
    )
    audit = sub.add_parser("audit", help="list a month's audit entries")
    audit.add_argument("--month")
    audit.add_argument("--limit", type=int)

    keys = sub.add_parser("api-keys", help="partner keys for Open311")
    keys_sub = keys.add_subparsers(dest="action", required=True)
    keys_sub.add_parser("create").add_argument("name")
    keys_sub.add_parser("list")
    keys_sub.add_parser("revoke").add_argument("key_id")
    return p


def client_for(args: argparse.Namespace) -> AdminClient:
    """Build the client the options ask for."""
    if args.local:
        if not args.admin_key:
            raise SystemExit("--local needs --admin-key (or ADMIN_KEY in the environment)")
        return AdminClient(args.local, admin_key=args.admin_key)
    import boto3

    session = boto3.session.Session(profile_name=args.profile, region_name=args.region)
    api = args.api
    if not api:
        stack = session.client("cloudformation").describe_stacks(StackName=f"{args.prefix}-app")["Stacks"][0]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        api = outputs["ApiDirectUrl"]
    credentials = session.get_credentials()
    return AdminClient(api, credentials=credentials, region=region_of(api, args.region or session.region_name))


def run(args: argparse.Namespace, client: AdminClient) -> Any:
    """Carry out one parsed command."""
    command = args.command
    if command == "pin":
        return client.pin(args.post_id, args.scope, args.until)
    if command == "unpin":
        return client.unpin(args.post_id)
    if command == "hide":
        return client.hide(args.post_id, args.reason)
    if command == "unhide":
        return client.unhide(args.post_id)
    if command == "unit":
        return client.put_unit(args.unit_id, _read_json(args.file))
    if command == "officer":
        return client.put_officer(args.officer_id, _read_json(args.file))
    if command == "remove-officer":
        return client.remove_officer(args.officer_id)
    if command == "routing" and args.action == "get":
        rules = client.routing()
        if args.out:
            Path(args.out).write_text(json.dumps(rules, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            return {"written": args.out}
        return rules
    if command == "routing":
        return client.put_routing(_read_json(args.file))
    if command == "templates":
        return client.put_templates(_read_json(args.file))
    if command == "audit":
        return client.audit(args.month, args.limit)
    if command == "api-keys" and args.action == "create":
        return client.create_api_key(args.name)
    if command == "api-keys" and args.action == "list":
        return client.api_keys()
    if command == "api-keys":
        return client.revoke_api_key(args.key_id)
    raise SystemExit(f"unknown command {command}")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        answer = run(args, client_for(args))
    except AdminError as error:
        print(f"admin: {error}", file=sys.stderr)
        return 1
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
