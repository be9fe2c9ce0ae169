"""Choose who sends citizens' SMS (SMS_PROVIDER): Amazon SNS, or nobody (log only).

SNS cannot send SMS from the China regions (cn-north-1, cn-northwest-1): a bureau there plugs a
domestic provider in by writing a class with `send(phone, text)` (services.ports.SmsSender) and
naming it here.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.services.ports import SmsSender

log = logging.getLogger(__name__)
PROVIDERS = ("sns", "log")


class LogSmsSender:
    """Send nothing; log that a text would have gone out (phone masked, text never logged: it may hold a code)."""

    def send(self, phone: str, text: str) -> None:
        masked = phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"
        log.info("sms not sent (SMS_PROVIDER=log)", extra={"to": masked, "chars": len(text)})


def sms_sender(provider: str, region: str) -> SmsSender:
    """Return the sender a provider name stands for."""
    if provider == "sns":
        from chalicelib.adapters.sns import SnsSmsSender

        return SnsSmsSender(region)
    if provider == "log":
        return LogSmsSender()
    raise ValueError(f"unknown SMS_PROVIDER {provider!r}: expected one of {', '.join(PROVIDERS)}")
