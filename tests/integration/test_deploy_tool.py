"""`make deploy` pieces that need no real AWS: secrets, the site upload, the code location (on moto)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tools import build_web
from tools.deploy import (
    ASSET_CACHE,
    HTML_CACHE,
    Deployer,
    ensure_secrets,
    needs_web_acl_stack,
    origin_secret,
    parse_params,
    publish_site,
    site_files,
    stack_name,
    with_code_location,
)


@pytest.fixture
def moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


@pytest.fixture
def web(tmp_path: Path) -> Path:
    """A built page (web/dist) as tools/build_web.py writes it."""
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>24小时警局</title>", encoding="utf-8")
    (root / "outbox.html").write_text("local only", encoding="utf-8")
    (root / "assets" / "app.AAAA1111.js").write_text("export {};", encoding="utf-8")
    (root / "assets" / "outbox.BBBB2222.js").write_text("export {};", encoding="utf-8")
    (root / "assets" / "site.CCCC3333.css").write_text("body{}", encoding="utf-8")
    (root / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    pages = {
        "index.html": ["assets/app.AAAA1111.js", "assets/site.CCCC3333.css"],
        "outbox.html": ["assets/outbox.BBBB2222.js", "assets/site.CCCC3333.css"],
    }
    (root / "manifest.json").write_text(json.dumps({"digest": "x", "pages": pages}), encoding="utf-8")
    return root


def test_the_site_is_published_with_content_types_and_cache_headers(moto: None, web: Path) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="site")
    s3.put_object(Bucket="site", Key="old.js", Body=b"stale")
    uploaded, deleted = publish_site(s3, "site", web)
    assert (uploaded, deleted) == (4, 1)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="site")["Contents"]}
    # Never the local outbox (nor its script), nor the build's manifest.
    assert keys == {"index.html", "assets/app.AAAA1111.js", "assets/site.CCCC3333.css", "favicon.svg"}
    expected = {
        "index.html": ("text/html; charset=utf-8", "no-cache"),
        "assets/app.AAAA1111.js": ("text/javascript; charset=utf-8", "public, max-age=31536000, immutable"),
        "assets/site.CCCC3333.css": ("text/css; charset=utf-8", "public, max-age=31536000, immutable"),
        "favicon.svg": ("image/svg+xml", "no-cache"),
    }
    for key, (content_type, cache) in expected.items():
        head = s3.head_object(Bucket="site", Key=key)
        assert (head["ContentType"], head["CacheControl"]) == (content_type, cache), key
    assert (HTML_CACHE, ASSET_CACHE) == ("no-cache", "public, max-age=31536000, immutable")
    assert [f.key for f in site_files(web)][-1] == "index.html"  # pages go up after the assets they name


def test_the_real_build_publishes_its_pages_but_not_the_outbox() -> None:
    build_web.ensure()
    keys = {f.key for f in site_files()}
    assert {"index.html", "reply.html"} <= keys
    assert "outbox.html" not in keys and not any(k.startswith("assets/outbox.") for k in keys)
    assert any(k.startswith("assets/app.") for k in keys) and not any(k.startswith("js/") for k in keys)


def test_secrets_are_created_once_and_never_overwritten(moto: None) -> None:
    ssm = boto3.client("ssm")
    assert ensure_secrets(ssm, "p24") == ["/p24/token-keys", "/p24/cad-secret", "/p24/origin-secret"]
    keys = ssm.get_parameter(Name="/p24/token-keys", WithDecryption=True)["Parameter"]
    assert keys["Type"] == "SecureString"
    kid, _, secret = keys["Value"].partition(":")
    assert kid.startswith("k") and len(secret) >= 32
    assert ensure_secrets(ssm, "p24") == []
    again = ssm.get_parameter(Name="/p24/token-keys", WithDecryption=True)["Parameter"]["Value"]
    assert again == keys["Value"]


def test_every_function_points_at_the_uploaded_code_and_nothing_else_changes() -> None:
    template: dict[str, Any] = {
        "Resources": {
            "APIHandler": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "./deployment.zip"}},
            "Sweep": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "./deployment.zip"}},
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "x"}},
        }
    }
    out = with_code_location(template, "artifacts", "p24/code-abc.zip")
    assert out["Resources"]["APIHandler"]["Properties"]["CodeUri"] == {"Bucket": "artifacts", "Key": "p24/code-abc.zip"}
    assert out["Resources"]["Sweep"]["Properties"]["CodeUri"]["Key"] == "p24/code-abc.zip"
    assert out["Resources"]["Table"] == template["Resources"]["Table"]
    assert json.dumps(template).count("./deployment.zip") == 2  # the packaged template is left as it was


def test_parameters_are_given_as_key_value_pairs() -> None:
    assert parse_params(["AlarmEmail=ops@example.org", "SmsProvider=log"]) == {
        "AlarmEmail": "ops@example.org",
        "SmsProvider": "log",
    }
    with pytest.raises(SystemExit):
        parse_params(["AlarmEmail"])


def test_the_deployed_stack_never_collides_with_the_local_one() -> None:
    from local.provision import stack_name as local_stack

    assert stack_name("police24") != local_stack("police24")


def test_cloudfront_gets_the_first_origin_secret_and_the_api_accepts_both_while_rotating(moto: None) -> None:
    ssm = boto3.client("ssm")
    ensure_secrets(ssm, "p24")
    first = origin_secret(ssm, "p24")
    assert len(first) >= 32 and "," not in first
    ssm.put_parameter(Name="/p24/origin-secret", Value=f"new-{first},{first}", Type="SecureString", Overwrite=True)
    assert origin_secret(ssm, "p24") == f"new-{first}"


def stack_template(allowed: tuple[int, ...], *, extra: bool = False) -> str:
    parameters: dict[str, Any] = {
        "Prefix": {"Type": "String"},
        "LogRetentionDays": {"Type": "Number", "Default": allowed[-1], "AllowedValues": list(allowed)},
    }
    if extra:
        parameters["WebAclArn"] = {"Type": "String", "Default": ""}
    topic = {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Sub": "${Prefix}-${LogRetentionDays}"}}}
    return json.dumps({"Parameters": parameters, "Resources": {"Topic": topic}})


def test_an_update_keeps_earlier_choices_but_not_values_the_template_no_longer_allows(moto: None) -> None:
    deployer = Deployer(boto3.session.Session(region_name="us-east-1"), "p24")
    deployer.deploy("", {"Prefix": "p24", "LogRetentionDays": "30"}, template_body=stack_template((30, 180)))
    # The new template adds a parameter and makes six months the least retention.
    deployer.deploy("", {}, template_body=stack_template((180, 365), extra=True))
    stack = deployer.cloudformation.describe_stacks(StackName="p24-app")["Stacks"][0]
    values = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert values == {"Prefix": "p24", "LogRetentionDays": "365", "WebAclArn": ""}


def test_the_web_acl_gets_its_own_us_east_1_stack_only_where_the_app_stack_cannot_make_it() -> None:
    assert not needs_web_acl_stack("us-east-1", {})  # the app stack makes it
    assert needs_web_acl_stack("ap-northeast-1", {})
    assert not needs_web_acl_stack("ap-northeast-1", {"WebAclArn": "arn:aws:wafv2:us-east-1:1:global/webacl/x/y"})
    assert not needs_web_acl_stack("cn-north-1", {})  # no CLOUDFRONT-scope web ACL in the China partition
