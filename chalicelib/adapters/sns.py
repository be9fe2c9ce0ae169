"""Text messages and officer notifications through SNS."""

from __future__ import annotations

from chalicelib.adapters.aws import client


class SnsSmsSender:
    """Send an SMS straight to a phone (how SNS sends one-time codes)."""

    def __init__(self, region: str) -> None:
        self.region = region

    def send(self, phone: str, text: str) -> None:
        number = phone if phone.startswith("+") else "+86" + phone
        client("sns", self.region).publish(
            PhoneNumber=number,
            Message=text,
            MessageAttributes={
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
            },
        )
