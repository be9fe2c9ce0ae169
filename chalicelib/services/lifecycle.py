"""Re-routing by leaders and the command center, and the author's verdict."""

from __future__ import annotations

from chalicelib.domain.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.domain.people import Actor
from chalicelib.domain.posts import Event, Post, UnitRef
from chalicelib.services.audit import snapshot
from chalicelib.services.forum import Forum, new_id


class Lifecycle:
    """Use cases that move a post between units and close the loop with its author."""

    def __init__(self, forum: Forum) -> None:
        self.forum = forum
        self.posts, self.directory, self.stats, self.clock = forum.posts, forum.directory, forum.stats, forum.clock

    def route(self, actor: Actor, post_id: str, unit_id: str, note: str | None) -> Post:
        """Re-dispatch a post to another unit and notify it (leaders and the command center)."""
        self.forum.require_signed_in(actor)
        post = self.forum.visible_post(post_id, actor)
        if actor.link_post_id is not None and actor.link_post_id != post.id:
            raise Forbidden("通知链接只能用于处理对应的帖子")
        if not self._may_route(actor):
            raise Forbidden("只有局领导和指挥中心可以改派")
        unit = self.directory.unit(unit_id)
        if unit is None:
            raise ValidationFailed("没有这个单位", {"unit_id": "unknown unit"})
        if post.status == "resolved":
            raise ValidationFailed("已办结的帖子不能改派", {"unit_id": "post is resolved"})
        now = self.clock.now()
        expected = post.version
        first = post.assigned_unit is None
        before = snapshot(post)
        ref = UnitRef(id=unit.id, name=unit.name, name_en=unit.name_en)
        post.assign(ref, now)
        post.escalation_level = 0
        post.version += 1
        who = self.forum.who(actor)
        # Routing is not a police dispatch (已派警 is 110's word): a first assignment reads 已分派, a move 已转交.
        kind, text = (
            ("dispatched", f"{who}将帖子分派至{unit.name}") if first else ("transferred", f"{who}将帖子转交{unit.name}")
        )
        text += f"：{note}" if note else ""
        self.posts.update(post, expected, Event(id=new_id("e"), at=now, kind=kind, text=text, unit=ref))
        self.forum.auditor.log(actor, "route", f"post:{post.id}", before, snapshot(post))
        # The unit counts every post it is given (assigned or transferred to it), the platform each post once.
        self.forum.count([unit.id], {"dispatches": 1, "posts_assigned": 1}, now)
        self.forum.count(["all"], {"dispatches": 1, **({"posts_assigned": 1} if first else {})}, now)
        self.forum.notify_later(post.id, "dispatch")
        return post

    def _may_route(self, actor: Actor) -> bool:
        if actor.role in ("leader", "admin"):
            return True
        if actor.role != "officer":
            return False
        officer = self.forum.officer_of(actor)
        unit = self.directory.unit(officer.unit_id)
        return unit is not None and unit.kind == "command_center"

    def feedback(self, actor: Actor, post_id: str, satisfied: bool, comment: str | None) -> Post:
        """Record the author's verdict on a resolved post; unsatisfied needs a reason, reopens and re-notifies."""
        self.forum.require_signed_in(actor)
        post = self.posts.get(post_id)
        if post is None or post.hidden:
            raise NotFound("帖子不存在或已被隐藏")
        if actor.user_id != post.author_id or actor.link_post_id is not None:
            raise Forbidden("只有发帖人可以评价")
        comment = (comment or "").strip() or None
        if not satisfied and comment is None:
            reason = {"comment": "required when satisfied is false"}
            raise ValidationFailed("选择不满意时，请填写原因（comment）。", reason)
        now = self.clock.now()
        expected = post.version
        post.rate(satisfied, comment, now)
        post.version += 1
        text = "网友评价：满意" if satisfied else "网友评价：不满意，帖子已重新办理"
        if comment is not None:
            text += f"。评价说明：{comment}"  # masked for the public, withheld on a police-only post (render.py)
        self.posts.update(post, expected, Event(id=new_id("e"), at=now, kind="rated", text=text))
        scopes = ["all"] + ([post.assigned_unit.id] if post.assigned_unit else [])
        self.forum.count(scopes, {"rated": 1, "satisfied": int(satisfied)}, now)
        if not satisfied:
            event = Event(id=new_id("e"), at=now, kind="reopened", text="帖子已重新办理", unit=post.assigned_unit)
            expected = post.version
            post.version += 1
            self.posts.update(post, expected, event)
            self.forum.notify_later(post.id, "dispatch")
        return post
