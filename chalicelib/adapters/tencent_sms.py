"""Tencent Cloud SMS (腾讯云短信, SendSms 2021-01-11): the domestic provider for the China regions.

Tencent sends only templates it approved beforehand (docs/DEPLOY.md, "SMS templates"): our template key
(domain/messages.SMS_TEMPLATES) maps to Tencent's template id through SMS_TEMPLATES=otp=123456,...; the parameters
go in the order the template declares them; the approved signature (签名) and the SmsSdkAppId come from the settings.

The SDK (tencentcloud-sdk-python-sms and -common, pinned in requirements.txt with `requests`, which it needs, and
requests' own dependencies) is imported on the first send, never at module import: the API's cold start does not
pay for it unless a text goes out. Measured (2026-12-03): `make package` puts 0.73 MB more into deployment.zip
(4.1 -> 4.8 MB; 2.7 MB unpacked): charset-normalizer's arm64 extensions 0.24 MB, certifi 0.13, urllib3 0.13,
tencentcloud 0.09, requests 0.07, idna 0.07. Importing the SDK takes 40-85 ms once botocore is loaded, 125-155 ms
alone (Python 3.11 on the dev machine: x86_64, two shared cores; Lambda's arm64 will differ).

Errors: throttling, Tencent's internal errors and the network are passing (Unavailable: retried later); a refused
number, template or signature is permanent (Undeliverable: the notice falls back to the person's next channel).
Neither the code in the parameters nor the API secret is ever logged.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from chalicelib.domain.errors import TooManyRequests, Unavailable, Undeliverable
from chalicelib.domain.messages import SMS_TEMPLATES

if TYPE_CHECKING:
    from chalicelib.config import Settings

log = logging.getLogger(__name__)
DEFAULT_ENDPOINT = "sms.tencentcloudapi.com"
SDK_LOGGER = "tencentcloud_sdk_common"  # logs whole requests (the code among them) at DEBUG
REGION = "ap-guangzhou"  # SendSms answers in ap-guangzhou, ap-beijing and ap-nanjing alike
TIMEOUT_SECONDS = 5  # the SDK waits 60 s by default: longer than the API function lives
# Error codes (prefixes) that pass: Tencent's own faults and its rate limits on our account.
PASSING = (
    "InternalError",
    "RequestLimitExceeded",
    "LimitExceeded.GlobalSmsSendingRateLimit",
    "ClientNetworkError",
    "ServerNetworkError",
    "ServiceUnavailable",
)
# Error codes (prefixes) that refuse this message for good: the number, the template, the signature, its parameters
# (SendSms 2021-01-11's codes). Anything else (AuthFailure, an unpaid account ...) is our configuration: Unavailable,
# so that it is retried and alarmed rather than silently skipped.
REFUSED = (
    "InvalidParameter",  # and InvalidParameterValue.*: IncorrectPhoneNumber, TemplateParameterLengthLimit ...
    "MissingParameter",
    "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.PhoneNumberParseFail",
    "FailedOperation.Template",  # TemplateIncorrectOrUnapproved, TemplateParamSetNotMatchApprovedTemplate ...
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "FailedOperation.MissingSignature",
    "FailedOperation.ContainSensitiveWord",
    "LimitExceeded.AppCountryOrRegionInBlacklist",
    "UnsupportedOperation",
)


# This number's own daily, hourly and 30-second limits: too frequent for now (429 to a code's requester), not a
# bad number.
TOO_FREQUENT = ("LimitExceeded.PhoneNumber", "LimitExceeded.DeliveryFrequencyLimit")


def passing(code: str) -> bool:
    """Tell whether an error code is a passing fault (retry later) rather than a refusal."""
    return code.startswith(PASSING)


def refused(code: str) -> bool:
    """Tell whether an error code refuses this message for good."""
    return code.startswith(REFUSED)


def endpoint_of(value: str) -> tuple[str, str]:
    """Return (scheme, host[:port]) of SMS_ENDPOINT: a bare host is https; `http://127.0.0.1:port` is a fake."""
    value = value.strip().rstrip("/") or DEFAULT_ENDPOINT
    scheme, found, host = value.partition("://")
    return (scheme, host) if found else ("https", value)


class TencentSmsSender:
    """Send SMS_TEMPLATES through Tencent Cloud SMS (SendSms), one phone a call."""

    def __init__(self, settings: Settings) -> None:
        ids = dict(settings.sms_templates)
        missing = [key for key in SMS_TEMPLATES if not ids.get(key)]
        if missing:
            raise ValueError(
                "SMS_PROVIDER=tencent needs a Tencent template id for every SMS template; missing: "
                + ", ".join(missing)
                + " (SMS_TEMPLATES=otp=123456,reply=...; see docs/DEPLOY.md)"
            )
        secret_id, _, secret_key = settings.sms_credentials.partition(":")
        unset = [
            name
            for name, value in (
                ("SMS_APP_ID", settings.sms_app_id),
                ("SMS_SIGN_NAME", settings.sms_sign_name),
                ("SMS_CREDENTIALS (id:secret)", secret_id and secret_key),
            )
            if not value
        ]
        if unset:
            raise ValueError("SMS_PROVIDER=tencent needs " + ", ".join(unset))
        self.template_ids = ids
        self.app_id, self.sign_name = settings.sms_app_id, settings.sms_sign_name
        self.scheme, self.host = endpoint_of(settings.sms_endpoint)
        self._credentials = (secret_id, secret_key)
        self._client: Any = None

    def __repr__(self) -> str:
        return f"TencentSmsSender(app_id={self.app_id!r}, endpoint={self.scheme}://{self.host})"  # no secret

    def client(self) -> Any:
        """Return the SDK client, made (and the SDK imported) on the first send."""
        if self._client is None:
            from tencentcloud.common import credential
            from tencentcloud.common.profile.client_profile import ClientProfile
            from tencentcloud.common.profile.http_profile import HttpProfile
            from tencentcloud.sms.v20210111 import sms_client

            logging.getLogger(SDK_LOGGER).setLevel(logging.WARNING)  # never the request, whatever the app's level
            http = HttpProfile(protocol=self.scheme, endpoint=self.host, reqTimeout=TIMEOUT_SECONDS)
            self._client = sms_client.SmsClient(
                credential.Credential(*self._credentials), REGION, ClientProfile(httpProfile=http)
            )
        return self._client

    def send(self, phone: str, template: str, params: dict[str, str]) -> None:
        """Send one template to one phone; Unavailable on a passing fault, Undeliverable on a refusal."""
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111 import models

        spec = SMS_TEMPLATES[template]
        spec.render(params, "")  # a missing parameter is our bug: ValueError here, not a refused text there
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [phone if phone.startswith("+") else "+86" + phone]
        request.SmsSdkAppId = self.app_id
        request.SignName = self.sign_name
        request.TemplateId = self.template_ids[template]
        request.TemplateParamSet = [str(params[name]) for name in spec.params]
        try:
            response = self.client().SendSms(request)
        except TencentCloudSDKException as error:
            raise self._failure(str(error.code or ""), template) from None  # the SDK's text may echo the request
        for status in response.SendStatusSet or []:
            code = str(status.Code or "")
            if code != "Ok":
                raise self._failure(code, template, refusal=not passing(code))

    @staticmethod
    def _failure(code: str, template: str, refusal: bool | None = None) -> Exception:
        """Log the provider's code (never the parameters) and return the error to raise."""
        if code.startswith(TOO_FREQUENT):
            log.warning("tencent sms: too frequent for this number", extra={"code": code, "template": template})
            return TooManyRequests("该号码短信发送过于频繁，请稍后再试", retry_after=60)
        permanent = refused(code) if refusal is None else refusal
        log.warning(
            "tencent sms refused" if permanent else "tencent sms failed", extra={"code": code, "template": template}
        )
        if permanent:
            return Undeliverable(f"Tencent SMS refused the text: {code}")
        return Unavailable("短信服务繁忙，请稍后重试", retry_after=1)
