"""The access policy, in one place: who may see a post (whole, or at all), take part in it, handle it, route it,
convert it to a 110 incident and rate it.

The rules are pure. Where a rule needs the acting officer's unit it takes a `UnitOf`, called only when the
rule gets that far (services.staff.Staff.unit_of looks it up, refusing an officer who left the directory), so a
leader or an admin is never looked up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from chalicelib.domain.actors import Actor
from chalicelib.domain.errors import Forbidden, Unauthenticated

if TYPE_CHECKING:
    from chalicelib.domain.people import Unit
    from chalicelib.domain.posts import Post

UnitOf = Callable[[], "Unit | None"]
LINK_ONLY = "通知链接只能用于处理对应的帖子"


def require_signed_in(actor: Actor) -> None:
    """Refuse an anonymous caller (401)."""
    if not actor.signed_in:
        raise Unauthenticated("请先登录")


def require_link_for(actor: Actor, post_id: str | None) -> None:
    """A notification link's session acts on its own post only (and never writes a new one: `post_id` None)."""
    if actor.link_post_id is not None and actor.link_post_id != post_id:
        raise Forbidden(LINK_ONLY)


def sees_whole(actor: Actor, post: Post) -> bool:
    """The author and the police (a link session on its own post only) see a post as written; others masked."""
    return actor.police_for(post.id) or (actor.signed_in and actor.user_id == post.author_id)


def may_see(actor: Actor, post: Post) -> bool:
    """Hidden posts are seen by the police and their author only."""
    return not post.hidden or sees_whole(actor, post)


def withheld(actor: Actor, post: Post) -> bool:
    """Tell whether a viewer gets only the stub: a police-only or hidden post, seen by someone not seeing it whole."""
    return (post.visibility == "police_only" or post.hidden) and not sees_whole(actor, post)


def require_may_take_part(actor: Actor, post: Post, refusal: str) -> None:
    """A police-only tip is answered (or flagged) by its author and the police only."""
    if post.visibility == "police_only" and not sees_whole(actor, post):
        raise Forbidden(refusal)


def is_command_center(unit: Unit | None) -> bool:
    """Tell whether a unit is the command center (指挥中心)."""
    return unit is not None and unit.kind == "command_center"


def command_center(units: Iterable[Unit]) -> Unit | None:
    """Return the command center among units, if there is one."""
    return next((unit for unit in units if is_command_center(unit)), None)


def require_may_handle(actor: Actor, post: Post, unit_of: UnitOf) -> None:
    """Officers of the assigned unit (any while none), leaders, command center, admins."""
    require_link_for(actor, post.id)
    if actor.role in ("admin", "leader"):
        return
    if actor.role != "officer":
        raise Forbidden("只有民警可以办理帖子")
    unit = unit_of()
    if is_command_center(unit):
        return
    if post.assigned_unit is not None and (unit is None or post.assigned_unit.id != unit.id):
        raise Forbidden("该帖子已派至其他单位办理")


def require_may_route(actor: Actor, post: Post, unit_of: UnitOf) -> None:
    """Leaders, admins and the command center re-route posts."""
    require_link_for(actor, post.id)
    if actor.role in ("leader", "admin"):
        return
    if actor.role != "officer" or not is_command_center(unit_of()):
        raise Forbidden("只有局领导和指挥中心可以改派")


def require_may_convert(actor: Actor, post: Post, unit_of: UnitOf) -> None:
    """Leaders and the command center (an officer or an admin of it) make a post a 110 incident."""
    require_link_for(actor, post.id)
    if actor.role == "leader":
        return
    if actor.role not in ("officer", "admin") or not actor.officer_id or not is_command_center(unit_of()):
        raise Forbidden("只有局领导和指挥中心可以转为警情")


def require_may_rate(actor: Actor, post: Post) -> None:
    """Only the author rates, from their own session (not a notification link)."""
    if actor.user_id != post.author_id or actor.link_post_id is not None:
        raise Forbidden("只有发帖人可以评价")
