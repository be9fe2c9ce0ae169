"""`make package`: merge infra/*.json, run `chalice package`, write the deployable dist/template.json.

    python -m tools.package [--stage prod] [--out dist] [--offline]

`chalice package --merge-template` takes one file, so the infra fragments are merged first (a resource,
parameter, condition or output defined twice is an error), the dashboard body is embedded, and the
result is handed to chalice, which writes dist/sam.json and dist/deployment.zip (built from
requirements.txt: it needs a package index the first time, then reuses .chalice/deployments/).
dist/template.json is chalice's SAM template checked and described: every function must run under
its own role from infra/functions.json, never chalice's placeholder, and its SQS event sources report
batch item failures (chalice cannot say so). Chalice refuses to package `@on_s3_event`
(tools/chalice_sam.py records the subscriptions instead): the photos bucket's notification to the
processing function and the Lambda permission it needs are added here. dist/waf.json is the stack's WAF web
ACL alone, for a stack outside us-east-1 (CloudFront takes web ACLs from us-east-1 only): tools/deploy.py
deploys it there and passes its ARN as WebAclArn.

`--offline` packages a copy of the code without requirements.txt (no package index, no cache written
in the project): the template is the same, the zip lacks the dependencies. Tests use it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tools.chalice_sam import S3_EVENTS

ROOT = Path(__file__).resolve().parent.parent
INFRA = ROOT / "infra"
# The stateful part comes first: local/provision.py creates it alone on moto.
FRAGMENTS = ("stateful.json", "functions.json", "edge.json", "photos.json", "public_data.json", "operations.json")
DASHBOARD = "dashboard.json"
SECTIONS = ("Parameters", "Conditions", "Resources", "Outputs")
PLACEHOLDER_ROLE = "replaced-by-infra-functions-json"
BATCH_ITEM_FAILURES = "ReportBatchItemFailures"
WEB_ACL = "WebAcl"
WAF_PARAMETERS = ("Prefix", "WafRateLimit", "WafSignInRateLimit")
CHALICE_SAM = Path(__file__).resolve().parent / "chalice_sam.py"
PHOTOS_BUCKET = "PhotosBucket"
# The photos bucket's name, fixed so that the functions and roles name it without a reference (a cycle).
PHOTOS_BUCKET_NAME = "${Prefix}-photos-${AWS::AccountId}-${AWS::Region}"
# Functions infra/ describes but an app may not have yet: without them their partial resources are dropped.
OPTIONAL_FUNCTIONS = ("ProcessUpload",)
DESCRIPTION = (
    "Police24 (24小时警局): Chalice API, dispatcher and sweep on Lambda (arm64), one DynamoDB table, "
    "SQS with DLQs, SNS, CloudFront in front of a private site bucket, alarms and a dashboard."
)


class PackageError(RuntimeError):
    """The template could not be built."""


def load(name: str) -> dict[str, Any]:
    """Load one infra file."""
    data: dict[str, Any] = json.loads((INFRA / name).read_text(encoding="utf-8"))
    return data


def merged_infra(fragments: tuple[str, ...] = FRAGMENTS) -> dict[str, Any]:
    """Merge the infra fragments into one template for `--merge-template`."""
    merged: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Description": DESCRIPTION}
    owners: dict[tuple[str, str], str] = {}
    for name in fragments:
        fragment = load(name)
        for section in SECTIONS:
            for key, value in fragment.get(section, {}).items():
                if (section, key) in owners:
                    raise PackageError(f"{section}.{key} is defined in both {owners[section, key]} and {name}")
                owners[section, key] = name
                merged.setdefault(section, {})[key] = value
        if "Globals" in fragment:
            merged["Globals"] = fragment["Globals"]
    dashboard = merged["Resources"]["Dashboard"]["Properties"]
    body = json.loads((INFRA / DASHBOARD).read_text(encoding="utf-8"))
    dashboard["DashboardBody"] = {"Fn::Sub": json.dumps(body, ensure_ascii=False, separators=(",", ":"))}
    return merged


def _chalice() -> str:
    """Return the chalice executable of this interpreter's environment."""
    found = Path(sys.executable).parent / "chalice"
    if found.exists():
        return str(found)
    which = shutil.which("chalice")
    if which is None:
        raise PackageError("chalice is not installed: run `make venv`")
    return which


def _offline_project(into: Path) -> Path:
    """Copy the app without requirements.txt, so that chalice needs no package index and caches nothing here."""
    project = into / "project"
    project.mkdir()
    shutil.copy2(ROOT / "app.py", project / "app.py")
    shutil.copytree(ROOT / "chalicelib", project / "chalicelib", ignore=shutil.ignore_patterns("__pycache__"))
    (project / ".chalice").mkdir()
    shutil.copy2(ROOT / ".chalice" / "config.json", project / ".chalice" / "config.json")
    return project


