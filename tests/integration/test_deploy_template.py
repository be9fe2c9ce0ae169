"""The packaged template (`make package`): what AWS would get, checked offline.

The template is built once for the module with `--offline` (the same chalice package and merge, the
code zip without dependencies, so no package index is needed).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tools.package import FRAGMENTS, load, package

Template = dict[str, Any]
PROCESSOR = "ProcessUpload"  # chalicelib/workers/photos.py's process_upload, on the photos bucket's uploads/
# Until the app registers the S3 handler, the package leaves the processor out (tools/package.py).
HAS_PROCESSOR = (ROOT / "chalicelib" / "workers" / "photos.py").exists()
PUBLIC_COPIES = ("PublishPosts", "RefreshFeeds")  # chalicelib/workers/publish.py
FUNCTIONS = ("APIHandler", "DispatchPost", "Sweep", *PUBLIC_COPIES) + ((PROCESSOR,) if HAS_PROCESSOR else ())
DATA_PLANE = ("dynamodb:", "sqs:", "sns:", "ssm:", "s3:", "kms:", "logs:")


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return package("prod", tmp_path_factory.mktemp("dist"), offline=True)


@pytest.fixture(scope="module")
def template(packaged: Path) -> Template:
    loaded: Template = json.loads(packaged.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def resources(template: Template) -> dict[str, Any]:
    found: dict[str, Any] = template["Resources"]
    return found


def of_type(resources: dict[str, Any], kind: str) -> dict[str, Any]:
    return {name: r for name, r in resources.items() if r["Type"] == kind}


def statements(resources: dict[str, Any], role: str) -> Iterator[dict[str, Any]]:
    """Yield a role's policy statements, with Fn::If branches that may apply."""
    for policy in resources[role]["Properties"].get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            if "Fn::If" in statement:
                statement = statement["Fn::If"][1]
            if statement != {"Ref": "AWS::NoValue"}:
                yield statement


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_the_packaged_template_passes_cfn_lint_for_a_global_and_a_china_region(packaged: Path) -> None:
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    command = [str(cfn_lint), "--regions", "us-east-1", "cn-north-1", "--", str(packaged)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_chalice_wrote_its_sam_template_and_a_code_zip_beside_it(packaged: Path) -> None:
    assert (packaged.parent / "sam.json").exists()
    assert (packaged.parent / "deployment.zip").stat().st_size > 0


def test_the_deployed_stateful_resources_are_exactly_the_local_stacks(resources: dict[str, Any]) -> None:
    stateful = load("stateful.json")["Resources"]
    for name, resource in stateful.items():
        assert resources[name] == resource, name


def test_every_admin_route_needs_aws_iam_and_no_other_route_does(resources: dict[str, Any]) -> None:
    swagger = resources["RestAPI"]["Properties"]["DefinitionBody"]
    assert swagger["securityDefinitions"]["sigv4"]["x-amazon-apigateway-authtype"] == "awsSigv4"
    admin = 0
    for path, methods in swagger["paths"].items():
        for method, operation in methods.items():
            signed = operation.get("security") == [{"sigv4": []}]
            assert signed == path.startswith("/admin/"), (method, path)
            admin += signed
    assert admin >= 9


def test_local_only_routes_are_not_deployed(resources: dict[str, Any]) -> None:
    paths = resources["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    assert not [p for p in paths if p.startswith("/dev/")]


def test_functions_run_on_arm64_with_sized_memory_and_timeouts(resources: dict[str, Any]) -> None:
    for name in FUNCTIONS:
        properties = resources[name]["Properties"]
        assert properties["Architectures"] == ["arm64"], name
        assert 128 <= properties["MemorySize"] <= 1024, name
    assert resources["APIHandler"]["Properties"]["Timeout"] <= 29  # API Gateway gives up at 29 s
    assert resources["Sweep"]["Properties"]["Timeout"] < 60  # it runs every minute


def test_the_dispatcher_reads_the_real_queue_whose_visibility_is_six_times_its_timeout(
    resources: dict[str, Any],
) -> None:
    dispatcher = resources["DispatchPost"]["Properties"]
    source = next(iter(dispatcher["Events"].values()))
    assert source["Type"] == "SQS"
    assert source["Properties"]["Queue"] == {"Fn::GetAtt": ["DispatchQueue", "Arn"]}
    # The handler returns {"batchItemFailures": [...]}: only the failed messages come back.
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = resources["DispatchQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * dispatcher["Timeout"]
    redrive = {"deadLetterTargetArn": {"Fn::GetAtt": ["DispatchDlq", "Arn"]}, "maxReceiveCount": 3}
    assert queue["RedrivePolicy"] == redrive
    assert resources["CadOutbox"]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["CadOutboxDlq", "Arn"]
    }


def test_the_table_is_on_demand_with_recovery_ttl_and_protection(resources: dict[str, Any]) -> None:
    table = resources["Table"]
    assert table["DeletionPolicy"] == "Retain"
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["DeletionProtectionEnabled"] is True
    assert properties["TimeToLiveSpecification"]["Enabled"] is True


def test_each_function_logs_json_to_its_own_group_with_a_retention(
    template: Template,
    resources: dict[str, Any],
) -> None:
    groups = of_type(resources, "AWS::Logs::LogGroup")
    assert len(groups) == len(FUNCTIONS) + 1  # and the API's access log
    for group in groups.values():
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        assert "Fn::Sub" in group["Properties"]["LogGroupName"]  # named by the prefix, not by the function
    for name in FUNCTIONS:
        logging = resources[name]["Properties"]["LoggingConfig"]
        assert logging["LogFormat"] == "JSON"
        assert logging["LogGroup"]["Ref"] in groups
        assert logging["SystemLogLevel"] == "WARN"  # no START/END/REPORT lines on the bill


def test_the_functions_find_the_stateful_resources_and_secrets_by_reference(template: Template) -> None:
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["TABLE_NAME"] == {"Ref": "Table"}
    assert variables["DISPATCH_QUEUE_URL"] == {"Ref": "DispatchQueue"}
    assert variables["CAD_QUEUE_URL"] == {"Ref": "CadOutbox"}
    assert variables["OFFICER_TOPIC_ARN"] == {"Ref": "OfficerTopic"}
    assert variables["TOKEN_KEYS_PARAMETER"] == {"Fn::Sub": "/${Prefix}/token-keys"}
    assert variables["CAD_SECRET_PARAMETER"] == {"Fn::Sub": "/${Prefix}/cad-secret"}
    assert variables["SMS_PROVIDER"] == {"Ref": "SmsProvider"}
    text = json.dumps(template)
    for secret in ('TOKEN_KEYS"', 'CAD_SECRET"', "ADMIN_KEY"):
        assert secret not in text  # secrets come from SSM at run time, never from the template


def test_the_api_stage_is_throttled_and_regional(resources: dict[str, Any]) -> None:
    properties = resources["RestAPI"]["Properties"]
    assert properties["StageName"] == "api"
    assert properties["EndpointConfiguration"] == "REGIONAL"  # CloudFront is the edge
    # The 5xx alarm and the dashboard find the API by its name, the prefix.
    assert properties["Name"] == properties["DefinitionBody"]["info"]["title"] == {"Ref": "Prefix"}
    stage_wide = properties["MethodSettings"][0]
    assert (stage_wide["ResourcePath"], stage_wide["HttpMethod"]) == ("/*", "*")
    assert stage_wide["ThrottlingRateLimit"] == {"Ref": "ApiRateLimit"}
    assert stage_wide["ThrottlingBurstLimit"] == {"Ref": "ApiBurstLimit"}


def test_api_gateways_own_errors_have_the_apis_error_shape(resources: dict[str, Any]) -> None:
    responses = resources["RestAPI"]["Properties"]["GatewayResponses"]
    expected = {"DEFAULT_4XX", "DEFAULT_5XX", "ACCESS_DENIED", "THROTTLED", "MISSING_AUTHENTICATION_TOKEN"}
    assert expected <= set(responses)
    assert responses["THROTTLED"]["StatusCode"] == "429"
    for response in responses.values():
        body = response["ResponseTemplates"]["application/json"].replace("$context.error.messageString", '"x"')
        error = json.loads(body)["error"]
        assert set(error) == {"code", "message"} and error["code"] and error["message"]
        assert response["ResponseParameters"]["Headers"]["X-Content-Type-Options"] == "'nosniff'"


def test_every_function_has_its_own_role_and_no_wildcard_data_plane_permission(resources: dict[str, Any]) -> None:
    roles = {resources[name]["Properties"]["Role"]["Fn::GetAtt"][0] for name in FUNCTIONS}
    assert len(roles) == len(FUNCTIONS)
    assert not of_type(resources, "AWS::IAM::ManagedPolicy")
    for role in roles:
        assert "ManagedPolicyArns" not in resources[role]["Properties"]
        for statement in statements(resources, role):
            assert statement["Effect"] == "Allow"
            for action in as_list(statement["Action"]):
                assert "*" not in action, (role, action)
            if "*" in as_list(statement["Resource"]):
                # The one documented exception: SNS can only authorize a direct SMS on "*".
                assert statement["Sid"] == "DirectSmsToPhoneNumbers" and statement["Action"] == ["sns:Publish"], role
                assert any(a.startswith(DATA_PLANE) for a in as_list(statement["Action"]))


def test_direct_sms_is_granted_only_to_the_functions_that_text_and_only_via_sns(resources: dict[str, Any]) -> None:
    def sms_statement(role: str) -> Any:
        for policy in resources[role]["Properties"]["Policies"]:
            for statement in policy["PolicyDocument"]["Statement"]:
                if "Fn::If" in statement and statement["Fn::If"][1].get("Sid") == "DirectSmsToPhoneNumbers":
                    return statement["Fn::If"]
        return None

    assert sms_statement("ApiHandlerRole")[0] == "SmsViaSns"  # one-time codes
    assert sms_statement("DispatchPostRole")[0] == "SmsViaSns"  # "police answered you"
    assert sms_statement("SweepRole") is None


def test_the_roles_grant_every_dynamodb_call_the_adapters_make_and_nothing_broader(resources: dict[str, Any]) -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "chalicelib" / "adapters").rglob("*.py"))
    used = set(
        re.findall(r'"(get_item|put_item|update_item|delete_item|query|scan|batch_get_item|batch_write_item)"', source)
    )
    if "transact_write_items" in source:
        used |= {"put_item", "update_item", "delete_item", "condition_check_item"}
    assert "scan" not in used  # no Scan on any path
    wanted = {"dynamodb:" + "".join(word.title() for word in op.split("_")) for op in used | {"get_item", "query"}}
    for role in ("ApiHandlerRole", "DispatchPostRole", "SweepRole"):
        granted = {a for s in statements(resources, role) for a in as_list(s["Action"]) if a.startswith("dynamodb:")}
        # Every role gets every call: the workers notify too (contacts read, links written and notices confirmed
        # in batches), and a role short of one fails only in AWS, never on moto.
        assert wanted <= granted, (role, wanted - granted)
        for statement in statements(resources, role):
            if any(a.startswith("dynamodb:") for a in as_list(statement["Action"])):
                for resource in as_list(statement["Resource"]):
                    assert "Table" in json.dumps(resource)  # the one table and its named indexes only


