"""A person's own channels: which of them, in which order, and leaving WeChat."""

from __future__ import annotations

from chalicelib.domain import access
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.messages import CHANNELS
from chalicelib.domain.people import Actor
from chalicelib.services.ports import Contact, ContactBook

CITIZEN_CHANNELS = ("wechat", "sms")  # residents give no e-mail address


class Contacts:
    """Reads and changes the caller's contact (its WeChat binding and its channels)."""

    def __init__(self, contacts: ContactBook) -> None:
        self.contacts = contacts

    def of(self, actor: Actor) -> Contact:
        """Return the caller's contact, with the channels it may use, in its order."""
        access.require_signed_in(actor)
        contact = self.contacts.contact(actor.user_id)
        allowed = CHANNELS if actor.officer_id else CITIZEN_CHANNELS
        notify = tuple(c for c in contact.notify if c in allowed) or allowed
        return Contact(contact.account_id, contact.openid, notify, contact.stamp)

    def check(self, actor: Actor, channels: object) -> tuple[str, ...]:
        """Return channels as given if the caller may choose them: at least one, each once, each its own."""
        access.require_signed_in(actor)
        access.require_link_for(actor, None)  # a notification link acts on its post, not on the account
        allowed = CHANNELS if actor.officer_id else CITIZEN_CHANNELS
        if not isinstance(channels, list | tuple) or not channels or len(set(channels)) != len(channels):
            raise ValidationFailed("请至少选择一种通知方式，且不要重复", {"notify": "one or more channels, each once"})
        unknown = [str(c) for c in channels if c not in allowed]
        if unknown:
            problem = {"notify": f"one of {', '.join(allowed)}"}
            raise ValidationFailed(f"不支持的通知方式：{'、'.join(unknown)}", problem)
        return tuple(str(c) for c in channels)

    def choose(self, actor: Actor, channels: tuple[str, ...]) -> None:
        """Store the caller's channels (checked by `check`), in order."""
        self.contacts.set_notify(actor.user_id, self.check(actor, channels))

    def leave_wechat(self, actor: Actor) -> None:
        """Unbind the caller's WeChat account (nothing if none is bound)."""
        access.require_signed_in(actor)
        access.require_link_for(actor, None)
        self.contacts.unbind(actor.user_id)