def run_chalice(stage: str, outdir: Path, merge_path: Path, project: Path) -> dict[str, Any]:
    """Run `chalice package` and return the SAM template it wrote."""
    env = {**os.environ, "STAGE": stage}
    env.setdefault("AWS_DEFAULT_REGION", env.get("AWS_REGION", "us-east-1"))
    for name in ("AWS_ENDPOINT_URL", "TOKEN_KEYS", "ADMIN_KEY"):
        env.pop(name, None)  # the local stack's settings must not leak into the package
    _chalice()  # fail early and clearly when chalice is missing
    command = [
        sys.executable,
        str(CHALICE_SAM),
        "--project-dir",
        str(project),
        "package",
        "--stage",
        stage,
        "--merge-template",
        str(merge_path),
        str(outdir),
    ]
    # A fixed argv: this environment's own chalice on our own paths.
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600, check=False)  # noqa: S603
    if result.returncode != 0:
        raise PackageError(f"chalice package failed:\n{result.stdout}\n{result.stderr}")
    sam: dict[str, Any] = json.loads((outdir / "sam.json").read_text(encoding="utf-8"))
    return sam


def _is_intrinsic(key: str) -> bool:
    return key == "Ref" or key.startswith("Fn::")


def settle_intrinsics(node: Any) -> Any:
    """Keep infra's side where chalice's deep merge put two intrinsic functions in one dict.

    The merger copies chalice's dict and then sets infra's keys, so when infra replaces chalice's
    `{"Fn::Sub": ...}` by a `{"Fn::GetAtt": ...}` both end up in one dict, infra's last.
    """
    if isinstance(node, list):
        return [settle_intrinsics(item) for item in node]
    if not isinstance(node, dict):
        return node
    if len(node) > 1 and all(_is_intrinsic(key) for key in node):
        key = list(node)[-1]
        return {key: settle_intrinsics(node[key])}
    return {key: settle_intrinsics(value) for key, value in node.items()}


def finish(sam: dict[str, Any]) -> dict[str, Any]:
    """Check chalice's template against what infra/ promises and return the deployable template."""
    sam = settle_intrinsics(sam)
    subscriptions = sam.pop(S3_EVENTS, [])
    resources = sam["Resources"]
    drop_missing_optional_functions(resources)
    functions = {k: v for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}
    if not functions:
        raise PackageError("chalice produced no functions")
    for name, function in functions.items():
        role = function["Properties"].get("Role")
        if not isinstance(role, dict) or PLACEHOLDER_ROLE in json.dumps(role):
            raise PackageError(f"{name} has no role of its own: add it to infra/functions.json")
        if "LogGroup" not in function["Properties"].get("LoggingConfig", {}):
            raise PackageError(f"{name} has no log group with a retention: add it to infra/functions.json")
    report_batch_item_failures(functions)
    wire_s3_subscriptions(resources, subscriptions)
    template = {"AWSTemplateFormatVersion": sam.get("AWSTemplateFormatVersion", "2010-09-09")}
    template["Description"] = DESCRIPTION
    template.update({k: v for k, v in sam.items() if k not in ("AWSTemplateFormatVersion", "Description")})
    return template


def report_batch_item_failures(functions: dict[str, Any]) -> None:
    """Let every SQS handler report which messages failed (`{"batchItemFailures": [...]}`).

    Chalice's `on_sqs_message` does not set it; without it Lambda ignores the report and deletes the
    whole batch, failures included, whenever the handler returns.
    """
    for function in functions.values():
        for source in function["Properties"].get("Events", {}).values():
            if source["Type"] == "SQS":
                source["Properties"]["FunctionResponseTypes"] = [BATCH_ITEM_FAILURES]


def drop_missing_optional_functions(resources: dict[str, Any]) -> None:
    """Remove infra's partial resources of a function the app does not define (yet), and what refers to it.

    infra/ describes the photo processor's role, log group and alarm by the name chalice gives the
    function; an app without the handler leaves those partials without a Type, which CloudFormation
    would refuse. Any other resource without a Type is still an error (CloudFormation reports it).
    """
    for name in OPTIONAL_FUNCTIONS:
        if "Type" in resources.get(name, {"Type": "absent"}):
            continue
        print(f"package: the app has no {name} function: its log group and alarm are left out", file=sys.stderr)
        for partial in (name, f"{name}LogGroup"):
            if "Type" not in resources.get(partial, {"Type": "kept"}):
                del resources[partial]
        refers = (f'{{"Ref": "{name}"}}', f'{{"Fn::GetAtt": ["{name}", ')
        for other in [k for k, v in resources.items() if any(r in json.dumps(v) for r in refers)]:
            del resources[other]


