"""The flows behind a post, each step recorded in AWS calls and request units, and each Lambda handler timed.

A pass is what one post costs from its author's sign-in to the police's answer, run in this process on moto
like the rest of the bench: the code request and its check (POST /auth/otp, /auth/session), the post, its
dispatch message as the dispatcher's Lambda receives it (the post's board hands it to 110, and the unit has two
officers on duty), an officer's status change and its message, the official reply and its message, and the
sweep's every-minute run, the author's follow-up and its message, and the reads of the page's lists (boards) and
of the figures. Pages read on the way (the feed, the post) are timed too.

Timing: each handler is timed outside any recording (no unit bookkeeping), CPU and wall, with the time spent
inside AWS calls measured apart (on moto those calls run in this process: their time is moto's, not DynamoDB's).
The cost model (tools/cost.py) bills the app's own CPU and adds AWS's latency per call.
"""

from __future__ import annotations

import functools
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench.counting import SERVICES, CallRecorder, Calls
from bench.stack import BENCH_ENV, Http

ADMIN_KEY = BENCH_ENV["ADMIN_KEY"]
DISPATCH_QUEUE = "police24-dispatch"
SECOND_OFFICER = {
    "name": "李警官",
    "title": "社区民警",
    "phone": "13900009003",
    "unit_id": "kun-branch",
    "role": "officer",
    "on_duty": True,
}
ROUTING = {"rules": [{"board": "report", "district": "昆都仑区", "unit_id": "kun-branch"}]}
SCHEDULED = {
    "version": "0",
    "id": "tick",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-01-01T00:00:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/police24-sweep"],
    "detail": {},
}
# The Lambda function each measured step runs in.
HANDLERS = {
    "sign-in code": "api",
    "sign-in verify": "api",
    "feed first page": "api",
    "post detail": "api",
    "create post": "api",
    "dispatch message": "dispatcher",
    "status change": "api",
    "status message": "dispatcher",
    "official reply": "api",
    "official_reply message": "dispatcher",
    "author follow-up": "api",
    "follow_up message": "dispatcher",
    "reference": "api",
    "figures": "api",
    "sweep run": "sweep",
}
FLOW_ROUTES = {
    "sign-in code": "POST /auth/otp",
    "sign-in verify": "POST /auth/session",
    "dispatch message": "SQS dispatch → dispatch_post (2 officers, 110 hand-off)",
    "status change": "POST /posts/{id}/status",
    "status message": "SQS status → dispatch_post",
    "official reply": "POST /posts/{id}/replies (officer)",
    "official_reply message": "SQS official_reply → dispatch_post",
    "author follow-up": "POST /posts/{id}/replies (its author, after the answer)",
    "follow_up message": "SQS follow_up → dispatch_post (the officer who answered)",
    "reference": "GET /boards",
    "figures": "GET /stats",
    "sweep run": "schedule → sweep",
}
OFFICIAL_REPLY = {"body": "您好,已安排社区民警前往核查,请保持电话畅通。"}


@dataclass
class Timing:
    """One handler's invocations: CPU and wall seconds, and the part of each spent inside AWS calls."""

    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    aws_cpu: list[float] = field(default_factory=list)
    aws_wall: list[float] = field(default_factory=list)
    aws_calls: list[int] = field(default_factory=list)

    def figures(self, function: str) -> dict[str, Any]:
        """The medians, in milliseconds, for docs/bench.json."""

        def ms(values: list[float]) -> float:
            return round(statistics.median(values) * 1000, 2)

        own = [c - a for c, a in zip(self.cpu, self.aws_cpu, strict=True)]
        return {
            "function": function,
            "invocations": len(self.cpu),
            "cpu_ms": ms(self.cpu),
            "wall_ms": ms(self.wall),
            "aws_calls": statistics.median(self.aws_calls),
            "aws_wall_ms_on_moto": ms(self.aws_wall),
            "own_cpu_ms": ms(own),
        }


class Stopwatch:
    """Time spent inside the AWS calls of the app's clients (whatever the recorder does)."""

    def __init__(self) -> None:
        self.cpu = self.wall = 0.0
        self.calls = 0
        self._started: dict[int, tuple[float, float]] = {}

    def attach(self) -> None:
        """Hook the app's cached clients (the same ones the recorder hooks)."""
        from chalicelib.adapters import aws
        from chalicelib.config import Settings

        region = Settings.from_env().region
        for service in SERVICES:
            events = aws.client(service, region).meta.events
            events.register_first("before-call", self._before)
            events.register_last("after-call", self._after)

    def _before(self, context: dict[str, Any], **_: Any) -> None:
        self._started[id(context)] = (time.thread_time(), time.perf_counter())

    def _after(self, context: dict[str, Any], **_: Any) -> None:
        started = self._started.pop(id(context), None)
        if started is not None:
            self.cpu += time.thread_time() - started[0]
            self.wall += time.perf_counter() - started[1]
            self.calls += 1

    @contextmanager
    def timing(self, into: Timing) -> Iterator[None]:
        """Time the block and the AWS calls inside it."""
        self.cpu = self.wall = 0.0
        self.calls = 0
        cpu, wall = time.process_time(), time.perf_counter()
        yield
        into.cpu.append(time.process_time() - cpu)
        into.wall.append(time.perf_counter() - wall)
        into.aws_cpu.append(self.cpu)
        into.aws_wall.append(self.wall)
        into.aws_calls.append(self.calls)


