"""tools/package.py wires the app's S3 handler to the stack's photos bucket (chalice refuses to)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tools.chalice_sam import S3_EVENTS, record_s3_subscription
from tools.package import PackageError, drop_missing_optional_functions, wire_s3_subscriptions

UPLOADS = {
    "Function": "ProcessUpload",
    "Bucket": "police24-photos",
    "Events": ["s3:ObjectCreated:*"],
    "Prefix": "uploads/",
    "Suffix": "",
}


def stack() -> dict[str, Any]:
    return {
        "PhotosBucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "ProcessUpload": {"Type": "AWS::Serverless::Function", "Properties": {}},
    }


def test_chalices_s3_subscription_is_recorded_under_the_cfn_name_of_its_function() -> None:
    template: dict[str, Any] = {"Resources": {}}
    resource = SimpleNamespace(
        lambda_function=SimpleNamespace(resource_name="process_upload"),
        bucket="police24-photos",
        events=["s3:ObjectCreated:*"],
        prefix="uploads/",
        suffix=None,
    )
    record_s3_subscription(None, resource, template)
    assert template[S3_EVENTS] == [UPLOADS]


def test_a_subscription_becomes_the_buckets_notification_and_a_permission_the_bucket_waits_for() -> None:
    resources = stack()
    wire_s3_subscriptions(resources, [UPLOADS])
    bucket = resources["PhotosBucket"]
    (configuration,) = bucket["Properties"]["NotificationConfiguration"]["LambdaConfigurations"]
    assert configuration == {
        "Event": "s3:ObjectCreated:*",
        "Function": {"Fn::GetAtt": ["ProcessUpload", "Arn"]},
        "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "uploads/"}]}},
    }
    assert bucket["DependsOn"] == ["ProcessUploadInvokedByPhotosBucket"]
    permission = resources["ProcessUploadInvokedByPhotosBucket"]["Properties"]
    assert permission["Principal"] == "s3.amazonaws.com" and permission["FunctionName"] == {"Ref": "ProcessUpload"}


def test_no_subscription_leaves_the_bucket_without_a_notification() -> None:
    resources = stack()
    wire_s3_subscriptions(resources, [])
    assert "NotificationConfiguration" not in resources["PhotosBucket"]["Properties"]


@pytest.mark.parametrize(
    "subscriptions",
    [
        [UPLOADS, {**UPLOADS, "Bucket": "another"}],  # the stack has one photos bucket
        [{**UPLOADS, "Function": "Nowhere"}],
    ],
)
def test_what_the_stack_cannot_wire_stops_the_package(subscriptions: list[dict[str, Any]]) -> None:
    with pytest.raises(PackageError):
        wire_s3_subscriptions(stack(), subscriptions)


def test_an_app_without_the_processor_loses_only_its_partial_resources() -> None:
    resources = {
        "ProcessUpload": {"Properties": {"Role": "x"}},
        "ProcessUploadLogGroup": {"Properties": {"RetentionInDays": 180}},
        "ProcessUploadRole": {"Type": "AWS::IAM::Role", "Properties": {}},
    }
    drop_missing_optional_functions(resources)
    assert list(resources) == ["ProcessUploadRole"]
    whole = stack()
    drop_missing_optional_functions(whole)
    assert whole == stack()


def test_what_refers_to_a_missing_processor_goes_with_it() -> None:
    alarm = {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Dimensions": [{"Value": {"Ref": "ProcessUpload"}}]}}
    resources = {"ProcessUpload": {"Properties": {}}, "ProcessUploadDroppedAlarm": alarm, "Other": {"Type": "X"}}
    drop_missing_optional_functions(resources)
    assert list(resources) == ["Other"]
