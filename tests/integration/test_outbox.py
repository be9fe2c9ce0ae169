"""The local outbox: every SMS and email moto's SNS delivered shows up once in the table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.outbox import OutboxCollector
from local.provision import provision

NOW = 1_773_389_100.0  # 2026-03-13T16:05:00+08:00


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The provisioned stack in an in-process moto."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield provision("p24-outbox")


def _outbox(table: str) -> list[dict[str, Any]]:
    answer = boto3.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": "OUTBOX"}},
        ScanIndexForward=False,
    )
    return [{k: next(iter(v.values())) for k, v in item.items()} for item in answer["Items"]]


def _subscribe(topic: str, protocol: str, endpoint: str, officer: str) -> None:
    boto3.client("sns").subscribe(
        TopicArn=topic,
        Protocol=protocol,
        Endpoint=endpoint,
        Attributes={"FilterPolicy": json.dumps({"officer": [officer]})},
    )


def _notify(topic: str, officer: str, subject: str, message: str) -> None:
    """Publish a notice on the officers' topic for one officer, as the app does."""
    boto3.client("sns").publish(
        TopicArn=topic,
        Subject=subject,
        Message=message,
        MessageAttributes={"officer": {"DataType": "String", "StringValue": officer}},
    )


def test_sms_and_filtered_topic_deliveries_are_collected_once(stack: dict[str, str]) -> None:
    sns = boto3.client("sns")
    topic, table = stack["OfficerTopicArn"], stack["TableName"]
    _subscribe(topic, "sms", "+8613900000012", "li-xiaodong")
    _subscribe(topic, "email", "zhang.lei@police24.example", "zhang-lei")
    sns.publish(PhoneNumber="+8613800001111", Message="【24小时警局】您的验证码是123456,5分钟内有效。")
    _notify(topic, "li-xiaodong", "新警情:捡到求救纸条", "请处置:http://127.0.0.1:8000/reply.html#t=abc")
    collector = OutboxCollector(boto3.client("dynamodb"), table, clock=lambda: NOW)

    assert collector.collect() == 2
    assert collector.collect() == 0

    otp, notice = sorted(_outbox(table), key=lambda m: m["to"])
    assert [(m["channel"], m["to"]) for m in (otp, notice)] == [("sms", "+8613800001111"), ("sms", "+8613900000012")]
    assert otp["body"] == "【24小时警局】您的验证码是123456,5分钟内有效。"
    assert notice["body"] == "请处置:http://127.0.0.1:8000/reply.html#t=abc"
    assert "subject" not in notice
    assert otp["at"] == "2026-03-13T16:05:00+08:00"
    assert otp["expires_at"] == str(int(NOW) + 7 * 24 * 3600)
    assert otp["SK"].startswith(f"{int(NOW * 1000):013d}#")


def test_email_deliveries_keep_their_subject(stack: dict[str, str]) -> None:
    topic, table = stack["OfficerTopicArn"], stack["TableName"]
    _subscribe(topic, "email", "zhang.lei@police24.example", "zhang-lei")
    _subscribe(topic, "sms", "+8613900000012", "li-xiaodong")
    _notify(topic, "zhang-lei", "新警情", "请处置")
    collector = OutboxCollector(boto3.client("dynamodb"), table, clock=lambda: NOW)

    assert collector.collect() == 1
    assert collector.collect() == 0
    [message] = _outbox(table)
    assert (message["channel"], message["to"], message["subject"], message["body"]) == (
        "email",
        "zhang.lei@police24.example",
        "新警情",
        "请处置",
    )


def test_later_messages_are_collected_after_earlier_ones(stack: dict[str, str]) -> None:
    sns = boto3.client("sns")
    table = stack["TableName"]
    times = iter([NOW, NOW + 1])
    collector = OutboxCollector(boto3.client("dynamodb"), table, clock=lambda: next(times))
    sns.publish(PhoneNumber="+8613800001111", Message="第一条")
    collector.collect()
    sns.publish(PhoneNumber="+8613800001111", Message="第二条")
    collector.collect()
    assert [m["body"] for m in _outbox(table)] == ["第二条", "第一条"]


def test_hand_offs_to_110_are_consumed_and_shown_once(stack: dict[str, str]) -> None:
    sqs = boto3.client("sqs")
    record = json.dumps({"incident_id": "i1", "post_id": "p1", "title": "捡到求救纸条"}, ensure_ascii=False)
    sqs.send_message(QueueUrl=stack["CadQueueUrl"], MessageBody=record)
    collector = OutboxCollector(
        boto3.client("dynamodb"), stack["TableName"], clock=lambda: NOW, sqs=sqs, cad_queue_url=stack["CadQueueUrl"]
    )

    assert collector.collect() == 1
    assert collector.collect() == 0

    [message] = _outbox(stack["TableName"])
    assert (message["channel"], message["to"], message["body"]) == ("cad", "110", record)
    waiting = sqs.get_queue_attributes(QueueUrl=stack["CadQueueUrl"], AttributeNames=["ApproximateNumberOfMessages"])
    assert waiting["Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_wechat_notices_show_as_their_reader_sees_them_with_their_link(stack: dict[str, str]) -> None:
    from chalicelib.adapters.dynamodb.table import Table
    from chalicelib.adapters.wechat import WechatClient
    from chalicelib.config import Settings
    from chalicelib.domain.messages import Notice
    from local.wechat_simulator import WechatSimulator

    notice = Notice(
        kind="reply",
        subject="咨询求助·昆都仑区",
        number="A7K2Q9",
        state="已回复",
        at="2026-03-13 16:05",
        url="http://127.0.0.1:8000/#/posts/p-1",
    )
    simulator = WechatSimulator().start()
    try:
        env = simulator.env()
        settings = Settings(
            wechat_app_id=env["WECHAT_APP_ID"],
            wechat_secret=env["WECHAT_SECRET"],
            wechat_api_base=env["WECHAT_API_BASE"],
        )
        template = env["WECHAT_TEMPLATES"].removeprefix("*=")
        WechatClient(settings, Table(stack["TableName"], "us-east-1")).send(
            "o-wx-zhang", template, notice.wechat_fields(), notice.url
        )
        collector = OutboxCollector(
            boto3.client("dynamodb"), stack["TableName"], clock=lambda: NOW, wechat=simulator.messages
        )

        assert collector.collect() == 1
        assert collector.collect() == 0
    finally:
        simulator.stop()
    [message] = _outbox(stack["TableName"])
    assert (message["channel"], message["to"], message["url"]) == ("wechat", "o-wx-zhang", notice.url)
    assert message["body"] == notice.wechat_text()
    assert message["body"].startswith("事项：咨询求助·昆都仑区\n编号：A7K2Q9\n")
