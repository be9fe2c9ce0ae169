"""The workbench's queries on the in-memory posts, with the DynamoDB index's semantics (domain/work.py decides)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain import work
from chalicelib.domain.posts import Post, epoch_ms
from chalicelib.services.ports import FeedPage, WorkFilter, WorkMark


def work_key(post: Post) -> str:
    """Return a post's sort key in its work partition: `<13-digit epoch ms of its slot's time>#<post id>`."""
    place = work.slot(post)
    assert place is not None
    return f"{epoch_ms(place.at):013d}#{post.id}"


class InMemoryWork:
    """The queue's reads over `self.posts`: what one Query of the sparse partition would return."""

    posts: dict[str, Post]

    def _in_view(self, unit: str | None, view: str, now: datetime, only: WorkFilter) -> list[Post]:
        reading = work.READINGS[view]  # type: ignore[index]
        chosen = []
        for post in self.posts.values():
            place = work.slot(post)
            if place is None or place.bucket != reading.bucket or post.assigned_unit is None:
                continue
            if unit is not None and post.assigned_unit.id != unit:
                continue
            key = work_key(post)
            split = f"{epoch_ms(now):013d}#~"
            if (reading.side == "before" and key >= split) or (reading.side == "from" and key < split):
                continue
            if (only.board and post.board != only.board) or (only.district and post.district != only.district):
                continue
            chosen.append(post)
        return sorted(chosen, key=work_key, reverse=reading.newest_first)

    def work_page(
        self, unit: str | None, view: str, now: datetime, limit: int, after: str | None, only: WorkFilter
    ) -> FeedPage:
        newest_first = work.READINGS[view].newest_first  # type: ignore[index]
        found = self._in_view(unit, view, now, only)
        if after is not None:
            found = [p for p in found if (work_key(p) < after if newest_first else work_key(p) > after)]
        page = [p.model_copy(deep=True) for p in found[:limit]]
        return FeedPage(page, work_key(page[-1]) if len(found) > limit and page else None)

    def work_count(self, unit: str | None, view: str, now: datetime, only: WorkFilter) -> int:
        return len(self._in_view(unit, view, now, only))

    def work_marks(self, view: str, now: datetime) -> list[WorkMark]:
        return [
            WorkMark(p.id, p.assigned_unit.id, p.escalation_level)
            for p in self._in_view(None, view, now, WorkFilter())
            if p.assigned_unit is not None
        ]
