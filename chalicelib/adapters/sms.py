"""Choose who sends SMS (SMS_PROVIDER): Amazon SNS, or nobody (log only).

SNS cannot send SMS from the China regions (cn-north-1, cn-northwest-1): there a domestic provider sends the
pre-approved templates of domain/messages.SMS_TEMPLATES.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.config import Settings
    from chalicelib.services.ports import SmsSender

log = logging.getLogger(__name__)
PROVIDERS = ("sns", "log")


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
    if provider == "log":
        return LogSmsSender()
    raise ValueError(f"unknown SMS_PROVIDER {provider!r}: expected one of {', '.join(PROVIDERS)}")