def test_every_granted_action_exists_in_iam(resources: dict[str, Any]) -> None:
    import cfnlint

    known = json.loads((Path(cfnlint.__file__).parent / "data" / "AdditionalSpecs" / "Policies.json").read_text())
    for role in of_type(resources, "AWS::IAM::Role"):
        for statement in statements(resources, role):
            for action in as_list(statement["Action"]):
                service, _, name = action.partition(":")
                if service == "sts":
                    continue
                assert name.lower() in {a.lower() for a in known[service]["Actions"]}, action


def test_the_secrets_are_readable_by_name_only(resources: dict[str, Any]) -> None:
    for role in ("ApiHandlerRole", "DispatchPostRole", "SweepRole"):
        (statement,) = [s for s in statements(resources, role) if s["Action"] == ["ssm:GetParameter"]]
        names = {r["Fn::Sub"].rsplit("/", 1)[-1] for r in statement["Resource"]}
        # Only the API checks CloudFront's origin header; it and the dispatcher (retrying) withdraw hidden photos
        # from CloudFront, whose distribution's id they read.
        extra = {"ApiHandlerRole": {"origin-secret", "distribution-id"}, "DispatchPostRole": {"distribution-id"}}
        extra = extra.get(role, set())
        assert names == {"token-keys", "cad-secret", "site-url", "sms-credentials", "wechat-secret"} | extra


