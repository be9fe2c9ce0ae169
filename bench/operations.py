"""Drive each measured API operation once over its HTTP route and record the AWS calls it made."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from bench.counting import CallRecorder, Calls
from bench.photos import PHOTO_OPERATIONS, PHOTO_ROUTES, run_photos
from bench.stack import Http
from bench.work import WORK_OPERATIONS, WORK_ROUTES, run_work

# The operations whose figures must not change with the table's size (judged in bench/report.py).
STABLE = ("feed first page", "feed next page", "post detail", "create post", "reply")
OPERATIONS = (*STABLE, *WORK_OPERATIONS, *PHOTO_OPERATIONS)
ROUTES = {
    **WORK_ROUTES,
    **PHOTO_ROUTES,
    "feed first page": "GET /posts",
    "feed next page": "GET /posts?cursor=…",
    "post detail": "GET /posts/{id}",
    "create post": "POST /posts",
    "reply": "POST /posts/{id}/replies",
}
NEW_POST = {
    "board": "report",
    "type": "report",
    "title": "小区门口有人兜售假药",
    "body": "每天早上七点左右,昆区锦泰驾校小区门口有两名男子向老人兜售所谓“特效药”,价格很高,请民警核查。",
    "district": "昆都仑区",
}
REPLY = {"body": "补充一下:今天早上又看到了,穿灰色外套,骑一辆蓝色三轮车。"}


@dataclass(frozen=True)
class Run:
    """What one pass over the operations recorded, and the post it created."""

    calls: dict[str, Calls]
    created_post_id: str
    photo_post_id: str
    feed_page_size: int
    pinned_shown: int


def returned_bytes(page: dict[str, Any]) -> int:
    """Return the bytes of the posts a feed page carried (pinned and posts, compact UTF-8 JSON)."""
    shown = [*page.get("pinned", []), *page.get("posts", [])]
    return len(json.dumps(shown, ensure_ascii=False, separators=(",", ":")).encode())


def feed_first_page(http: Http, recorder: CallRecorder, token: str) -> tuple[Calls, dict[str, Any]]:
    with recorder.recording(http) as calls:
        page = http.call("GET", "/posts", token=token)
    calls.bytes_returned = returned_bytes(page)
    return calls, page


def feed_next_page(http: Http, recorder: CallRecorder, token: str, cursor: str) -> tuple[Calls, dict[str, Any]]:
    with recorder.recording(http) as calls:
        page = http.call("GET", f"/posts?cursor={quote(cursor)}", token=token)
    calls.bytes_returned = returned_bytes(page)
    return calls, page


def post_detail(http: Http, recorder: CallRecorder, token: str, post_id: str) -> Calls:
    with recorder.recording(http) as calls:
        http.call("GET", f"/posts/{post_id}", token=token)
    return calls


def run_operations(
    http: Http, recorder: CallRecorder, token: str, target_id: str, officers: dict[str, str] | None = None
) -> Run:
    """Measure the five operations in order (the reply goes to the target post), then the workbench's reads
    with the officers' sessions (bench/work.py), if given."""
    first, page = feed_first_page(http, recorder, token)
    cursor = page.get("next_cursor")
    if not isinstance(cursor, str):
        raise RuntimeError("the first feed page has no next_cursor: fill more posts")
    calls = {"feed first page": first, "feed next page": feed_next_page(http, recorder, token, cursor)[0]}
    calls["post detail"] = post_detail(http, recorder, token, target_id)
    with recorder.recording(http) as calls["create post"]:
        created = http.call("POST", "/posts", NEW_POST, token=token, expect=201)
    with recorder.recording(http) as calls["reply"]:
        http.call("POST", f"/posts/{target_id}/replies", REPLY, token=token, expect=201)
    if officers is not None:
        calls.update(run_work(http, recorder, officers))
    photo_calls, photo_post_id = run_photos(http, recorder, NEW_POST)
    calls.update(photo_calls)
    posts, pinned = page.get("posts"), page.get("pinned")
    return Run(
        calls,
        str(created["id"]),
        photo_post_id,
        len(posts) if isinstance(posts, list) else 0,
        len(pinned) if isinstance(pinned, list) else 0,
    )