def wire_s3_subscriptions(resources: dict[str, Any], subscriptions: list[dict[str, Any]]) -> None:
    """Give the photos bucket a notification to each `@on_s3_event` function, and S3 the right to call it.

    The app names its bucket by a setting (PHOTOS_BUCKET); the stack's bucket has a name of its own
    (infra/photos.json), so every subscription is wired to that one bucket. The permission names the
    bucket by ARN and the account, and the bucket waits for it: S3 checks that it may invoke the
    function when the notification is set. No cycle: the function and its role name the bucket by
    its fixed name, never by reference.
    """
    buckets = {subscription["Bucket"] for subscription in subscriptions}
    if len(buckets) > 1:
        raise PackageError(f"S3 handlers on more than one bucket ({sorted(buckets)}): the stack has one")
    configurations = []
    permissions = []
    for subscription in subscriptions:
        function = subscription["Function"]
        if resources.get(function, {}).get("Type") != "AWS::Serverless::Function":
            raise PackageError(f"the S3 handler {function} is not a function of the template")
        rules = [{"Name": "prefix", "Value": subscription["Prefix"]}] if subscription["Prefix"] else []
        rules += [{"Name": "suffix", "Value": subscription["Suffix"]}] if subscription["Suffix"] else []
        for event in subscription["Events"]:
            configuration: dict[str, Any] = {"Event": event, "Function": {"Fn::GetAtt": [function, "Arn"]}}
            if rules:
                configuration["Filter"] = {"S3Key": {"Rules": rules}}
            configurations.append(configuration)
        permission = f"{function}InvokedByPhotosBucket"
        if permission not in resources:
            resources[permission] = _invoke_permission(function)
            permissions.append(permission)
    if not configurations:
        return
    bucket = resources[PHOTOS_BUCKET]
    bucket["Properties"]["NotificationConfiguration"] = {"LambdaConfigurations": configurations}
    bucket["DependsOn"] = sorted(set(bucket.get("DependsOn", [])) | set(permissions))


def _invoke_permission(function: str) -> dict[str, Any]:
    """Let the photos bucket (and only it, in this account) invoke the function."""
    return {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Ref": function},
            "Principal": "s3.amazonaws.com",
            "SourceAccount": {"Ref": "AWS::AccountId"},
            "SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:s3:::" + PHOTOS_BUCKET_NAME},
        },
    }


def waf_template(merged: dict[str, Any]) -> dict[str, Any]:
    """Return the web ACL of the merged infra as a template of its own, for us-east-1."""
    acl = {key: value for key, value in merged["Resources"][WEB_ACL].items() if key != "Condition"}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Police24 (24小时警局): the CloudFront web ACL of a stack deployed outside us-east-1.",
        "Parameters": {name: merged["Parameters"][name] for name in WAF_PARAMETERS},
        "Resources": {WEB_ACL: acl},
        "Outputs": {"WebAclArn": {"Value": {"Fn::GetAtt": [WEB_ACL, "Arn"]}}},
    }


def package(stage: str = "prod", outdir: Path = ROOT / "dist", *, offline: bool = False) -> Path:
    """Build dist/template.json (and chalice's sam.json and deployment.zip) for a stage."""
    outdir = Path(outdir).resolve()
    if outdir.exists():
        shutil.rmtree(outdir)
    merged = merged_infra()
    with tempfile.TemporaryDirectory(prefix="police24-package-") as scratch:
        merge_path = Path(scratch) / "infra.json"
        merge_path.write_text(json.dumps(merged, ensure_ascii=False, indent=1), encoding="utf-8")
        project = _offline_project(Path(scratch)) if offline else ROOT
        sam = run_chalice(stage, outdir, merge_path, project)
    template = finish(sam)
    path = outdir / "template.json"
    path.write_text(json.dumps(template, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    waf = json.dumps(waf_template(merged), ensure_ascii=False, indent=1) + "\n"
    (outdir / "waf.json").write_text(waf, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.package", description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default=os.environ.get("STAGE", "prod"), choices=("dev", "prod"))
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--offline", action="store_true", help="template only: the zip lacks the dependencies")
    args = parser.parse_args(argv)
    try:
        path = package(args.stage, args.out, offline=args.offline)
    except PackageError as error:
        print(f"package: {error}", file=sys.stderr)
        return 1
    zip_path = path.parent / "deployment.zip"
    size = zip_path.stat().st_size / 1e6 if zip_path.exists() else 0.0
    print(f"wrote {path} ({path.stat().st_size:,} bytes) and {zip_path.name} ({size:.1f} MB) for stage {args.stage}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
