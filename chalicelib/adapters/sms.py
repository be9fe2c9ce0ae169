"""Choose who sends SMS (SMS_PROVIDER): Amazon SNS, Tencent Cloud SMS, or nobody (log only).

SNS cannot send SMS from the China regions (cn-north-1, cn-northwest-1): there a domestic provider (tencent)
sends the pre-approved templates of domain/messages.SMS_TEMPLATES (registered as docs/DEPLOY.md says).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.config import Settings
    from chalicelib.services.ports import SmsSender

log = logging.getLogger(__name__)
PROVIDERS = ("sns", "tencent", "log")


class LogSmsSender:
    """Send nothing; log that a template would have gone out (phone masked, parameters never logged: a code)."""

    def send(self, phone: str, template: str, params: dict[str, str]) -> None:
        masked = phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"
        log.info("sms not sent (SMS_PROVIDER=log)", extra={"to": masked, "template": template})


def sms_sender(settings: Settings) -> SmsSender:
    """Return the sender the settings' SMS_PROVIDER names."""
    provider = settings.sms_provider
    if provider == "sns":
        from chalicelib.adapters.sns import SnsSmsSender

        return SnsSmsSender(settings.region, settings.site_url)
    if provider == "tencent":
        from chalicelib.adapters.tencent_sms import TencentSmsSender

        return TencentSmsSender(settings)
    if provider == "log":
        return LogSmsSender()
    raise ValueError(f"unknown SMS_PROVIDER {provider!r}: expected one of {', '.join(PROVIDERS)}")
