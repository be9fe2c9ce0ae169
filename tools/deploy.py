"""`make deploy STAGE=prod`: deploy dist/template.json with CloudFormation, publish web/dist, print the address.

    python -m tools.deploy [--stage prod] [--prefix police24] [--param AlarmEmail=ops@example.org ...]
    python -m tools.deploy --destroy [--stage prod]   # delete the stack; the table and secrets stay

What `aws cloudformation package` + `deploy` would do, with boto3 (no AWS CLI needed): upload the code
zip and the template to an artifacts bucket, create and run a change set (the SAM transform runs in
CloudFormation), then upload the built page (web/dist, tools/build_web.py) to the site bucket with
content types and cache headers (fingerprinted assets for a year, `immutable`; pages `no-cache`) and
invalidate CloudFront. The token-signing keys, the 110 shared secret and CloudFront's origin secret are
SecureString parameters created here once (random), never overwritten, never in the template (the origin
secret reaches the stack as a NoEcho parameter). Outside us-east-1 the CLOUDFRONT-scope WAF web ACL, which
AWS keeps in us-east-1 only, is deployed there first as the stack `<prefix>-waf` (dist/waf.json).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import mimetypes
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import WaiterError

from tools import build_web

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
WEB = build_web.DIST
# The local outbox page is a development tool; it (and a script only it uses) is never published.
LOCAL_ONLY_PAGES = frozenset({"outbox.html"})
# Fingerprinted assets never change under one name: browsers and CloudFront keep them a year. Pages (and
# the few unfingerprinted files) are `no-cache`: a browser revalidates (a 304 when nothing changed), and
# CloudFront (its site cache policy has MinTTL 0) revalidates with S3; a deploy also invalidates them.
ASSET_CACHE = build_web.IMMUTABLE
HTML_CACHE = build_web.REVALIDATE
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
WAF_REGION = "us-east-1"  # CloudFront reads web ACLs (and certificates) from us-east-1 only


def content_type(path: Path) -> str:
    """Return the Content-Type a file is served with (the same table as the local proxy)."""
    from local.proxy import CONTENT_TYPES

    return CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


@dataclass(frozen=True)
class SiteFile:
    """One file of web/ as it is uploaded."""

    key: str
    path: Path
    content_type: str
    cache_control: str


def site_files(web: Path = WEB) -> list[SiteFile]:
    """List what the built page publishes, assets before pages, with content types and cache headers."""
    found = build_web.manifest(web)
    if found is None:
        raise SystemExit(f"no {web}/manifest.json: run `make web` first")
    pages: dict[str, list[str]] = found["pages"]
    published = {asset for page, assets in pages.items() if page not in LOCAL_ONLY_PAGES for asset in assets}
    local_only = set(LOCAL_ONLY_PAGES) | {build_web.MANIFEST}
    local_only |= {a for page in LOCAL_ONLY_PAGES for a in pages.get(page, []) if a not in published}
    files = []
    for path in sorted(p for p in web.rglob("*") if p.is_file()):
        key = path.relative_to(web).as_posix()
        if key in local_only or any(part.startswith(".") for part in Path(key).parts):
            continue
        files.append(SiteFile(key, path, content_type(path), build_web.cache_control(key)))
    # A page goes up after the assets it names, so that no reader gets a page whose script is not there yet.
    return sorted(files, key=lambda f: (f.key.endswith(".html"), f.key))


def publish_site(s3: Any, bucket: str, web: Path = WEB) -> tuple[int, int]:
    """Upload web/ to the bucket and delete what it no longer has; return (uploaded, deleted)."""
    files = site_files(web)
    for item in files:
        s3.put_object(
            Bucket=bucket,
            Key=item.key,
            Body=item.path.read_bytes(),
            ContentType=item.content_type,
            CacheControl=item.cache_control,
        )
    wanted = {item.key for item in files}
    stale = [key for key in _keys(s3, bucket) if key not in wanted]
    for start in range(0, len(stale), 1000):
        chunk = stale[start : start + 1000]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in chunk]})
    return len(files), len(stale)


def _keys(s3: Any, bucket: str) -> Iterator[str]:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            yield item["Key"]


def ensure_secrets(ssm: Any, prefix: str) -> list[str]:
    """Create the SecureString secrets the functions read, unless they exist; return the names created."""
    wanted: dict[str, Callable[[], str]] = {
        f"/{prefix}/token-keys": lambda: f"k{time.strftime('%Y%m')}:{secrets.token_urlsafe(32)}",
        f"/{prefix}/cad-secret": lambda: secrets.token_urlsafe(32),
        f"/{prefix}/origin-secret": lambda: secrets.token_urlsafe(32),
    }
    created = []
    for name, make in wanted.items():
        try:
            ssm.get_parameter(Name=name)
            continue
        except ssm.exceptions.ParameterNotFound:
            pass
        ssm.put_parameter(
            Name=name,
            Value=make(),
            Type="SecureString",
            Overwrite=False,
            Description="Police24 secret, read by the functions (rotate: put a new value; keys are kid:secret,...)",
        )
        created.append(name)
    return created


def origin_secret(ssm: Any, prefix: str) -> str:
    """Return what CloudFront sends in X-Origin-Verify: the first of `/<prefix>/origin-secret` (`new,old`)."""
    value = ssm.get_parameter(Name=f"/{prefix}/origin-secret", WithDecryption=True)["Parameter"]["Value"]
    return str(value).split(",")[0].strip()


def carried_over(
    summary: list[dict[str, Any]],
    previous: dict[str, str],
    given: set[str],
) -> tuple[list[str], list[str]]:
    """Split the parameters an update is not given into (kept from the stack, back to their default).

    A parameter the running stack does not have yet takes its default (CloudFormation refuses
    UsePreviousValue for it), and so does one whose old value the template no longer allows
    (e.g. LogRetentionDays 30 once six months became the minimum).
    """
    kept: list[str] = []
    reset: list[str] = []
    for parameter in summary:
        key = parameter["ParameterKey"]
        if key in given or key not in previous:
            continue
        allowed = parameter.get("ParameterConstraints", {}).get("AllowedValues")
        (reset if allowed and previous[key] not in allowed else kept).append(key)
    return sorted(kept), sorted(reset)


def needs_web_acl_stack(region: str, params: dict[str, str]) -> bool:
    """Tell whether the web ACL must be made in us-east-1 first (the stack makes its own only there)."""
    return region != WAF_REGION and not region.startswith("cn-") and not params.get("WebAclArn")


def waf_stack_name(prefix: str) -> str:
    """Name the us-east-1 stack that holds the web ACL of a stack deployed elsewhere."""
    return f"{prefix}-waf"


def with_code_location(template: dict[str, Any], bucket: str, key: str) -> dict[str, Any]:
    """Point every function at the uploaded zip (what `aws cloudformation package` does)."""
    out: dict[str, Any] = json.loads(json.dumps(template))
    for resource in out["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = {"Bucket": bucket, "Key": key}
    return out


def stack_name(prefix: str) -> str:
    """Name the stack after the prefix (the local stack is `<prefix>-stateful`, never deployed)."""
    return f"{prefix}-app"


def parse_params(pairs: list[str]) -> dict[str, str]:
    """Turn Key=Value strings into a dict."""
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"--param expects Key=Value, got {pair!r}")
        params[key] = value
    return params


class Deployer:
    """Talks to one account and region."""

    def __init__(self, session: Any, prefix: str) -> None:
        self.session, self.prefix, self.region = session, prefix, session.region_name
        self.cloudformation = session.client("cloudformation")
        self.s3 = session.client("s3")

    def artifacts_bucket(self, name: str | None) -> str:
        """Return (creating it once) the private bucket that holds code zips and templates."""
        account = self.session.client("sts").get_caller_identity()["Account"]
        bucket = name or f"{self.prefix}-artifacts-{account}-{self.region}"
        try:
            self.s3.head_bucket(Bucket=bucket)
            return bucket
        except self.s3.exceptions.ClientError:
            pass
        extra: dict[str, Any] = {}
        if self.region != "us-east-1":
            extra["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        self.s3.create_bucket(Bucket=bucket, **extra)
        block = {
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        }
        self.s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=block)
        self.s3.put_bucket_lifecycle_configuration(
            Bucket=bucket,
            LifecycleConfiguration={
                "Rules": [
                    {"ID": "old-artifacts", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 90}}
                ]
            },
        )
        return bucket

    def upload(self, bucket: str, dist: Path) -> str:
        """Upload the zip and the template; return the template's URL."""
        code = (dist / "deployment.zip").read_bytes()
        code_key = f"{self.prefix}/code-{hashlib.sha256(code).hexdigest()[:16]}.zip"
        self.s3.put_object(Bucket=bucket, Key=code_key, Body=code)
        template = json.loads((dist / "template.json").read_text(encoding="utf-8"))
        body = json.dumps(with_code_location(template, bucket, code_key), ensure_ascii=False).encode()
        template_key = f"{self.prefix}/template-{hashlib.sha256(body).hexdigest()[:16]}.json"
        self.s3.put_object(Bucket=bucket, Key=template_key, Body=body, ContentType="application/json")
        host = "s3.amazonaws.com" if self.region == "us-east-1" else f"s3.{self.region}.amazonaws.com"
        return f"https://{bucket}.{host}/{template_key}"

    def deploy(
        self, template_url: str, params: dict[str, str], *, name: str | None = None, template_body: str | None = None
    ) -> dict[str, str]:
        """Create or update the stack (by default the app's) through a change set and return its outputs."""
        name = name or stack_name(self.prefix)
        source = {"TemplateBody": template_body} if template_body is not None else {"TemplateURL": template_url}
        exists = self._status(name) not in (None, "REVIEW_IN_PROGRESS")
        template_params = self.cloudformation.get_template_summary(**source)["Parameters"]
        known = {p["ParameterKey"] for p in template_params}
        unknown = set(params) - known
        if unknown:
            raise SystemExit(f"unknown parameters: {', '.join(sorted(unknown))}")
        given: list[dict[str, Any]] = [{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()]
        if exists:  # keep what an earlier deploy chose unless told otherwise
            stack = self.cloudformation.describe_stacks(StackName=name)["Stacks"][0]
            previous = {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])}
            kept, reset = carried_over(template_params, previous, set(params))
            given += [{"ParameterKey": k, "UsePreviousValue": True} for k in kept]
            for key in reset:
                print(f"{key}: {previous[key]} is no longer allowed; the template's default applies")
        change_set = f"deploy-{int(time.time())}"
        self.cloudformation.create_change_set(
            StackName=name,
            ChangeSetName=change_set,
            ChangeSetType="UPDATE" if exists else "CREATE",
            Parameters=given,
            Capabilities=CAPABILITIES,
            **source,
            Tags=[{"Key": "app", "Value": "police24"}, {"Key": "prefix", "Value": self.prefix}],
        )
        try:
            self.cloudformation.get_waiter("change_set_create_complete").wait(
                StackName=name, ChangeSetName=change_set, WaiterConfig={"Delay": 5, "MaxAttempts": 120}
            )
        except WaiterError:  # an empty change set "fails" too
            described = self.cloudformation.describe_change_set(StackName=name, ChangeSetName=change_set)
            reason = described.get("StatusReason", "")
            if "didn't contain changes" not in reason and "No updates" not in reason:
                raise SystemExit(f"change set failed: {reason}") from None
            print("the stack is already up to date")
            self.cloudformation.delete_change_set(StackName=name, ChangeSetName=change_set)
            return self.outputs(name)
        self.cloudformation.execute_change_set(StackName=name, ChangeSetName=change_set)
        waiter = "stack_update_complete" if exists else "stack_create_complete"
        print(f"{'updating' if exists else 'creating'} stack {name} (CloudFront takes several minutes)...")
        self.cloudformation.get_waiter(waiter).wait(StackName=name, WaiterConfig={"Delay": 15, "MaxAttempts": 240})
        return self.outputs(name)

    def outputs(self, name: str) -> dict[str, str]:
        stack = self.cloudformation.describe_stacks(StackName=name)["Stacks"][0]
        return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}

    def _status(self, name: str) -> str | None:
        try:
            return str(self.cloudformation.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"])
        except self.cloudformation.exceptions.ClientError as error:
            if "does not exist" in str(error):
                return None
            raise

    def invalidate(self, distribution_id: str) -> None:
        self.session.client("cloudfront").create_invalidation(
            DistributionId=distribution_id,
            InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": str(time.time())},
        )

    def delete_stack(self, name: str) -> None:
        """Delete a stack if it exists and wait for it."""
        if self._status(name) is None:
            return
        self.cloudformation.delete_stack(StackName=name)
        self.cloudformation.get_waiter("stack_delete_complete").wait(
            StackName=name, WaiterConfig={"Delay": 15, "MaxAttempts": 240}
        )
        print(f"deleted stack {name} in {self.region}")

    def destroy(self) -> None:
        """Empty the site bucket and delete the stack; the table, its backups and the secrets stay."""
        name = stack_name(self.prefix)
        if self._status(name) is None:
            print(f"no stack {name}")
            return
        outputs = self.outputs(name)
        bucket = outputs.get("SiteBucketName")
        if bucket:
            keys = list(_keys(self.s3, bucket))
            for start in range(0, len(keys), 1000):
                chunk = keys[start : start + 1000]
                self.s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk]})
        self.cloudformation.delete_stack(StackName=name)
        print(f"deleting stack {name} (CloudFront takes several minutes)...")
        self.cloudformation.get_waiter("stack_delete_complete").wait(
            StackName=name, WaiterConfig={"Delay": 15, "MaxAttempts": 240}
        )
        print(
            f"deleted. Kept on purpose: the table {outputs.get('TableName')} (deletion protection, "
            f"retained), the photos bucket {outputs.get('PhotosBucketName')} (retained: posts and 110 hand-offs "
            f"name its photos), the evidence (the log bucket {outputs.get('LogBucketName')} and the log group "
            f"/aws/apigateway/{self.prefix}-access), the SSM parameters /{self.prefix}/*, the artifacts bucket. "
            "See docs/DEPLOY.md."
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.deploy", description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="prod", choices=("dev", "prod"))
    parser.add_argument("--prefix", help="resource prefix (default police24, or police24-dev for dev)")
    parser.add_argument("--region", help="AWS region (default: your profile's)")
    parser.add_argument("--artifacts-bucket", help="bucket for code and templates (default: created once)")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a template parameter")
    parser.add_argument("--dist", type=Path, default=DIST)
    parser.add_argument("--no-site", action="store_true", help="deploy the stack only")
    parser.add_argument("--destroy", action="store_true", help="delete the stack (the table and secrets stay)")
    args = parser.parse_args(argv)

    import boto3

    prefix = args.prefix or ("police24" if args.stage == "prod" else "police24-dev")
    session = boto3.session.Session(region_name=args.region)
    if not session.region_name:
        raise SystemExit("no region: pass --region or set AWS_REGION (see docs/DEPLOY.md)")
    deployer = Deployer(session, prefix)
    waf_deployer = Deployer(boto3.session.Session(profile_name=session.profile_name, region_name=WAF_REGION), prefix)
    if args.destroy:
        deployer.destroy()
        if session.region_name != WAF_REGION:
            waf_deployer.delete_stack(waf_stack_name(prefix))  # only once the distribution no longer uses it
        return 0
    if not (args.dist / "template.json").exists():
        raise SystemExit("no dist/template.json: run `make package` first")
    created = ensure_secrets(session.client("ssm"), prefix)
    for name in created:
        print(f"created SecureString {name}")
    params = {"Prefix": prefix, **parse_params(args.param)}
    params["OriginSecret"] = origin_secret(session.client("ssm"), prefix)
    if needs_web_acl_stack(session.region_name, params):
        waf_params = {k: v for k, v in params.items() if k in ("Prefix", "WafRateLimit", "WafSignInRateLimit")}
        body = (args.dist / "waf.json").read_text(encoding="utf-8")
        print(f"web ACL: stack {waf_stack_name(prefix)} in {WAF_REGION} (CloudFront web ACLs live there)")
        made = waf_deployer.deploy("", waf_params, name=waf_stack_name(prefix), template_body=body)
        params["WebAclArn"] = made["WebAclArn"]
    bucket = deployer.artifacts_bucket(args.artifacts_bucket)
    template_url = deployer.upload(bucket, args.dist)
    outputs = deployer.deploy(template_url, params)
    if not args.no_site:
        build_web.ensure(site_url=outputs["SiteUrl"])  # the share page's QR code is of the deployed address
        uploaded, deleted = publish_site(deployer.s3, outputs["SiteBucketName"])
        deployer.invalidate(outputs["DistributionId"])
        print(f"published {uploaded} files to {outputs['SiteBucketName']} ({deleted} stale removed); cache invalidated")
    print(f"site:      {outputs.get('SiteUrl')}")
    print(f"admin API: {outputs.get('ApiDirectUrl')}   (python -m tools.admin --api <this> ...)")
    print(f"dashboard: {outputs.get('DashboardUrl')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
