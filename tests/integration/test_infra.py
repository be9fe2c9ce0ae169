"""The stateful template: it creates cleanly in moto's CloudFormation and passes cfn-lint."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from chalicelib.adapters.dynamodb.items import CARD_ATTRS
from chalicelib.adapters.dynamodb.work import PROJECTED
from local.provision import TEMPLATE_PATH, provision, template

OUTPUTS = {
    "TableName",
    "DispatchQueueUrl",
    "DispatchQueueArn",
    "DispatchDlqUrl",
    "OfficerTopicArn",
    "SiteBucketName",
    "CadQueueUrl",
    "CadQueueArn",
    "CadDlqUrl",
    "TableStreamArn",
    "PhotosBucketName",  # added by local/provision.py (infra/photos.json is not created on moto)
}


@pytest.fixture(scope="module")
def outputs() -> Iterator[dict[str, str]]:
    """Provision the template once into an in-process moto (the tests only read)."""
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        yield provision("p24-infra")


def test_stack_outputs_name_every_resource(outputs: dict[str, str]) -> None:
    assert set(outputs) == OUTPUTS
    assert outputs["TableName"] == "p24-infra"
    assert outputs["DispatchQueueUrl"].endswith("/p24-infra-dispatch")
    assert outputs["DispatchDlqUrl"].endswith("/p24-infra-dispatch-dlq")
    assert outputs["OfficerTopicArn"].endswith(":p24-infra-officers")


def test_table_has_the_keys_indexes_ttl_and_protection(outputs: dict[str, str]) -> None:
    dynamodb = boto3.client("dynamodb")
    table = dynamodb.describe_table(TableName=outputs["TableName"])["Table"]
    assert {(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]} == {("PK", "HASH"), ("SK", "RANGE")}
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["DeletionProtectionEnabled"] is True
    indexes = {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}
    assert sorted(indexes) == ["GSI1", "GSI10", "GSI2", "GSI3", "GSI5", "GSI6", "GSI7", "GSI8", "GSI9"]
    for name, index in indexes.items():
        keys = {(k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]}
        assert keys == {(f"{name}PK", "HASH"), (f"{name}SK", "RANGE")}
        if name in ("GSI6", "GSI7"):  # the workbench: keys and what its filters and board read
            projection = index["Projection"]
            assert projection["ProjectionType"] == "INCLUDE"
            assert sorted(projection["NonKeyAttributes"]) == sorted(PROJECTED)
        elif name in ("GSI8", "GSI10"):  # the feeds: the card, with the head of the body, never the whole body
            projection = index["Projection"]
            assert projection["ProjectionType"] == "INCLUDE"
            assert sorted(projection["NonKeyAttributes"]) == sorted(CARD_ATTRS)
            assert "body" not in projection["NonKeyAttributes"]
        else:
            assert index["Projection"]["ProjectionType"] == "ALL"
    assert all(a["AttributeType"] == "S" for a in table["AttributeDefinitions"])
    ttl = dynamodb.describe_time_to_live(TableName=outputs["TableName"])["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    backups = dynamodb.describe_continuous_backups(TableName=outputs["TableName"])["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_dispatch_queue_redrives_to_its_dlq_after_three_receives(outputs: dict[str, str]) -> None:
    sqs = boto3.client("sqs")
    queue = sqs.get_queue_attributes(QueueUrl=outputs["DispatchQueueUrl"], AttributeNames=["All"])["Attributes"]
    dlq = sqs.get_queue_attributes(QueueUrl=outputs["DispatchDlqUrl"], AttributeNames=["All"])["Attributes"]
    redrive = json.loads(queue["RedrivePolicy"])
    assert redrive == {"deadLetterTargetArn": dlq["QueueArn"], "maxReceiveCount": 3}
    assert queue["QueueArn"] == outputs["DispatchQueueArn"]
    assert queue["VisibilityTimeout"] == "180"
    assert dlq["MessageRetentionPeriod"] == str(14 * 24 * 3600)


def test_cad_outbox_queue_keeps_failed_hand_offs_in_its_dlq(outputs: dict[str, str]) -> None:
    sqs = boto3.client("sqs")
    queue = sqs.get_queue_attributes(QueueUrl=outputs["CadQueueUrl"], AttributeNames=["All"])["Attributes"]
    dlq = sqs.get_queue_attributes(QueueUrl=outputs["CadDlqUrl"], AttributeNames=["All"])["Attributes"]
    assert json.loads(queue["RedrivePolicy"])["deadLetterTargetArn"] == dlq["QueueArn"]
    assert queue["QueueArn"] == outputs["CadQueueArn"]
    assert outputs["CadQueueUrl"].endswith("/p24-infra-cad-outbox")


def test_topic_and_private_bucket_exist(outputs: dict[str, str]) -> None:
    attributes = boto3.client("sns").get_topic_attributes(TopicArn=outputs["OfficerTopicArn"])["Attributes"]
    assert attributes["TopicArn"] == outputs["OfficerTopicArn"]
    block = boto3.client("s3").get_public_access_block(Bucket=outputs["SiteBucketName"])
    assert all(block["PublicAccessBlockConfiguration"].values())


def test_provisioning_again_finds_the_same_stack(outputs: dict[str, str]) -> None:
    assert provision("p24-infra") == outputs


def test_template_asks_for_ttl_point_in_time_recovery_and_deletion_protection() -> None:
    table = template()["Resources"]["Table"]["Properties"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["DeletionProtectionEnabled"] is True


def test_template_passes_cfn_lint() -> None:
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run(
        [str(cfn_lint), str(TEMPLATE_PATH)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_queues_and_the_officer_topic_are_encrypted_at_rest(outputs: dict[str, str]) -> None:
    sqs = boto3.client("sqs")
    for name in ("DispatchQueueUrl", "DispatchDlqUrl", "CadQueueUrl", "CadDlqUrl"):
        attributes = sqs.get_queue_attributes(QueueUrl=outputs[name], AttributeNames=["All"])["Attributes"]
        assert attributes.get("SqsManagedSseEnabled") == "true", name
    topic = boto3.client("sns").get_topic_attributes(TopicArn=outputs["OfficerTopicArn"])["Attributes"]
    assert topic["KmsMasterKeyId"] == "alias/aws/sns"


def test_the_table_key_is_a_parameter_that_defaults_to_the_aws_owned_key() -> None:
    loaded = template()
    assert loaded["Parameters"]["TableKmsKeyArn"]["Default"] == ""
    when, customer, owned = loaded["Resources"]["Table"]["Properties"]["SSESpecification"]["Fn::If"]
    assert loaded["Conditions"][when] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "TableKmsKeyArn"}, ""]}]}
    assert customer == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": {"Ref": "TableKmsKeyArn"}}
    assert owned == {"SSEEnabled": False}
