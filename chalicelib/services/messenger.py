"""The one way a notice reaches a person: their channels in their order, cheapest first, and the next channel
when one fails or does not apply.

WeChat (free for 政务民生 accounts) needs a bound openid and a template for the kind of notice; e-mail needs an
address (officers); SMS needs a phone and an SMS template for the kind (a status change has none: it is never
worth an SMS). An officer is always reachable by SMS last, whatever the officer chose: a dispatch must arrive.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from chalicelib.domain.errors import Unavailable, Undeliverable
from chalicelib.domain.messages import Notice
from chalicelib.services.ports import Contact, ContactBook, OfficerChannel, SmsSender, Wechat

log = logging.getLogger(__name__)
Gate = Callable[[Callable[[], None]], bool]  # runs an effect unless its key was used; True if it ran


@dataclass(frozen=True)
class Person:
    """Whom a notice is for: an account, its phone, an officer's e-mail and session stamp."""

    account_id: str
    phone: str
    email: str | None = None
    officer: bool = False
    stamp: str = ""


class Messenger:
    """Delivers one notice to one person (the caller makes it happen once, through `once`)."""

    def __init__(
        self,
        contacts: ContactBook,
        sms: SmsSender,
        email: OfficerChannel,
        wechat: Wechat | None,
        wechat_template: Callable[[str], str],
    ) -> None:
        self.contacts, self.sms, self.email, self.wechat = contacts, sms, email, wechat
        self.wechat_template = wechat_template

    def channels(self, person: Person, contact: Contact) -> list[str]:
        """Return the channels to try for a person, in order."""
        order = list(contact.notify)
        if person.officer and "sms" not in order:
            order.append("sms")
        return order

    def contact_of(self, account_id: str) -> Contact:
        """Return one person's contact (their channels), for several notices or a check before reading more."""
        return self.contacts.contact(account_id)

    def contacts_of(self, account_ids: Sequence[str]) -> dict[str, Contact]:
        """Return several people's contacts, read at once (a unit's officers)."""
        return self.contacts.contacts(account_ids)

    def reachable(self, person: Person, notice: Notice, contact: Contact | None = None) -> bool:
        """Tell whether any of the person's channels can carry this notice (`contact`: as read already)."""
        contact = contact or self.contacts.contact(person.account_id)
        return any(self._sender(c, person, contact, notice) for c in self.channels(person, contact))

    def deliver(
        self, person: Person, notice: Notice, sms_gate: Gate | None = None, contact: Contact | None = None
    ) -> str | None:
        """Send through the first channel that takes it; return its name, or None when no channel applies.

        A passing fault on every channel tried raises it (the message is retried later); permanent refusals
        everywhere end quietly, logged. `sms_gate` runs the SMS, if that is the channel, at most once per whatever
        it keys (an author gets one SMS per post and dispatch round: the first says where to look). `contact`: the
        person's contact as read already (else it is read here).
        """
        contact = contact or self.contacts.contact(person.account_id)
        fault: Exception | None = None
        for channel in self.channels(person, contact):
            send = self._sender(channel, person, contact, notice)
            if send is None:
                continue
            try:
                if channel == "sms" and sms_gate is not None:
                    if not sms_gate(send):  # the round's SMS went out already: the next channel may carry it
                        log.info("an SMS for this post went out already this round: none again")
                        continue
                else:
                    send()
            except Undeliverable as refusal:
                log.info(
                    "channel refused a notice", extra={"channel": channel, "kind": notice.kind, "why": str(refusal)}
                )
                continue
            except Exception as error:  # a passing fault: try the next channel, retry later if none takes it
                log.warning("channel failed", extra={"channel": channel, "kind": notice.kind}, exc_info=True)
                fault = error
                continue
            log.info("notice sent", extra={"channel": channel, "kind": notice.kind})
            return channel
        if fault is not None:
            raise fault if isinstance(fault, Unavailable) else Unavailable("通知暂时发不出去") from fault
        log.info("no channel for a notice", extra={"kind": notice.kind})
        return None

    def _sender(self, channel: str, person: Person, contact: Contact, notice: Notice) -> Callable[[], None] | None:
        if channel == "wechat":
            template = self.wechat_template(notice.kind)
            valid = contact.openid and (not person.officer or contact.stamp == person.stamp)
            if self.wechat is None or not template or not valid or not notice.url:
                return None
            wechat, openid = self.wechat, str(contact.openid)
            return lambda: wechat.send(openid, template, notice.wechat_fields(), notice.url)
        if channel == "email":
            if not (person.officer and person.email and notice.email_text):
                return None
            return lambda: self.email.notify(person.account_id, notice.email_subject, notice.email_text)
        if channel == "sms":
            if not person.phone or notice.sms is None:
                return None
            template, params = notice.sms, notice.sms_params
            return lambda: self.sms.send(person.phone, template, params)
        return None
