"""Text messages and officer notifications through SNS."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.adapters.aws import client
from chalicelib.domain.errors import Unavailable, Undeliverable
from chalicelib.domain.messages import SMS_TEMPLATES
from chalicelib.domain.people import Officer

_THROTTLED = {"Throttling", "ThrottlingException", "Throttled", "ThrottledException", "KMSThrottling"}
_REFUSED_NUMBER = {"InvalidParameter", "InvalidParameterValue"}  # e.g. a phone number SNS cannot text


def publish(region: str, **message: Any) -> None:
    """Publish; throttling and server faults that outlast botocore's retries become Unavailable (a 503)."""
    try:
        client("sns", region).publish(**message)
    except ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        if error.response.get("Error", {}).get("Code") in _THROTTLED or status >= 500:
            raise Unavailable("消息服务繁忙，请稍后重试", retry_after=1) from error
        raise
    except BotoCoreError as error:
        raise Unavailable("消息服务暂时不可用，请稍后重试", retry_after=1) from error


class SnsSmsSender:
    """Send an SMS straight to a phone: SNS takes free text, so the template is rendered here, word for word."""

    def __init__(self, region: str, site_url: str) -> None:
        self.region, self.site_url = region, site_url

    def send(self, phone: str, template: str, params: dict[str, str]) -> None:
        text = SMS_TEMPLATES[template].render(params, self.site_url)
        number = phone if phone.startswith("+") else "+86" + phone
        try:
            publish(
                self.region,
                PhoneNumber=number,
                Message=text,
                MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
            )
        except ClientError as error:  # a refused number: the notice goes to the person's next channel
            if error.response.get("Error", {}).get("Code") in _REFUSED_NUMBER:
                raise Undeliverable(f"SNS refused the number: {error.response['Error']['Code']}") from None
            raise


class SnsOfficerChannel:
    """Officers' e-mail: one SNS topic for every officer; each officer's subscription filters on `officer_id`."""

    def __init__(self, topic_arn: str, region: str) -> None:
        self.topic_arn, self.region = topic_arn, region

    def notify(self, officer_id: str, subject: str, text: str) -> None:
        publish(
            self.region,
            TopicArn=self.topic_arn,
            Subject=subject[:100],
            Message=text,
            MessageAttributes={"officer_id": {"DataType": "String", "StringValue": officer_id}},
        )

    def drop(self, current: list[str]) -> None:
        sns = client("sns", self.region)
        for arn in current:
            try:
                sns.unsubscribe(SubscriptionArn=arn)
            except ClientError:
                pass  # already gone

    def sync(self, officer: Officer, current: list[str]) -> list[str]:
        self.drop(current)
        sns = client("sns", self.region)
        policy = json.dumps({"officer_id": [officer.id]})
        # E-mail only: an officer's SMS goes through the SMS port (an approved template, never a per-post link).
        wanted = [("email", officer.email)] if officer.email else []
        arns = []
        for protocol, endpoint in wanted:
            response = sns.subscribe(
                TopicArn=self.topic_arn,
                Protocol=protocol,
                Endpoint=endpoint,
                Attributes={"FilterPolicy": policy},
                ReturnSubscriptionArn=True,
            )
            arns.append(response["SubscriptionArn"])
        return arns
