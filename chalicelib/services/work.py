"""The officers' workbench (警务工作台) and the command-center board.

What each read costs (DynamoDB, eventually consistent, one sparse partition each; keys.py patterns 36-38):

- A queue page: one Query of `limit + 1` entries of the view's partition (GSI6 for a unit, GSI7 for every unit)
  and one BatchGetItem of the page's posts (the indexes hold keys and the filters' fields only), plus the six
  counts: one Query with Select = COUNT per view (`due` and `overdue` are the two halves of one partition),
  each billed on the ~200-byte index entries it counts (0.5 RCU per 4 KB), one call up to ~5,000 posts a view.
- `board` / `district`: a FilterExpression on that one partition, never a read of another; the page reads on
  until it is full, and the counts read their partitions whole (as they do anyway).
- The board: one Query per open view of every unit (`due`, `overdue`, `in_progress`, `followups` on GSI7, small
  projections), grouped by unit in memory: the cost follows the open work, not the history; the median first
  response today is the day's counters of each unit (services/stats.py, one small Query per unit); the list of
  posts escalated to the command center is at most `ESCALATED` GetItems.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.domain import access, work
from chalicelib.domain.actors import Actor
from chalicelib.domain.boards import BOARDS_BY_ID
from chalicelib.domain.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.domain.people import Unit
from chalicelib.domain.posts import Post
from chalicelib.domain.times import CST
from chalicelib.services.cursors import CursorCodec
from chalicelib.services.ports import Clock, DirectoryRepository, PostRepository, StatsRepository, WorkFilter
from chalicelib.services.staff import Staff
from chalicelib.services.stats import median_minutes

ESCALATED = 10  # posts escalated to the command center shown on the board, longest overdue first
OPEN_VIEWS = ("due", "overdue", "in_progress", "followups")
POLICE_ONLY = "只有民警可以使用警务工作台"


@dataclass(frozen=True)
class Queue:
    """A page of one view of a queue, the counts of every view, and where the next page starts."""

    view: str
    unit: Unit | None
    posts: list[Post]
    counts: dict[str, int]
    next_cursor: str | None


@dataclass(frozen=True)
class QueueAsk:
    """What the caller asked of the queue (each None when not given)."""

    view: str | None = None
    unit: str | None = None
    board: str | None = None
    district: str | None = None
    cursor: str | None = None
    limit: int = 20


class Workbench:
    """Reads the work queue of a unit (or every unit) and the command-center board."""

    def __init__(
        self,
        posts: PostRepository,
        staff: Staff,
        directory: DirectoryRepository,
        stats: StatsRepository,
        cursors: CursorCodec,
        clock: Clock,
        districts: Sequence[str],
    ) -> None:
        self.posts, self.staff, self.directory, self.stats = posts, staff, directory, stats
        self.cursors, self.clock, self.districts = cursors, clock, tuple(districts)

    def queue(self, actor: Actor, ask: QueueAsk) -> Queue:
        """Return a page of a view: officers their own unit, leaders and the command center any or all."""
        view = ask.view or work.DEFAULT_VIEW
        if view not in work.VIEWS:
            raise ValidationFailed("没有这个视图", {"view": f"one of {', '.join(work.VIEWS)}"})
        only = self._filter(ask.board, ask.district)
        unit = self._scope(actor, ask.unit)
        unit_id = unit.id if unit else None
        position = f"work:{view}:{unit_id or '*'}:{only.board or '*'}:{only.district or '*'}"
        after = self.cursors.decode(ask.cursor, position) if ask.cursor else None
        now = self.clock.now()
        page = self.posts.work_page(unit_id, view, now, ask.limit, after, only)
        counts: dict[str, int] = {name: self.posts.work_count(unit_id, name, now, only) for name in work.VIEWS}
        next_cursor = self.cursors.encode(page.next_key, position) if page.next_key else None
        return Queue(view, unit, page.posts, counts, next_cursor)

    def _filter(self, board: str | None, district: str | None) -> WorkFilter:
        if board is not None and board not in BOARDS_BY_ID:
            raise ValidationFailed("没有这个板块", {"board": f"unknown board {board!r}"})
        if district is not None and district not in self.districts:
            raise ValidationFailed("没有这个地区", {"district": f"unknown district {district!r}"})
        return WorkFilter(board, district)

    def _scope(self, actor: Actor, asked: str | None) -> Unit | None:
        """Return the unit whose queue the caller reads (None: every unit's), or refuse."""
        require_police(actor)
        found = None
        if asked is not None:
            found = self.directory.unit(asked)
            if found is None:
                raise NotFound("没有这个单位")
        if actor.role in ("leader", "admin"):
            return found
        own = self.staff.unit_of(actor)()
        if access.is_command_center(own):
            return found
        if own is None or (asked is not None and asked != own.id):
            raise Forbidden("只能查看本单位的工作队列")
        return own

    def board(self, actor: Actor) -> dict[str, Any]:
        """Return every unit side by side (open, overdue, escalated, median first response today) and the posts
        escalated to the command center (leaders, the command center, admins)."""
        require_police(actor)
        if actor.role == "officer" and not access.is_command_center(self.staff.unit_of(actor)()):
            raise Forbidden("只有局领导和指挥中心可以查看指挥中心看板")
        now = self.clock.now()
        marks = {view: self.posts.work_marks(view, now) for view in OPEN_VIEWS}
        opened = Counter(mark.unit_id for view in OPEN_VIEWS for mark in marks[view])
        overdue = Counter(mark.unit_id for mark in marks["overdue"])
        escalated = Counter(mark.unit_id for mark in marks["overdue"] if mark.escalation_level >= 1)
        today = now.astimezone(CST).date().isoformat()
        rows = []
        for unit in self.directory.units():
            day = self.stats.days(unit.id, today, today).get(today, {})
            rows.append(
                {
                    "unit": unit,
                    "open": opened[unit.id],
                    "overdue": overdue[unit.id],
                    "escalated": escalated[unit.id],
                    "median_first_response_minutes_today": median_minutes(day),
                }
            )
        to_center = [mark.post_id for mark in marks["overdue"] if mark.escalation_level >= 2][:ESCALATED]
        posts = [post for post in map(self.posts.get, to_center) if post is not None]
        return {"at": now, "units": rows, "escalated": posts}


def require_police(actor: Actor) -> None:
    """Anonymous 401; a citizen, or a notification link's session (its own post only), 403."""
    access.require_signed_in(actor)
    access.require_link_for(actor, None)
    if not actor.is_police:
        raise Forbidden(POLICE_ONLY)
