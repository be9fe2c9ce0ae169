"""What the directory says about the police who act: their unit, their name on the timeline, their contacts."""

from __future__ import annotations

from chalicelib.domain import access
from chalicelib.domain.access import UnitOf
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.masking import numbers_in
from chalicelib.domain.people import Actor, Officer, Unit
from chalicelib.domain.posts import UnitRef
from chalicelib.services.ports import DirectoryRepository


class Staff:
    """Looks up the acting officer for the access policy (domain.access) and for what the timeline says."""

    def __init__(self, directory: DirectoryRepository) -> None:
        self.directory = directory

    def officer_of(self, actor: Actor) -> Officer:
        """Return the acting officer (403 if they left the directory)."""
        officer = self.directory.officer(actor.officer_id or "")
        if officer is None:
            raise Forbidden("民警账号已停用")
        return officer

    def unit_of(self, actor: Actor) -> UnitOf:
        """Return the lookup of the acting officer's unit, for a rule to call when it needs it."""

        def lookup() -> Unit | None:
            officer = self.officer_of(actor)
            found = self.directory.unit(officer.unit_id)
            return found or Unit(id=officer.unit_id, name=officer.unit_id, kind="station")

        return lookup

    def unit(self, unit_id: str) -> Unit | None:
        """Return a unit of the directory, or None."""
        return self.directory.unit(unit_id)

    def officer(self, officer_id: str) -> Officer | None:
        """Return an officer of the directory, or None (a police author of a post, say)."""
        return self.directory.officer(officer_id)

    def unit_ref(self, unit_id: str) -> UnitRef:
        """Return a unit as a post or a reply names it (its id, if the directory does not know it)."""
        unit = self.directory.unit(unit_id)
        return UnitRef(id=unit_id, name=unit.name if unit else unit_id, name_en=unit.name_en if unit else None)

    def command_center(self) -> Unit | None:
        """Return the command center, if the directory has one."""
        return access.command_center(self.directory.units())

    def who(self, actor: Actor) -> str:
        """Return how the timeline names the caller: unit and name for an officer, 管理员, or the nickname."""
        if actor.officer_id:
            officer = self.directory.officer(actor.officer_id)
            if officer is not None:
                unit = self.directory.unit(officer.unit_id)
                return f"{unit.name if unit else ''}{officer.name}"
        return "管理员" if actor.role == "admin" else actor.nickname

    def published_numbers_in(self, text: str) -> tuple[str, ...]:
        """Return the units' and officers' published contact numbers a text quotes (no read if it quotes none)."""
        quoted = numbers_in(text)
        if not quoted:
            return ()
        contacts = [u.public_contact for u in self.directory.units()]
        contacts += [o.public_contact for o in self.directory.officers()]
        published = set().union(*(numbers_in(contact) for contact in contacts if contact))
        return tuple(sorted(quoted & published))