@dataclass
class Flows:
    """What the passes recorded (the first pass) and timed (every pass)."""

    calls: dict[str, Calls] = field(default_factory=dict)
    timings: dict[str, Timing] = field(default_factory=dict)
    http_bytes: dict[str, int] = field(default_factory=dict)  # the response bodies of the first pass
    sweep: dict[str, int] = field(default_factory=dict)

    def handlers(self) -> dict[str, dict[str, Any]]:
        return {name: timing.figures(HANDLERS[name]) for name, timing in self.timings.items()}


def seed(http: Http) -> None:
    """A second on-duty officer in the bench's station and the rule that routes its district's reports there."""
    http.call("PUT", "/admin/officers/o-bench-kun-2", SECOND_OFFICER, token=ADMIN_KEY)
    http.call("PUT", "/admin/routing", ROUTING, token=ADMIN_KEY)


class Pass:
    """One post's flow; `step` records the first pass's calls and times every pass."""

    def __init__(self, http: Http, recorder: CallRecorder, watch: Stopwatch, flows: Flows, record: bool) -> None:
        self.http, self.recorder, self.watch, self.flows, self.record = http, recorder, watch, flows, record

    def step(self, name: str, run: Callable[[], Any]) -> Any:
        """Run a step once: recorded on the first pass, timed on the others."""
        if self.record:
            with self.recorder.recording(self.http) as self.flows.calls[name]:
                return run()
        with self.watch.timing(self.flows.timings.setdefault(name, Timing())):
            return run()

    def messages(self, queue_url: str, sqs: Any) -> list[dict[str, Any]]:
        """Take every message off the dispatch queue (outside any recording)."""
        import json

        bodies: list[dict[str, Any]] = []
        while True:
            got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                return bodies
            for message in got:
                bodies.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

    def deliver(self, queue_url: str, sqs: Any, kinds: tuple[str, ...]) -> None:
        """Hand each queued message of `kinds` to the dispatcher's handler as Lambda would, one per invocation."""
        import json

        for body in self.messages(queue_url, sqs):
            kind = body.get("kind", "dispatch")
            event = self.http.client.events.generate_sqs_event(
                queue_name=DISPATCH_QUEUE, message_bodies=[json.dumps(body)]
            )
            if kind in kinds:
                self.step(f"{kind} message", functools.partial(self.http.client.lambda_.invoke, "dispatch_post", event))
            else:
                self.http.client.lambda_.invoke("dispatch_post", event)

    def run(self, phone: str, officer: str, post: dict[str, Any], queue_url: str, sqs: Any) -> None:
        http = self.http
        self.messages(queue_url, sqs)  # whatever earlier steps of the bench left
        self.step("sign-in code", lambda: http.call("POST", "/auth/otp", {"phone": phone}, expect=202))
        from bench.stack import last_code

        code = last_code(phone)
        session = self.step(
            "sign-in verify", lambda: http.call("POST", "/auth/session", {"phone": phone, "code": code})
        )
        token = str(session["token"])
        self.step("feed first page", lambda: http.call("GET", "/posts", token=token))
        created = self.step("create post", lambda: http.call("POST", "/posts", post, token=token, expect=201))
        post_id = str(created["id"])
        self.deliver(queue_url, sqs, ("dispatch",))
        version = http.call("GET", f"/posts/{post_id}", token=officer)["post"]["version"]
        change = {"status": "acknowledged", "version": version}
        self.step("status change", lambda: http.call("POST", f"/posts/{post_id}/status", change, token=officer))
        self.deliver(queue_url, sqs, ("status",))
        path = f"/posts/{post_id}/replies"
        self.step("official reply", lambda: http.call("POST", path, OFFICIAL_REPLY, token=officer, expect=201))
        self.deliver(queue_url, sqs, ("official_reply",))
        follow = {"body": "谢谢,人今天又来了,还在门口。"}
        self.step("author follow-up", lambda: http.call("POST", path, follow, token=token, expect=201))
        self.deliver(queue_url, sqs, ("follow_up",))
        self.step("reference", lambda: http.call("GET", "/boards"))
        self.step("figures", lambda: http.call("GET", "/stats"))
        self.step("post detail", lambda: http.call("GET", f"/posts/{post_id}", token=token))
        report = self.step("sweep run", lambda: http.client.lambda_.invoke("sweep", SCHEDULED).payload)
        if self.record:  # what the recorded run did: the posts it settled, requeued or escalated
            self.flows.sweep = report


def run_flows(
    http: Http, recorder: CallRecorder, officer: str, post: dict[str, Any], queue_url: str, passes: int = 5
) -> Flows:
    """Seed the second officer and the routing, record one pass and time `passes` more, each by a new resident."""
    import boto3

    seed(http)
    sqs = boto3.session.Session().client("sqs")
    watch = Stopwatch()
    watch.attach()
    flows = Flows()
    for number in range(passes + 1):
        # A new resident and new words each pass: posting limits and the duplicate check never refuse a step.
        mine = {**post, "title": f"{post['title']}({number + 1})", "body": f"{post['body']}(第{number + 1}次)"}
        Pass(http, recorder, watch, flows, record=number == 0).run(
            f"1391234{number:04d}", officer, mine, queue_url, sqs
        )
    return flows