def test_sms_and_wechat_settings_are_stack_parameters_with_safe_defaults(template: Template) -> None:
    """Out of the box: SMS through SNS, no WeChat, and no SSM read of a provider secret that does not exist."""
    parameters, variables = template["Parameters"], template["Globals"]["Function"]["Environment"]["Variables"]
    wired = {
        "SMS_PROVIDER": ("SmsProvider", "sns"),
        "SMS_TEMPLATES": ("SmsTemplates", ""),
        "SMS_SIGN_NAME": ("SmsSignName", ""),
        "SMS_APP_ID": ("SmsAppId", ""),
        "WECHAT_APP_ID": ("WechatAppId", ""),
        "WECHAT_TEMPLATES": ("WechatTemplates", ""),
        "WECHAT_MESSAGES": ("WechatMessages", "subscribe"),
        "WECHAT_SCOPE": ("WechatScope", "snsapi_base"),
    }
    for variable, (parameter, default) in wired.items():
        assert variables[variable] == {"Ref": parameter}, variable
        assert parameters[parameter]["Default"] == default, parameter
    assert "tencent" in parameters["SmsProvider"]["AllowedValues"]
    assert set(parameters["WechatMessages"]["AllowedValues"]) == {"subscribe", "template"}
    # A provider's secret is named to the functions only when that provider is configured.
    assert variables["SMS_CREDENTIALS_PARAMETER"] == {
        "Fn::If": ["SmsViaTencent", {"Fn::Sub": "/${Prefix}/sms-credentials"}, ""]
    }
    assert variables["WECHAT_SECRET_PARAMETER"] == {
        "Fn::If": ["HasWechat", {"Fn::Sub": "/${Prefix}/wechat-secret"}, ""]
    }
    assert template["Conditions"]["SmsViaTencent"] == {"Fn::Equals": [{"Ref": "SmsProvider"}, "tencent"]}
    assert template["Conditions"]["HasWechat"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "WechatAppId"}, ""]}]}
    text = json.dumps(template)
    for secret in ('"SMS_CREDENTIALS"', '"WECHAT_SECRET"'):
        assert secret not in text  # the secrets themselves come from SSM at run time


def test_the_stacks_sms_and_wechat_settings_are_the_ones_the_app_reads(template: Template) -> None:
    from chalicelib.config import Settings

    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    env = {
        "SMS_PROVIDER": "tencent",
        "SMS_TEMPLATES": "otp=1,reply=2",
        "SMS_SIGN_NAME": "包头公安",
        "SMS_APP_ID": "1400000001",
        "WECHAT_APP_ID": "wx0123456789abcdef",
        "WECHAT_TEMPLATES": "*=tmpl",
        "WECHAT_MESSAGES": "template",
        "WECHAT_SCOPE": "snsapi_userinfo",
        "SMS_CREDENTIALS": "id:secret",
        "WECHAT_SECRET": "s",
    }
    assert set(env) - {"SMS_CREDENTIALS", "WECHAT_SECRET"} <= set(variables)
    settings = Settings.from_env(env)
    assert settings.sms_templates == (("otp", "1"), ("reply", "2")) and settings.sms_app_id == "1400000001"
    assert settings.wechat_template("reply") == "tmpl" and settings.wechat_messages == "template"
    assert settings.wechat_scope == "snsapi_userinfo" and settings.wechat_enabled


def test_alarms_watch_dlqs_api_errors_dispatcher_and_overdue_posts(resources: dict[str, Any]) -> None:
    alarms = of_type(resources, "AWS::CloudWatch::Alarm")
    watched = {
        (a["Properties"]["Namespace"], a["Properties"]["MetricName"], json.dumps(a["Properties"].get("Dimensions", [])))
        for a in alarms.values()
    }
    for dlq in ("DispatchDlq", "CadOutboxDlq"):
        queue = [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq, "QueueName"]}}]
        assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", json.dumps(queue)) in watched
    assert any(ns == "AWS/ApiGateway" and metric == "5XXError" for ns, metric, _ in watched)
    assert ("AWS/Lambda", "Errors", json.dumps([{"Name": "FunctionName", "Value": {"Ref": "DispatchPost"}}])) in watched
    assert any(ns == "Police24" and metric == "Escalations" for ns, metric, _ in watched)
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "OpsTopic"}]
    assert resources["OpsTopic"]["Type"] == "AWS::SNS::Topic"


