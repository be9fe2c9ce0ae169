"""The admin's use cases: the directory, routing rules and pins."""

from __future__ import annotations

import secrets
from datetime import datetime

from chalicelib.domain import access
from chalicelib.domain.boards import BOARDS_BY_ID, POST_TYPE_NAMES
from chalicelib.domain.errors import NotFound, ValidationFailed
from chalicelib.domain.people import Actor, Officer, Routing, Unit
from chalicelib.domain.posts import PinScope, Post
from chalicelib.domain.templates import REPLY_TEMPLATES
from chalicelib.services.audit import Auditor, snapshot
from chalicelib.services.ports import Clock, DirectoryRepository, OfficerChannel
from chalicelib.services.store import PostStore


class Admin:
    """Directory, routing and pins; callers are already known to be admins."""

    def __init__(
        self,
        store: PostStore,
        directory: DirectoryRepository,
        clock: Clock,
        districts: tuple[str, ...],
        channel: OfficerChannel,
        auditor: Auditor,
    ) -> None:
        self.store, self.directory, self.clock, self.districts = store, directory, clock, districts
        self.channel, self.auditor = channel, auditor

    def put_unit(self, unit: Unit, *, by: Actor) -> Unit:
        """Create or replace a unit; its parent must exist."""
        if unit.parent_id is not None and unit.parent_id != unit.id and self.directory.unit(unit.parent_id) is None:
            raise ValidationFailed("上级单位不存在", {"parent_id": "unknown unit"})
        before = self.directory.unit(unit.id)
        self.directory.put_unit(unit)
        self.auditor.log(by, "put_unit", f"unit:{unit.id}", before.model_dump() if before else None, unit.model_dump())
        return unit

    def put_officer(self, officer: Officer, *, by: Actor) -> Officer:
        """Create or replace an officer; the unit must exist and the phone be theirs alone.

        Role, unit and duty take effect at the officer's next request. A new officer, or a new phone, gets a new
        session stamp: sessions and reply links issued before (to the old phone) end.
        """
        if self.directory.unit(officer.unit_id) is None:
            raise ValidationFailed("所属单位不存在", {"unit_id": "unknown unit"})
        holder = self.directory.officer_by_phone(officer.phone)
        if holder is not None and holder.id != officer.id:
            raise ValidationFailed("该手机号已属于另一位民警", {"phone": "already used by another officer"})
        previous = self.directory.officer(officer.id, consistent=True)
        same_phone = previous is not None and previous.phone == officer.phone
        stamp = previous.sessions if previous is not None and same_phone else secrets.token_hex(8)
        officer = officer.model_copy(update={"sessions": stamp})
        self.directory.put_officer(officer)
        if previous is None or (previous.phone, previous.email) != (officer.phone, officer.email):
            current = self.directory.subscriptions(officer.id)
            self.directory.set_subscriptions(officer.id, self.channel.sync(officer, current))
        before = previous.model_dump() if previous else None
        self.auditor.log(by, "put_officer", f"officer:{officer.id}", before, officer.model_dump())
        return officer

    def remove_officer(self, officer_id: str, *, by: Actor) -> None:
        """Take an officer out of the directory: every session and reply link of theirs ends at once."""
        officer = self.directory.officer(officer_id, consistent=True)
        if officer is None:
            raise NotFound("没有这位民警")
        subscriptions = self.directory.subscriptions(officer_id)
        self.directory.remove_officer(officer_id)
        self.channel.drop(subscriptions)
        self.auditor.log(by, "remove_officer", f"officer:{officer_id}", officer.model_dump(), None)

    def templates(self) -> list[tuple[str, str]]:
        """Return the reply templates (the defaults until the bureau sets its own)."""
        return self.directory.templates() or list(REPLY_TEMPLATES)

    def put_templates(self, templates: list[tuple[str, str]], *, by: Actor) -> list[tuple[str, str]]:
        """Replace the reply templates; ids must be distinct."""
        ids = [key for key, _ in templates]
        if len(set(ids)) != len(ids):
            raise ValidationFailed("模板编号不能重复", {"templates": "duplicate id"})
        before = self.templates()
        self.directory.put_templates(templates)
        self.auditor.log(by, "put_templates", "templates", {"templates": before}, {"templates": templates})
        return templates

    def routing(self) -> Routing:
        """Return the routing rules, with the command center as the default unit."""
        routing = self.directory.routing()
        if routing.default_unit_id is None:
            center = access.command_center(self.directory.units())
            if center is not None:
                routing = routing.model_copy(update={"default_unit_id": center.id})
        return routing

    def put_routing(self, routing: Routing, *, by: Actor) -> Routing:
        """Replace the routing rules; every unit named must exist."""
        known = {u.id for u in self.directory.units()}
        for index, rule in enumerate(routing.rules):
            if rule.board not in BOARDS_BY_ID:
                raise ValidationFailed("规则指向不存在的板块", {f"rules[{index}].board": "unknown board"})
            if rule.type is not None and rule.type not in POST_TYPE_NAMES:
                raise ValidationFailed("规则指向不存在的帖子类型", {f"rules[{index}].type": "unknown type"})
            if rule.district is not None and rule.district not in self.districts:
                raise ValidationFailed("规则指向不存在的地区", {f"rules[{index}].district": "unknown district"})
            if rule.unit_id not in known:
                raise ValidationFailed("规则指向不存在的单位", {f"rules[{index}].unit_id": "unknown unit"})
        if routing.default_unit_id is not None and routing.default_unit_id not in known:
            raise ValidationFailed("默认单位不存在", {"default_unit_id": "unknown unit"})
        before = self.directory.routing()
        self.directory.put_routing(routing)
        self.auditor.log(by, "put_routing", "routing", before.model_dump(), routing.model_dump())
        return self.routing()

    def pin(self, post_id: str, scope: PinScope, until: datetime | None, *, by: Actor) -> Post:
        """Pin a post on its board or on every feed."""
        read = self._post(post_id)
        post = self.store.save(read, read.pin_with(scope, until, self.clock.now()))
        self.auditor.log(by, "pin", f"post:{post.id}", snapshot(read), snapshot(post))
        return post

    def unpin(self, post_id: str, *, by: Actor) -> Post:
        """Take a pin off (a post without a pin stays as it is)."""
        read = self._post(post_id)
        if read.pin is None:
            return read
        post = self.store.save(read, read.unpin(self.clock.now()))
        self.auditor.log(by, "unpin", f"post:{post.id}", snapshot(read), snapshot(post))
        return post

    def _post(self, post_id: str) -> Post:
        post = self.store.get(post_id)
        if post is None:
            raise NotFound("帖子不存在")
        return post
