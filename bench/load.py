"""A bounded load test of the local stack on loopback: `make load` (`python -m bench.load`).

Virtual residents sign in (codes from /api/dev/outbox), then read the feed, boards and post pages, post and
reply, each within the limits `make dev` enforces (a post every 30 s, five on an account's first day, a
reply every 5 s), until the duration or the request budget runs out. Then every accepted write is read back:
each post by id, each reply among its post's replies, each post's reply_count, and each post dispatched.
It fails (exit 1) on any 5xx, any request without an answer, or any write it cannot read back.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.live import Http, LocalStack, phones
from chalicelib.services.limits import LimitSettings

BOARDS = ("qa", "traffic", "hukou", "exit-entry", "environment", "hometown", "report")
DISTRICTS = ("昆都仑区", "青山区", "东河区", None)
# operation -> weight of the mix (a write that the limits do not allow yet becomes a read of a post)
MIX = {"feed": 30, "board feed": 15, "boards": 8, "post page": 27, "stats": 5, "create post": 6, "reply": 9}


@dataclass
class Resident:
    phone: str
    token: str = ""
    posts: int = 0
    next_post: float = 0.0
    next_reply: float = 0.0


@dataclass
class Results:
    """Every timed request, and every write the stack accepted."""

    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    posts: dict[str, str] = field(default_factory=dict)  # id -> title
    replies: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # post id -> reply ids
    seen_posts: list[str] = field(default_factory=list)
    requests: int = 0
    started: float = 0.0
    elapsed: float = 0.0
    readback_failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, op: str, status: int, seconds: float) -> None:
        with self.lock:
            self.timings[op].append(seconds)
            self.statuses[op][status] += 1

    def take_request(self, budget: int) -> bool:
        with self.lock:
            if self.requests >= budget:
                return False
            self.requests += 1
            return True

    @property
    def total(self) -> int:
        """Requests sent (a sign-in's whole counts once more, as its own row: left out here)."""
        return sum(len(t) for op, t in self.timings.items() if not op.startswith("sign in ("))

    @property
    def server_errors(self) -> int:
        return sum(n for c in self.statuses.values() for s, n in c.items() if s >= 500 or s == 0)

    def rows(self, times: str = "×") -> list[tuple[str, int, float, float, float, str]]:
        """Per operation, busiest first: its name, requests, p50, p95 and p99 in ms, and its statuses."""
        rows = []
        for op, seconds in sorted(self.timings.items(), key=lambda item: -len(item[1])):
            ms = [t * 1000 for t in seconds]
            statuses = ", ".join(f"{s or 'no answer'}{times}{n}" for s, n in sorted(self.statuses[op].items()))
            rows.append((op, len(ms), percentile(ms, 0.5), percentile(ms, 0.95), percentile(ms, 0.99), statuses))
        return rows


# The stack runs with `make dev`'s limits (the defaults): each resident keeps to them, a second to spare.
LIMITS = LimitSettings()


@dataclass(frozen=True)
class Settings:
    duration: float = 30.0
    requests: int = 5000
    users: int = 24
    concurrency: int = 8
    post_interval: float = LIMITS.post_interval + 1.0
    posts_first_day: int = LIMITS.posts_first_day
    reply_interval: float = LIMITS.reply_interval + 1.0


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (0-1) of some values, by linear interpolation."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[round(share * 100) - 1]


class Load:
    """Run the mix from `concurrency` threads, each taking turns among its residents."""

    def __init__(self, base: str, settings: Settings) -> None:
        self.http, self.settings, self.results = Http(base), settings, Results()

    def timed(self, op: str, method: str, path: str, body: object = None, token: str = "") -> tuple[int, object]:
        started = time.perf_counter()
        status, answer = self.http.call(method, path, body, token or None)
        self.results.record(op, status, time.perf_counter() - started)
        return status, answer

    def sign_in(self, resident: Resident) -> None:
        started = time.perf_counter()
        status, _ = self.timed("sign in: code", "POST", "/auth/otp", {"phone": resident.phone})
        if status == 202:
            code = self.http.code_for(resident.phone)
            status, body = self.timed(
                "sign in: session", "POST", "/auth/session", {"phone": resident.phone, "code": code}
            )
            if status == 200 and isinstance(body, dict):
                resident.token = body["token"]
        self.results.record(
            "sign in (incl. waiting for the SMS)", 200 if resident.token else status, time.perf_counter() - started
        )

    def step(self, resident: Resident, rng: random.Random) -> None:
        op = rng.choices(list(MIX), weights=list(MIX.values()))[0]
        now, results, s = time.monotonic(), self.results, self.settings
        with results.lock:
            mine = list(results.posts)
            known = results.seen_posts + mine
        if op == "create post" and (now < resident.next_post or resident.posts >= s.posts_first_day):
            op = "post page"
        if op == "reply" and (now < resident.next_reply or not mine):
            op = "post page"
        if op == "feed":
            status, page = self.timed(op, "GET", "/posts")
            if status == 200 and isinstance(page, dict) and not results.seen_posts:
                with results.lock:
                    results.seen_posts.extend(p["id"] for p in page["posts"])
        elif op == "board feed":
            self.timed(op, "GET", f"/posts?board={rng.choice(BOARDS)}")
        elif op == "boards":
            self.timed(op, "GET", "/boards")
        elif op == "stats":
            self.timed(op, "GET", "/stats")
        elif op == "post page":
            if known:
                self.timed(op, "GET", f"/posts/{rng.choice(known)}")
            else:
                self.timed("feed", "GET", "/posts")
        elif op == "create post":
            self.create_post(resident, rng)
        else:
            self.reply(resident, rng.choice(mine))

    def create_post(self, resident: Resident, rng: random.Random) -> None:
        board = rng.choice(BOARDS)
        kind = "report" if board == "report" else rng.choice(("question", "help"))
        topic = rng.choice(("路灯不亮", "噪音扰民", "证件办理", "车辆违停"))
        title = f"压测{resident.phone[-4:]}-{resident.posts}:{topic}"
        body = {
            "board": board,
            "type": kind,
            "title": title,
            "body": "具体情况如标题,请民警帮助。",
            "district": rng.choice(DISTRICTS) if board != "report" else "昆都仑区",
        }
        status, post = self.timed("create post", "POST", "/posts", body, resident.token)
        resident.next_post = time.monotonic() + self.settings.post_interval
        if status == 201 and isinstance(post, dict):
            resident.posts += 1
            with self.results.lock:
                self.results.posts[post["id"]] = title

    def reply(self, resident: Resident, post_id: str) -> None:
        status, reply = self.timed(
            "reply", "POST", f"/posts/{post_id}/replies", {"body": "我也遇到了,同问。"}, resident.token
        )
        resident.next_reply = time.monotonic() + self.settings.reply_interval
        if status == 201 and isinstance(reply, dict):
            with self.results.lock:
                self.results.replies[post_id].append(reply["id"])

    def worker(self, residents: list[Resident], seed: int, deadline: float) -> None:
        rng = random.Random(seed)
        for resident in residents:
            if time.monotonic() < deadline and self.results.take_request(self.settings.requests):
                self.sign_in(resident)
        residents = [r for r in residents if r.token]
        turn = 0
        while residents and time.monotonic() < deadline and self.results.take_request(self.settings.requests):
            self.step(residents[turn % len(residents)], rng)
            turn += 1

    def run(self) -> Results:
        s = self.settings
        everyone = [Resident(phone) for phone in phones(s.users, start=5000)]
        self.results.started = time.monotonic()
        deadline = self.results.started + s.duration
        threads = [
            threading.Thread(target=self.worker, args=(everyone[n :: s.concurrency], n, deadline))
            for n in range(s.concurrency)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.results.elapsed = time.monotonic() - self.results.started
        self.read_back()
        return self.results

    def read_back(self, dispatch_timeout: float = 30) -> None:
        """Read every accepted write back; wait for every accepted post to be dispatched."""
        results, pending = self.results, set(self.results.posts)
        for post_id, title in results.posts.items():
            status, detail = self.http.call("GET", f"/posts/{post_id}")
            if status != 200 or not isinstance(detail, dict) or detail["post"]["title"] != title:
                results.readback_failures.append(f"post {post_id}: {status}")
                continue
            stored = {r["id"] for r in detail["replies"]}
            if missing := set(results.replies[post_id]) - stored:
                results.readback_failures.append(f"post {post_id}: replies {sorted(missing)} missing")
            if detail["post"]["reply_count"] != len(results.replies[post_id]):
                results.readback_failures.append(
                    f"post {post_id}: reply_count {detail['post']['reply_count']} != {len(results.replies[post_id])}"
                )
        deadline = time.monotonic() + dispatch_timeout
        while pending and time.monotonic() < deadline:
            for post_id in list(pending):
                status, detail = self.http.call("GET", f"/posts/{post_id}")
                if status == 200 and any(e["kind"] == "dispatched" for e in detail["timeline"]):
                    pending.discard(post_id)
            time.sleep(0.2)
        results.readback_failures += [f"post {post_id}: never dispatched" for post_id in sorted(pending)]


def summary(results: Results) -> list[str]:
    """The console report: throughput, latency percentiles and statuses per operation."""
    total = results.total
    lines = [
        "load:",
        f"{total} requests in {results.elapsed:.1f} s = {total / results.elapsed:.1f} requests/s; "
        f"{results.server_errors} 5xx or unanswered; accepted {len(results.posts)} posts and "
        f"{sum(map(len, results.replies.values()))} replies; read back: "
        + ("all" if not results.readback_failures else f"{len(results.readback_failures)} FAILURES"),
        "",
        f"{'operation':38} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses",
    ]
    for op, n, p50, p95, p99, statuses in results.rows():
        lines.append(f"{op:38} {n:>5} {p50:>8.0f} {p95:>8.0f} {p99:>8.0f}  {statuses}")
    return lines + [f"  read-back failure: {failure}" for failure in results.readback_failures[:20]]


def run(base: str | None, settings: Settings) -> Results:
    """Run against a stack at `base`, or against one started for the run in a temporary folder."""
    if base:
        return Load(base, settings).run()
    with tempfile.TemporaryDirectory(prefix="police24-load-") as folder, LocalStack(Path(folder)) as stack:
        return Load(stack.base, settings).run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", help="a running stack (e.g. http://127.0.0.1:8000); default: start one")
    parser.add_argument("--duration", type=float, default=Settings.duration, help="seconds of load")
    parser.add_argument("--requests", type=int, default=Settings.requests, help="stop after this many requests")
    parser.add_argument("--users", type=int, default=Settings.users, help="residents who sign in")
    parser.add_argument("--concurrency", type=int, default=Settings.concurrency, help="requests in flight")
    args = parser.parse_args(argv)
    settings = Settings(args.duration, args.requests, args.users, args.concurrency)
    results = run(args.base_url, settings)
    print("\n".join(summary(results)))
    return 1 if results.server_errors or results.readback_failures else 0


if __name__ == "__main__":
    sys.exit(main())