def test_the_dashboard_shows_posts_replies_dispatches_first_response_escalations_and_errors(
    resources: dict[str, Any],
) -> None:
    body = resources["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    names = set(re.findall(r"\$\{([A-Za-z0-9:.]+)\}", body))
    assert names <= set(resources) | {"Prefix", "AWS::Region"} | {
        f"{n.split('.')[0]}.{n.split('.')[1]}" for n in names if "." in n and n.split(".")[0] in resources
    }
    dashboard = json.loads(re.sub(r"\$\{[^}]+\}", "x", body))
    metrics = {m[1] for w in dashboard["widgets"] if w["type"] == "metric" for m in w["properties"]["metrics"]}
    assert {
        "Posts",
        "Replies",
        "OfficialReplies",
        "Dispatches",
        "FirstResponseMinutes",
        "Escalations",
        "Errors",
        "5XXError",
    } <= metrics


def test_cloudfront_serves_the_private_bucket_at_root_and_the_api_stage_under_api(resources: dict[str, Any]) -> None:
    config = resources["Distribution"]["Properties"]["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    # Origin access control, or in China (which has none) an origin access identity.
    assert origins["site"]["OriginAccessControlId"] == {
        "Fn::If": ["OutsideChina", {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}, {"Ref": "AWS::NoValue"}]
    }
    assert origins["site"]["S3OriginConfig"] == {
        "OriginAccessIdentity": {
            "Fn::If": ["InChina", {"Fn::Sub": "origin-access-identity/cloudfront/${SiteOriginAccessIdentity}"}, ""]
        }
    }
    assert origins["api"]["DomainName"] == {"Fn::Sub": "${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
    assert "OriginPath" not in origins["api"]  # /api/... reaches the stage named api as it is
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == "site"
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    behaviours = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert list(behaviours)[-1] == "/api/*"  # the specific /api/... patterns come first
    for behaviour in (b for path, b in behaviours.items() if path not in ("/media/*", "/data/*")):
        assert behaviour["TargetOriginId"] == "api"
        assert set(behaviour["AllowedMethods"]) >= {"GET", "POST", "PUT", "DELETE", "PATCH"}
        assert behaviour["CachedMethods"] == ["GET", "HEAD"]
    bucket = resources["SiteBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert all(bucket.values())
    (reader_if,) = [
        s for s in resources["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"] if "Fn::If" in s
    ]
    condition, china, reader = reader_if["Fn::If"]
    assert condition == "InChina"
    assert china["Principal"] == {"CanonicalUser": {"Fn::GetAtt": ["SiteOriginAccessIdentity", "S3CanonicalUserId"]}}
    assert reader["Principal"] == {"Service": "cloudfront.amazonaws.com"} and reader["Action"] == "s3:GetObject"
    assert "${Distribution}" in reader["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]


def test_public_gets_are_cached_briefly_and_requests_with_authorization_are_keyed_apart(
    resources: dict[str, Any],
) -> None:
    config = resources["Distribution"]["Properties"]["DistributionConfig"]
    behaviours = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    short = resources[behaviours["/api/*"]["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
    reference = resources[behaviours["/api/boards"]["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
    assert short["MinTTL"] == 0 and 0 < short["DefaultTTL"] <= 60
    assert reference["DefaultTTL"] > short["DefaultTTL"]
    for policy in (short, reference):
        key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
        # Authorization in the key: a signed-in request never gets another caller's answer, and since the API
        # answers it with Cache-Control: no-store (MinTTL 0), it is not stored at all.
        assert key["HeadersConfig"] == {"HeaderBehavior": "whitelist", "Headers": ["Authorization"]}
        assert key["QueryStringsConfig"]["QueryStringBehavior"] == "all"
        assert key["CookiesConfig"]["CookieBehavior"] == "none"
    errors = {e["ErrorCode"]: e["ErrorCachingMinTTL"] for e in config["CustomErrorResponses"]}
    assert errors == {500: 0, 502: 0, 503: 0, 504: 0}


def test_the_page_is_compressed_with_assets_kept_a_year_and_pages_revalidated(resources: dict[str, Any]) -> None:
    config = resources["Distribution"]["Properties"]["DistributionConfig"]
    default = config["DefaultCacheBehavior"]
    text = [default, *(b for b in config["CacheBehaviors"] if b["PathPattern"] != "/media/*")]  # JPEG: no
    assert all(b["Compress"] is True for b in text)  # gzip or Brotli at the edge
    policy = resources[default["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
    # S3's Cache-Control rules: MinTTL 0 lets `no-cache` pages be revalidated, MaxTTL lets assets stay a year.
    assert policy["MinTTL"] == 0 and policy["MaxTTL"] >= 31536000
    key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["EnableAcceptEncodingGzip"] is True and key["EnableAcceptEncodingBrotli"] is True
    assert key["QueryStringsConfig"]["QueryStringBehavior"] == "none"  # ?v=... cannot split the cache
    from tools.deploy import ASSET_CACHE, HTML_CACHE

    assert (ASSET_CACHE, HTML_CACHE) == ("public, max-age=31536000, immutable", "no-cache")


def test_the_security_headers_match_the_pages_csp(resources: dict[str, Any]) -> None:
    security = resources["SecurityHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    for page in ("index.html", "reply.html", "work.html"):
        meta = re.search(
            r'http-equiv="Content-Security-Policy" content="([^"]+)"', (ROOT / "web" / page).read_text(encoding="utf-8")
        )
        assert meta is not None
        assert security["ContentSecurityPolicy"]["ContentSecurityPolicy"].startswith(meta.group(1))
    assert "frame-ancestors 'none'" in security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert security["ContentTypeOptions"] == {"Override": True}
    assert security["FrameOptions"]["FrameOption"] == "DENY"


def test_the_infra_fragments_never_define_a_name_twice() -> None:
    seen: dict[str, str] = {}
    for name in FRAGMENTS:
        for section in ("Parameters", "Conditions", "Resources", "Outputs"):
            for key in load(name).get(section, {}):
                assert f"{section}.{key}" not in seen, (name, seen.get(f"{section}.{key}"))
                seen[f"{section}.{key}"] = name


def test_every_functions_entry_module_masks_personal_data_in_its_logs(resources: dict[str, Any]) -> None:
    for name in FUNCTIONS:
        module = resources[name]["Properties"]["Handler"].rsplit(".", 1)[0]
        probe = (
            f"import logging, sys; import {module}; "
            "print(getattr(logging.getLogRecordFactory(), 'masks', False), 'app' in sys.modules)"
        )
        result = subprocess.run(
            [sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={"PATH": "", "STAGE": "prod"},
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        masks, _ = result.stdout.split()
        assert masks == "True", (name, module)


# -- abuse resistance and evidence (issue 13) --------------------------------------------------------

AWS_RETENTION_DAYS = {
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
}
SIGN_IN = ("/auth/otp", "/auth/session", "/auth/link")


def distribution(resources: dict[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = resources["Distribution"]["Properties"]["DistributionConfig"]
    return config


def test_a_waf_web_acl_limits_each_client_and_runs_the_common_rule_set_on_the_distribution(
    template: Template,
    resources: dict[str, Any],
) -> None:
    acl = resources["WebAcl"]
    assert acl["Type"] == "AWS::WAFv2::WebACL"
    properties = acl["Properties"]
    assert properties["Scope"] == "CLOUDFRONT" and properties["DefaultAction"] == {"Allow": {}}
    rules = {rule["Name"]: rule for rule in properties["Rules"]}
    per_client = [r for r in rules.values() if "RateBasedStatement" in r["Statement"]]
    everything = [r for r in per_client if "ScopeDownStatement" not in r["Statement"]["RateBasedStatement"]]
    assert everything and everything[0]["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    (sign_in,) = [r for r in per_client if r not in everything]
    scope = sign_in["Statement"]["RateBasedStatement"]["ScopeDownStatement"]["ByteMatchStatement"]
    assert scope["SearchString"] == "/api/auth/" and scope["PositionalConstraint"] == "STARTS_WITH"
    assert sign_in["Priority"] < everything[0]["Priority"]
    assert template["Parameters"]["WafSignInRateLimit"]["Default"] < template["Parameters"]["WafRateLimit"]["Default"]
    for rule in per_client:  # a blocked client gets the API's 429 in its error shape
        block = rule["Action"]["Block"]["CustomResponse"]
        assert block["ResponseCode"] == 429
        body = json.loads(properties["CustomResponseBodies"][block["CustomResponseBodyKey"]]["Content"])
        assert body["error"]["code"] == "rate_limited"
    managed = [
        r["Statement"]["ManagedRuleGroupStatement"]
        for r in rules.values()
        if "ManagedRuleGroupStatement" in r["Statement"]
    ]
    assert {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}.items() <= managed[0].items()
    # Posts may be up to the API's 64 KiB; the rule set's 8 KB body limit only counts.
    overrides = {o["Name"]: o["ActionToUse"] for o in managed[0].get("RuleActionOverrides", [])}
    assert overrides == {"SizeRestrictions_BODY": {"Count": {}}}
    assert distribution(resources)["WebACLId"] == {
        "Fn::If": [
            "AttachesWebAcl",
            {"Fn::If": ["HasWebAclArn", {"Ref": "WebAclArn"}, {"Fn::GetAtt": ["WebAcl", "Arn"]}]},
            {"Ref": "AWS::NoValue"},
        ]
    }


def test_the_web_acl_is_created_only_in_us_east_1_or_else_taken_by_arn(
    template: Template, resources: dict[str, Any]
) -> None:
    conditions = template["Conditions"]
    assert resources["WebAcl"]["Condition"] == "CreatesWebAcl"
    assert conditions["InUsEast1"] == {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}
    assert conditions["CreatesWebAcl"] == {
        "Fn::And": [{"Fn::Not": [{"Condition": "HasWebAclArn"}]}, {"Condition": "InUsEast1"}]
    }
    assert conditions["AttachesWebAcl"] == {"Fn::Or": [{"Condition": "HasWebAclArn"}, {"Condition": "CreatesWebAcl"}]}
    parameter = template["Parameters"]["WebAclArn"]
    assert parameter["Default"] == ""
    assert re.fullmatch(
        parameter["AllowedPattern"], "arn:aws:wafv2:us-east-1:123456789012:global/webacl/police24-edge/0a1b2c3d"
    )
    assert not re.fullmatch(
        parameter["AllowedPattern"], "arn:aws:wafv2:ap-northeast-1:123456789012:regional/webacl/x/0a1b"
    )
    assert not re.fullmatch(
        parameter["AllowedPattern"],  # CloudFront reads it from us-east-1 only
        "arn:aws:wafv2:ap-northeast-1:123456789012:global/webacl/x/0a1b",
    )
    certificate = template["Parameters"]["CertificateArn"]["AllowedPattern"]
    assert re.fullmatch(certificate, "arn:aws:acm:us-east-1:123456789012:certificate/0a1b-2c3d")
    assert not re.fullmatch(certificate, "arn:aws:acm:ap-northeast-1:123456789012:certificate/0a1b-2c3d")


def test_cloudfront_proves_itself_to_the_api_with_a_secret_header_that_is_never_in_the_template(
    template: Template,
    resources: dict[str, Any],
) -> None:
    origins = {o["Id"]: o for o in distribution(resources)["Origins"]}
    assert origins["api"]["OriginCustomHeaders"] == [
        {"HeaderName": "X-Origin-Verify", "HeaderValue": {"Ref": "OriginSecret"}}
    ]
    assert "OriginCustomHeaders" not in origins["site"]
    secret = template["Parameters"]["OriginSecret"]
    assert secret["NoEcho"] is True and "Default" not in secret and secret["MinLength"] >= 32
    from chalicelib.api.middleware import ORIGIN_HEADER

    assert ORIGIN_HEADER == "X-Origin-Verify".lower()
    # The API reads the same secret at run time from SSM (tools/deploy.py creates it and passes it to the stack).
    api_env = resources["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert api_env["ORIGIN_SECRET_PARAMETER"] == {"Fn::Sub": "/${Prefix}/origin-secret"}


def test_sign_in_routes_have_their_own_tighter_method_throttles(template: Template, resources: dict[str, Any]) -> None:
    properties = resources["RestAPI"]["Properties"]
    paths = properties["DefinitionBody"]["paths"]
    settings = {(s["ResourcePath"], s["HttpMethod"]): s for s in properties["MethodSettings"]}
    parameters = template["Parameters"]
    assert parameters["AuthRateLimit"]["Default"] < parameters["ApiRateLimit"]["Default"]
    assert parameters["AuthBurstLimit"]["Default"] < parameters["ApiBurstLimit"]["Default"]
    for path in SIGN_IN:
        assert "post" in paths[path], path  # the throttle names a method that exists
        setting = settings["/" + path.replace("/", "~1"), "POST"]  # API Gateway's encoding: /~1auth~1otp
        assert setting["ThrottlingRateLimit"] == {"Ref": "AuthRateLimit"}
        assert setting["ThrottlingBurstLimit"] == {"Ref": "AuthBurstLimit"}


def test_every_log_group_keeps_at_least_six_months(template: Template, resources: dict[str, Any]) -> None:
    retention = template["Parameters"]["LogRetentionDays"]
    assert retention["Default"] >= 180
    assert min(retention["AllowedValues"]) >= 180  # no deploy can shorten it below the law's six months
    assert set(retention["AllowedValues"]) <= AWS_RETENTION_DAYS
    groups = of_type(resources, "AWS::Logs::LogGroup")
    assert groups
    for name, group in groups.items():
        days = group["Properties"].get("RetentionInDays")
        assert days == {"Ref": "LogRetentionDays"} or (isinstance(days, int) and days >= 180), name
    for name, function in resources.items():  # no function logs to a group the template does not keep
        if function["Type"] == "AWS::Serverless::Function":
            assert function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"] in groups, name


def test_the_api_stage_writes_json_access_logs_with_the_callers_address(resources: dict[str, Any]) -> None:
    api = resources["RestAPI"]
    setting = api["Properties"]["AccessLogSetting"]
    assert "${ApiAccessLogGroup}" in setting["DestinationArn"]["Fn::Sub"]
    assert resources["ApiAccessLogGroup"]["DeletionPolicy"] == "Retain"
    line = json.loads(setting["Format"])  # every value quoted: a line is JSON whatever the request held
    for wanted in (
        "$context.identity.sourceIp",
        "$context.requestId",
        "$context.resourcePath",
        "$context.status",
        "$context.requestTime",
        "$context.httpMethod",
        "$context.identity.userArn",
    ):
        assert wanted in line.values(), wanted
    # API Gateway writes to CloudWatch Logs only with the account's logging role set, before the stage exists.
    assert api["DependsOn"] == ["ApiGatewayAccount"]
    account = resources["ApiGatewayAccount"]["Properties"]
    assert account["CloudWatchRoleArn"] == {"Fn::GetAtt": ["ApiGatewayLogsRole", "Arn"]}
    role = resources["ApiGatewayLogsRole"]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "apigateway.amazonaws.com"
    }
    assert role["DeletionPolicy"] == "Retain"  # other APIs of the account may rely on the setting


def test_cloudfront_logs_to_a_private_encrypted_bucket_that_keeps_them_for_the_retention(
    resources: dict[str, Any],
) -> None:
    logging = distribution(resources)["Logging"]
    assert logging["Bucket"] == {"Fn::GetAtt": ["LogBucket", "DomainName"]}
    bucket = resources["LogBucket"]
    assert bucket["DeletionPolicy"] == "Retain"  # evidence outlives the stack
    properties = bucket["Properties"]
    assert all(properties["PublicAccessBlockConfiguration"].values())
    # CloudFront's standard logs are delivered with an ACL, which BucketOwnerEnforced would refuse.
    assert properties["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}
    (encryption,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    (rule,) = properties["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled" and rule["ExpirationInDays"] == {"Ref": "LogRetentionDays"}
    (deny,) = resources["LogBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_officer_topic_and_every_queue_are_encrypted_at_rest(resources: dict[str, Any]) -> None:
    queues = of_type(resources, "AWS::SQS::Queue")
    assert len(queues) == 4
    for name, queue in queues.items():
        properties = queue["Properties"]
        assert properties.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in properties, name
    assert resources["OfficerTopic"]["Properties"]["KmsMasterKeyId"] == "alias/aws/sns"


def test_the_table_uses_the_customer_managed_key_only_when_one_is_given(
    template: Template, resources: dict[str, Any]
) -> None:
    assert template["Parameters"]["TableKmsKeyArn"]["Default"] == ""
    assert template["Conditions"]["HasTableKmsKey"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "TableKmsKeyArn"}, ""]}]}
    condition, customer, owned = resources["Table"]["Properties"]["SSESpecification"]["Fn::If"]
    assert condition == "HasTableKmsKey"
    assert customer == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": {"Ref": "TableKmsKeyArn"}}
    assert owned == {"SSEEnabled": False}  # DynamoDB's AWS owned key
    for role in ("ApiHandlerRole", "DispatchPostRole", "SweepRole"):
        grants = [
            s["Fn::If"]
            for p in resources[role]["Properties"]["Policies"]
            for s in p["PolicyDocument"]["Statement"]
            if "Fn::If" in s and "kms:Decrypt" in json.dumps(s)
        ]
        assert [(g[0], g[1]["Resource"], g[2]) for g in grants] == [
            ("HasTableKmsKey", {"Ref": "TableKmsKeyArn"}, {"Ref": "AWS::NoValue"})
        ], role


def test_a_custom_domain_is_served_with_its_certificate_sni_and_tls_1_2_2021(
    template: Template, resources: dict[str, Any]
) -> None:
    parameters = template["Parameters"]
    assert parameters["DomainName"]["Default"] == parameters["CertificateArn"]["Default"] == ""
    assert template["Conditions"]["UsesCustomDomain"] == {
        "Fn::And": [
            {"Fn::Not": [{"Fn::Equals": [{"Ref": "DomainName"}, ""]}]},
            {"Fn::Not": [{"Fn::Equals": [{"Ref": "CertificateArn"}, ""]}]},
        ]
    }
    config = distribution(resources)
    assert config["Aliases"] == {"Fn::If": ["UsesCustomDomain", [{"Ref": "DomainName"}], {"Ref": "AWS::NoValue"}]}
    condition, own, default = config["ViewerCertificate"]["Fn::If"]
    assert condition == "UsesCustomDomain"
    assert own == {
        "AcmCertificateArn": {"Ref": "CertificateArn"},
        "SslSupportMethod": "sni-only",
        "MinimumProtocolVersion": "TLSv1.2_2021",
    }
    assert default == {"CloudFrontDefaultCertificate": True}
    # Links in texts and CORS use the address readers actually see.
    site_url = resources["SiteUrlParameter"]["Properties"]["Value"]
    assert site_url == {
        "Fn::If": [
            "UsesCustomDomain",
            {"Fn::Sub": "https://${DomainName}"},
            {"Fn::Sub": "https://${Distribution.DomainName}"},
        ]
    }
    assert template["Outputs"]["SiteUrl"]["Value"] == site_url


def test_what_the_china_regions_lack_is_conditioned_out(template: Template, resources: dict[str, Any]) -> None:
    conditions = template["Conditions"]
    assert conditions["InChina"] == {
        "Fn::Or": [
            {"Fn::Equals": [{"Ref": "AWS::Region"}, "cn-north-1"]},
            {"Fn::Equals": [{"Ref": "AWS::Region"}, "cn-northwest-1"]},
        ]
    }
    assert resources["SiteOriginAccessControl"]["Condition"] == "OutsideChina"
    assert resources["SiteOriginAccessIdentity"]["Condition"] == "InChina"
    assert resources["SmsSpendAlarm"]["Condition"] == "WatchesSmsSpend"
    assert conditions["WatchesSmsSpend"] == {"Fn::And": [{"Condition": "SmsViaSns"}, {"Condition": "OutsideChina"}]}
    for name, resource in resources.items():  # every ARN the template writes names its partition
        for arn in re.findall(r"arn:[^\"]*", json.dumps(resource)):
            assert arn.startswith("arn:${AWS::Partition}:"), (name, arn)


def test_alarms_fire_when_the_one_time_code_budget_is_spent_and_on_sms_spending(
    template: Template,
    resources: dict[str, Any],
) -> None:
    from chalicelib.adapters.metrics import NAMESPACE

    budget = resources["OtpBudgetExhaustedAlarm"]["Properties"]
    assert (budget["Namespace"], budget["MetricName"]) == (NAMESPACE, "OtpBudgetExhausted")
    assert (
        budget["Namespace"]
        == template["Globals"]["Function"]["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"]
    )
    # The app's EMF lines carry one dimension, Service = POWERTOOLS_SERVICE_NAME (the prefix).
    assert budget["Dimensions"] == [{"Name": "Service", "Value": {"Ref": "Prefix"}}]
    assert (budget["Statistic"], budget["Period"], budget["Threshold"]) == ("Sum", 300, 1)
    assert budget["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert budget["TreatMissingData"] == "notBreaching"
    spend = resources["SmsSpendAlarm"]["Properties"]
    assert (spend["Namespace"], spend["MetricName"]) == ("AWS/SNS", "SMSMonthToDateSpentUSD")
    assert spend["Threshold"] == {"Ref": "SmsSpendAlarmUsd"}
    assert spend["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert template["Parameters"]["SmsSpendAlarmUsd"]["Default"] == 50
    for alarm in (budget, spend):
        assert alarm["AlarmActions"] == [{"Ref": "OpsTopic"}]
    dashboard = resources["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    assert "${OtpBudgetExhaustedAlarm.Arn}" in dashboard and '"OtpBudgetExhausted"' in dashboard


def test_the_web_acl_of_a_stack_outside_us_east_1_is_packaged_alone_for_us_east_1(
    packaged: Path,
    template: Template,
    resources: dict[str, Any],
) -> None:
    waf_path = packaged.parent / "waf.json"
    waf = json.loads(waf_path.read_text(encoding="utf-8"))
    expected = {key: value for key, value in resources["WebAcl"].items() if key != "Condition"}
    assert waf["Resources"] == {"WebAcl": expected}  # the same rules as the stack would make in us-east-1
    assert waf["Outputs"]["WebAclArn"]["Value"] == {"Fn::GetAtt": ["WebAcl", "Arn"]}
    for name, parameter in waf["Parameters"].items():
        assert parameter == template["Parameters"][name]
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run(
        [str(cfn_lint), "--regions", "us-east-1", "--", str(waf_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Photos (issue 18): the bucket, its notification to the processor, the roles, and /media/* on CloudFront.

S3_OBJECT_AREAS = ("/uploads/*", "/photos/*", "/media/*", "/data/*")


def photo_grants(resources: dict[str, Any], role: str) -> dict[str, set[str]]:
    """Return {area: actions} of a role's S3 statements ("" for the bucket itself)."""
    grants: dict[str, set[str]] = {}
    for statement in statements(resources, role):
        actions = [a for a in as_list(statement["Action"]) if a.startswith("s3:")]
        for resource in as_list(statement["Resource"]) if actions else []:
            arn = resource["Fn::Sub"]
            area = next((a for a in S3_OBJECT_AREAS if arn.endswith(a)), "")
            grants.setdefault(area, set()).update(actions)
    return grants


def test_the_photos_bucket_is_private_encrypted_tls_only_and_outlives_the_stack(resources: dict[str, Any]) -> None:
    bucket = resources["PhotosBucket"]
    assert bucket["DeletionPolicy"] == "Retain"  # posts and 110 hand-offs point at its photos
    properties = bucket["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}  # no ACLs
    (encryption,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    policy = resources["PhotosBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (deny,) = [s for s in policy if s.get("Effect") == "Deny"]
    assert deny["Action"] == "s3:*" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    (reader_if,) = [s for s in policy if "Fn::If" in s]
    condition, china, reader = reader_if["Fn::If"]
    assert condition == "InChina"
    for allowed in (china, reader):  # the one Allow: CloudFront reads the public copies, nothing else
        assert allowed["Action"] == "s3:GetObject"
        assert allowed["Resource"] == [
            {"Fn::Sub": "${PhotosBucket.Arn}/media/*"},
            {"Fn::Sub": "${PhotosBucket.Arn}/data/*"},  # the public copies of feeds and posts
        ]
    assert reader["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert "${Distribution}" in reader["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    assert china["Principal"] == {"CanonicalUser": {"Fn::GetAtt": ["SiteOriginAccessIdentity", "S3CanonicalUserId"]}}


def test_uploads_and_unused_photos_expire_and_incomplete_uploads_are_aborted(resources: dict[str, Any]) -> None:
    rules = {r["Id"]: r for r in resources["PhotosBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]}
    assert all(rule["Status"] == "Enabled" for rule in rules.values())
    uploads = rules["expire-unprocessed-uploads"]
    assert (uploads["Prefix"], uploads["ExpirationInDays"]) == ("uploads/", 1)
    unused = rules["expire-unused-photos"]
    assert (unused["Prefix"], unused["ExpirationInDays"]) == ("photos/", 2)
    assert unused["TagFilters"] == [{"Key": "state", "Value": "unused"}]  # claimed photos are retagged state=used
    aborted = rules["abort-incomplete-multipart-uploads"]
    assert "Prefix" not in aborted and aborted["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 1
    assert "VersioningConfiguration" not in resources["PhotosBucket"]["Properties"]  # an expired photo is gone


def test_the_browser_may_post_uploads_and_get_photos_from_the_site_only(
    template: Template, resources: dict[str, Any]
) -> None:
    (rule,) = resources["PhotosBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert set(rule["AllowedMethods"]) == {"POST", "GET", "HEAD"}
    assert rule["AllowedOrigins"] == [template["Outputs"]["SiteUrl"]["Value"]]  # the address readers see


def test_the_functions_know_the_bucket_by_its_fixed_name_and_the_media_address_is_the_site(
    template: Template, resources: dict[str, Any]
) -> None:
    from chalicelib.config import Settings

    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    name = resources["PhotosBucket"]["Properties"]["BucketName"]
    # A name, not a reference: the bucket refers to the function (its notification), which must not refer back.
    assert variables["PHOTOS_BUCKET"] == name == {"Fn::Sub": "${Prefix}-photos-${AWS::AccountId}-${AWS::Region}"}
    assert variables["MEDIA_URL"] == "" and variables["STORAGE_URL"] == ""  # /media/* on the site; S3's endpoint
    settings = Settings.from_env({"PHOTOS_BUCKET": "police24-photos-123456789012-ap-east-1", "MEDIA_URL": ""})
    assert settings.photos_bucket == "police24-photos-123456789012-ap-east-1" and settings.media_url == ""
    # 63 characters at most: the default prefixes fit in every region (cn-northwest-1 and ap-southeast-4 the longest).
    assert len("police24-dev-photos-123456789012-cn-northwest-1") <= 63
    assert template["Outputs"]["PhotosBucketName"]["Value"] == {"Ref": "PhotosBucket"}


def test_the_roles_may_touch_only_their_parts_of_the_photos_bucket(resources: dict[str, Any]) -> None:
    api = photo_grants(resources, "ApiHandlerRole")
    assert api["/uploads/*"] == {"s3:PutObject"}  # its credentials sign the browser's presigned POST
    assert {"s3:GetObject", "s3:PutObjectTagging"} <= api["/photos/*"]  # signed reads; claiming (state=used)
    assert {"s3:PutObject", "s3:DeleteObject"} <= api["/media/*"]  # publishing and hiding the public copies
    # 110's signed links; the public copies it publishes or withdraws when a request could not (a `photos` message).
    assert photo_grants(resources, "DispatchPostRole") == {
        "/photos/*": {"s3:GetObject"},
        "/media/*": {"s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject"},
    }
    assert photo_grants(resources, "SweepRole") == {}
    processor = photo_grants(resources, "ProcessUploadRole")
    assert processor["/uploads/*"] == {"s3:GetObject", "s3:DeleteObject"}
    assert {"s3:PutObject", "s3:PutObjectTagging", "s3:GetObject"} <= processor["/photos/*"]
    assert processor["/media/*"] == {"s3:PutObject", "s3:DeleteObject"}
    for grants in (api, processor):
        assert grants[""] == {"s3:ListBucket"}  # so that a missing key answers 404, not 403
    invalidation = resources["InvalidateMediaPolicy"]["Properties"]
    assert invalidation["Roles"] == [
        {"Ref": "ApiHandlerRole"},
        {"Ref": "DispatchPostRole"},
        {"Ref": "ProcessUploadRole"},
        {"Ref": "PublishPostsRole"},  # a withdrawn post's public copies (data/)
        {"Ref": "RefreshFeedsRole"},
    ]
    (statement,) = invalidation["PolicyDocument"]["Statement"]
    assert statement["Action"] == ["cloudfront:CreateInvalidation"]
    assert statement["Resource"]["Fn::Sub"].endswith(":distribution/${Distribution}")  # this distribution only
    # The id reaches the functions through SSM: an environment reference would close a cycle through the API.
    assert resources["DistributionIdParameter"]["Properties"]["Value"] == {"Ref": "Distribution"}
    for function in ("APIHandler", "DispatchPost"):
        variables = resources[function]["Properties"]["Environment"]["Variables"]
        assert variables["MEDIA_DISTRIBUTION_ID_PARAMETER"] == {"Fn::Sub": "/${Prefix}/distribution-id"}


@pytest.mark.skipif(not HAS_PROCESSOR, reason="the app registers no S3 handler yet (chalicelib/workers/photos.py)")
def test_uploads_trigger_the_processing_function_which_s3_alone_may_invoke(resources: dict[str, Any]) -> None:
    bucket = resources["PhotosBucket"]
    (configuration,) = bucket["Properties"]["NotificationConfiguration"]["LambdaConfigurations"]
    assert configuration["Event"] == "s3:ObjectCreated:*"
    assert configuration["Function"] == {"Fn::GetAtt": [PROCESSOR, "Arn"]}
    assert configuration["Filter"] == {"S3Key": {"Rules": [{"Name": "prefix", "Value": "uploads/"}]}}
    (permission_name,) = bucket["DependsOn"]  # S3 checks it may invoke the function when the notification is set
    permission = resources[permission_name]
    assert permission["Type"] == "AWS::Lambda::Permission"
    properties = permission["Properties"]
    assert properties["FunctionName"] == {"Ref": PROCESSOR} and properties["Principal"] == "s3.amazonaws.com"
    name = bucket["Properties"]["BucketName"]["Fn::Sub"]
    assert properties["SourceArn"] == {"Fn::Sub": "arn:${AWS::Partition}:s3:::" + name}  # this bucket only
    assert properties["SourceAccount"] == {"Ref": "AWS::AccountId"}
    function = resources[PROCESSOR]["Properties"]
    assert function["Handler"] == "chalicelib.workers.photos.process_upload"
    assert function["MemorySize"] >= 1024 and 30 <= function["Timeout"] <= 60  # Pillow on a 2048 px photo
    assert function["Environment"]["Variables"]["MEDIA_DISTRIBUTION_ID_PARAMETER"] == {
        "Fn::Sub": "/${Prefix}/distribution-id"
    }


def test_cloudfront_serves_public_photo_copies_from_the_bucket_through_oac_with_a_year_long_cache(
    resources: dict[str, Any],
) -> None:
    config = distribution(resources)
    media = config["CacheBehaviors"][0]  # before /api/*, which would not match anyway
    assert media["PathPattern"] == "/media/*" and media["TargetOriginId"] == "media"
    assert media["AllowedMethods"] == ["GET", "HEAD"] and media["ViewerProtocolPolicy"] == "redirect-to-https"
    assert "OriginRequestPolicyId" not in media  # nothing of the viewer's request reaches S3
    origin = {o["Id"]: o for o in config["Origins"]}["media"]
    assert origin["DomainName"] == {
        "Fn::Sub": "${Prefix}-photos-${AWS::AccountId}-${AWS::Region}.s3.${AWS::Region}.${AWS::URLSuffix}"
    }
    assert origin["OriginAccessControlId"] == {
        "Fn::If": ["OutsideChina", {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}, {"Ref": "AWS::NoValue"}]
    }
    assert origin["S3OriginConfig"]["OriginAccessIdentity"]["Fn::If"][0] == "InChina"
    policy = resources[media["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
    assert policy["DefaultTTL"] >= 31536000 and policy["MaxTTL"] >= 31536000
    key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["CookiesConfig"] == {"CookieBehavior": "none"}
    assert key["QueryStringsConfig"] == {"QueryStringBehavior": "none"}
    assert key["HeadersConfig"] == {"HeaderBehavior": "none"}


@pytest.mark.skipif(not HAS_PROCESSOR, reason="the app registers no S3 handler yet (chalicelib/workers/photos.py)")
def test_a_photo_whose_event_lambda_gave_up_on_raises_an_alarm(resources: dict[str, Any]) -> None:
    alarm = resources["ProcessUploadDroppedAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Lambda", "AsyncEventsDropped")
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": PROCESSOR}}]
    assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["AlarmActions"] == [{"Ref": "OpsTopic"}]


def test_the_tables_stream_rewrites_the_public_copies_in_order_with_retries_and_posts_only(
    template: Template, resources: dict[str, Any]
) -> None:
    table = resources["Table"]["Properties"]
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    publisher = resources["PublishPosts"]["Properties"]
    (source,) = publisher["Events"].values()
    assert source["Type"] == "DynamoDB"
    properties = source["Properties"]
    assert properties["Stream"] == {"Fn::GetAtt": ["Table", "StreamArn"]}  # not the name the app registers
    assert properties["StartingPosition"] == "TRIM_HORIZON" and properties["ParallelizationFactor"] == 1
    assert properties["BisectBatchOnFunctionError"] is True and properties["MaximumRetryAttempts"] > 0
    (pattern,) = properties["FilterCriteria"]["Filters"]
    assert json.loads(pattern["Pattern"]) == {"dynamodb": {"Keys": {"PK": {"S": [{"prefix": "POST#"}]}}}}
    alarms = of_type(resources, "AWS::CloudWatch::Alarm")
    assert any(a["Properties"]["Dimensions"][0]["Value"] == {"Ref": "PublishPosts"} for a in alarms.values())
    assert "RefreshFeeds" in resources  # pins that run out change no item: a minute's schedule catches them


def test_the_public_copies_writers_touch_only_data_and_the_others_never_do(resources: dict[str, Any]) -> None:
    for role in ("PublishPostsRole", "RefreshFeedsRole"):
        grants = photo_grants(resources, role)
        assert grants == {"/data/*": {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, "": {"s3:ListBucket"}}
        dynamo = {a for s in statements(resources, role) for a in as_list(s["Action"]) if a.startswith("dynamodb:")}
        # Reads, and the one write a feed read makes: a pin that ran out put back in its place (its keys updated,
        # its copies in other boards deleted, adapters/dynamodb/feeds.py); never a new item.
        assert dynamo & {"dynamodb:PutItem", "dynamodb:BatchWriteItem"} == set()
        assert {"dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"} <= dynamo
        indexes = {
            resource["Fn::Sub"].rsplit("/", 1)[-1]
            for s in statements(resources, role)
            if s["Action"] == ["dynamodb:Query"]
            for resource in as_list(s["Resource"])
            if isinstance(resource, dict) and "/index/" in resource.get("Fn::Sub", "")
        }
        assert indexes == {"GSI8", "GSI10"}, indexes  # the feeds' indexes, pins included, and nothing else
    for role in ("ApiHandlerRole", "DispatchPostRole", "SweepRole", "ProcessUploadRole"):
        assert "/data/*" not in photo_grants(resources, role)


def test_cloudfront_serves_the_public_copies_briefly_without_cookies_or_query_strings(
    resources: dict[str, Any],
) -> None:
    config = distribution(resources)
    (data,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/data/*"]
    assert data["TargetOriginId"] == "media" and data["AllowedMethods"] == ["GET", "HEAD"]
    assert data["Compress"] is True and "OriginRequestPolicyId" not in data
    policy = resources[data["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
    assert policy["MinTTL"] == 0 and policy["DefaultTTL"] <= 30 and policy["MaxTTL"] <= 60
    key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["CookiesConfig"] == {"CookieBehavior": "none"}
    assert key["QueryStringsConfig"] == {"QueryStringBehavior": "none"}
    assert key["HeadersConfig"] == {"HeaderBehavior": "none"}
    reads = resources["PhotosBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]["Fn::If"][2]
    assert {"Fn::Sub": "${PhotosBucket.Arn}/data/*"} in reads["Resource"]  # through the distribution only
