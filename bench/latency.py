"""Post-to-notification latency on the local stack: from `POST /posts` answering 201 to the officer's link.

The path measured is the whole of it: SQS send, the pump's long poll, the dispatcher (assignment, ledger, the
WeChat send to the simulator: the demo officers are bound to WeChat) and the outbox collector that copies what
was sent every 0.5 s (that copy stands in for the network, so it is part of what an officer would wait for).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote

from bench.live import Http, StackError, phones
from chalicelib.services.dispatch import post_number

# A question on 包头交警 goes to 交警支队, whose one on-duty officer is 郭强 (local/demo.py); no 110 hand-off.
BOARD, OFFICER_PHONE = "traffic", "13900000051"
OFFICER_OPENID = "o-wx-guo-qiang"  # his WeChat test user, bound by the demo seed (local/seed_wechat.py)


@dataclass(frozen=True)
class Latency:
    """Seconds from each 201 to the officer's notification, in post order."""

    seconds: list[float]
    board: str = BOARD
    officer: str = OFFICER_PHONE


def notified(http: Http, post_id: str) -> bool:
    number = post_number(post_id)  # a notice names the post by number, never by its title
    status, body = http.call("GET", f"/dev/outbox?to={quote(OFFICER_OPENID)}&limit=5")
    return status == 200 and any(
        number in m["body"] and "reply.html#t=" in (m.get("url") or "") for m in body["messages"]
    )


def measure(base: str, posts: int = 50, timeout: float = 30, poll: float = 0.05) -> Latency:
    """Post `posts` questions one after another, each by its own resident, and time each notification."""
    http = Http(base)
    with ThreadPoolExecutor(8) as pool:
        tokens = list(pool.map(http.sign_in, phones(posts, start=0)))
    run = time.strftime("%H%M%S")
    seconds = []
    for number, token in enumerate(tokens):
        title = f"换证咨询{run}{number:02d}"
        body = {"board": BOARD, "type": "question", "title": title, "body": "驾驶证下个月到期,请问换证需要哪些材料?"}
        status, answer = http.call("POST", "/posts", body, token)
        created = time.perf_counter()
        if status != 201:
            raise StackError(f"POST /posts: {status} {answer}")
        while not notified(http, answer["id"]):
            if time.perf_counter() - created > timeout:
                raise StackError(f"no notification for {title!r} within {timeout:.0f} s")
            time.sleep(poll)
        seconds.append(time.perf_counter() - created)
    return Latency(seconds)
