"""`make cost`: the monthly AWS bill of two loads, the seed's quiet day and its average, each at 1x, 10x and 100x,
and at zero traffic, with the messages each channel carries (WeChat, e-mail, SMS), the first limit each multiple
would hit, and the goals; the figures go to docs/COST.json.

    python -m tools.cost [--prices docs/prices-us-east-1-2026.json] [--scale 1 10 100]
                         [--resident-wechat 0.8] [--officer-wechat 1.0] [--sms-provider tencent|sns]
                         [--static-share 1.0] [--json docs/COST.json]

Inputs, each printed with its source:
- prices: the dated table in docs/ (list prices, first tier; the always-free allowances shown apart);
- per operation (tools/cost_inputs.py): docs/bench.json, what `make bench` measured: DynamoDB read and write units
  from the real item sizes (every index copy), SQS and SNS calls, response bytes, and each Lambda handler's own
  CPU time and AWS calls; the few operations nothing measures are guesses, marked `guess`;
- per visit: docs/page-weight.json, what the page loads in Chromium on a cold visit (the HTML, one script, one
  stylesheet, the data) and a warm one (what still reaches the network);
- the load: the seed's figures (6,000 visits a day on a quiet day, 76,000 on average; 270 k posts in 15 months,
  1,397 police dispatches a year) and stated assumptions (replies per post, sign-ins, officers notified, the
  shares of residents and officers bound to WeChat ...).
Public reads: the first feed page (all boards and each board) and every public post page are static JSON objects
in S3 behind CloudFront (`static_share` of them, 1.0 by that design; 0 prices the API for them): a cache miss is
an S3 GET, never API Gateway, Lambda or DynamoDB; each change of a post rewrites its objects. Later pages,
signed-in views and writes go to the API; its public GETs are cached by CloudFront for a few seconds.
CloudFront's hit ratio per URL: asked λ times a second at each of E edges with a TTL of T seconds, λT / (1 + λT).
Lambda's billed time per invocation: the handler's own CPU as bench measured it, stretched by the CPU share of its
memory (1,769 MB is one vCPU), plus AWS's latency per call (a guess), plus cold starts (guesses).
Messages follow the app's flows (tools/cost_messages.py): WeChat first, then e-mail, then SMS templates.
Photos (S3, the processing Lambda, CloudFront for /media/*) are tools/cost_photos.py's lines, on guesses it marks.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tools.cost_inputs import BENCH, PAGE, Bench, Visit, read_bench, read_page
from tools.cost_messages import WECHAT_COST_SOURCE, Month, month, sample_texts, sms_parts

ROOT = Path(__file__).resolve().parent.parent
PRICES = ROOT / "docs" / "prices-us-east-1-2026.json"
COST_JSON = ROOT / "docs" / "COST.json"
SMS_SERVICES = {"tencent": "SMS (Tencent)", "sns": "SMS (SNS, +86)"}  # SMS_PROVIDER -> the bill's line
SMS_GOAL_USD = 50.0  # issue 16: SMS under $50 a month at the average load, at the default WeChat shares
# Issue 19's goals: infrastructure (all but SMS and WeChat) per month.
GOALS = {"average": {"after_free_tier": 5.0, "list": 20.0}, "quiet": {"after_free_tier": 1.0}}
DAYS = 30.4
SECONDS = DAYS * 86400
MINUTES = DAYS * 1440


@dataclass(frozen=True)
class Load:
    """A month of traffic; the first three figures are the seed's, the rest are stated assumptions."""

    visits_per_day: float = 6_000
    posts_per_month: float = 270_000 / 15
    police_dispatches_per_month: float = 1_397 / 12
    official_replies_per_post: float = 1.0
    citizen_replies_per_post: float = 0.5
    sign_ins_per_post: float = 0.6  # sessions last 7 days; most authors post more than once
    signed_in_share: float = 0.1  # visits made signed in (their GETs bypass the cache)
    officers_per_notice: float = 2  # on-duty officers of the unit
    escalated_share: float = 0.05  # posts that miss the first-response deadline
    resolved_share: float = 0.6  # a guess: posts resolved, whose author is asked to rate (issue 14)
    # Posts resolved before any official answer: those 110 took over and closed (the seed's dispatches per post).
    # Only their authors get a "resolved" SMS: an author gets one SMS per post and round, the first news.
    resolved_unanswered_share: float = 1_397 / 270_000
    author_follow_ups_per_post: float = 0.2  # a guess: follow-ups by the author, each a notice to one officer
    incident_board_share: float = 0.2  # posts on incident boards: handed to 110
    resident_wechat_share: float = 0.8  # residents bound to WeChat: sign in and hear back there (issue 16's default)
    officer_wechat_share: float = 1.0  # officers bound to WeChat (issue 16's default)
    officer_email_share: float = 0.0  # a guess: unbound officers with an e-mail in the directory (worst case: none)
    first_sign_in_share: float = 0.25  # a guess: sign-ins by residents new to the site (they prove the phone once)
    status_notices_per_post: float = 2.0  # a guess: status changes an officer makes (acknowledged, in progress)
    edges: int = 3  # CloudFront edges mainland readers land on (HK, Tokyo, Singapore)
    cold_share: float = 0.3  # guess: visits that load the site's files (first visit, new release, cache expired)
    static_share: float = 1.0  # public first feed pages and post pages served as static objects (the design: all)
    # Data GETs per visit beyond what the landing page loads (its feed page and lists: docs/page-weight.json).
    gets_per_visit: dict[str, float] = field(
        default_factory=lambda: {"feed next page": 0.5, "post detail": 1.5, "figures": 0.1}  # guesses
    )

    def times(self, factor: float) -> Load:
        """Scale the traffic, keeping the behaviour."""
        return replace(
            self,
            visits_per_day=self.visits_per_day * factor,
            posts_per_month=self.posts_per_month * factor,
            police_dispatches_per_month=self.police_dispatches_per_month * factor,
        )

    @property
    def visits(self) -> float:
        return self.visits_per_day * DAYS


# Public GETs CloudFront caches: TTL in seconds and how many URLs share a route's traffic. The API's are cached
# for a few seconds (its Cache-Control); the static objects (feed first pages, post pages) for their max-age.
CACHED = {
    "feed first page": (10, 3),
    "feed next page": (10, 3),
    "post detail": (10, 50),
    "reference": (300, 4),
    "figures": (10, 1),
}
# The static design (branch i19-static): data/feed.json, data/feed/<board>.json and data/posts/<id>.json in S3,
# behind CloudFront with a 15 s cache policy, rewritten by a Lambda on the table's stream (it re-reads the post and
# the feed pages), and a Lambda every minute that refreshes lapsed pins.
STATIC_ROUTES = ("feed first page", "post detail")  # public reads the static objects answer
STATIC_TTL = 15
OBJECTS_PER_CHANGE = 3  # guess: a change rewrites the post's page, the all-boards feed page and its board's
# Lambda per function: memory (GB; .chalice/config.json), cold-start share and init seconds (guesses).
LAMBDA = {"api": (0.5, 0.01, 1.2), "dispatcher": (0.25, 0.05, 1.5), "sweep": (0.25, 0.002, 1.5)}
FULL_CPU_MB = 1769  # AWS Lambda: a function has the equivalent of one vCPU at 1,769 MB, a share of it below
CALL_LATENCY = {"dynamodb": 0.006, "sqs": 0.012, "sns": 0.02}  # guess: seconds per AWS call, in region
LOG_BYTES = {"api": 250, "dispatcher": 400, "sweep": 0, "emf": 330}  # JSON app logs; platform lines off (WARN)


def hit_ratio(per_second: float, ttl: float, edges: int) -> float:
    """Share of requests a CloudFront edge answers from its cache (one miss opens a TTL window)."""
    rate = per_second / edges * ttl
    return rate / (1 + rate)


@dataclass
class Line:
    """One line of the bill."""

    service: str
    item: str
    quantity: float
    unit: str
    usd: float
    free_usd: float = 0.0  # what the always-free tier takes off this line
    sms: bool = False


def metered(service: str, item: str, quantity: float, unit: str, rate: float, free: float, per: float = 1.0) -> Line:
    """A line billed at `rate` for every `per` units, the first `free` units taken off by the free tier."""
    return Line(service, item, quantity, unit, quantity / per * rate, min(quantity, free) / per * rate)


@dataclass(frozen=True)
class Traffic:
    """A month's requests, by where they end: CloudFront, S3 (static objects), API Gateway."""

    viewer_requests: float
    viewer_gb: float
    site_requests: float  # the site's files (HTML, script, stylesheet)
    s3_object_gets: float  # static objects fetched on a cache miss
    s3_object_puts: float  # static objects rewritten when a post changes
    origin: dict[str, float]  # operation -> requests reaching the API (through API Gateway to Lambda)

    @property
    def api_requests(self) -> float:
        return sum(self.origin.values())


class Bill:
    """Compute a month's bill from a load, prices, bench's figures and the page's weight."""

    def __init__(
        self,
        prices: dict[str, Any],
        bench: Bench,
        page: tuple[Visit, Visit],
        texts: dict[str, str],
        provider: str = "tencent",
    ) -> None:
        self.p, self.bench, self.page, self.texts, self.provider = prices, bench, page, texts, provider

    def month(self, load: Load) -> Month:
        """Return the load's messages by channel, SMS priced per provider."""
        return month(load, self.p, self.texts)

    def counts(self, load: Load) -> dict[str, float]:
        """How often each write, message and worker operation runs in a month."""
        posts = load.posts_per_month
        official = posts * load.official_replies_per_post
        status = posts * load.status_notices_per_post
        sign_ins = posts * load.sign_ins_per_post
        return {
            "create post": posts,
            "reply": posts * load.citizen_replies_per_post,
            "official reply": official,
            "status change": status,
            "sign in code": sign_ins,
            "sign in verify": sign_ins,
            "officer link": official,
            "dispatch message": posts,
            "status message": status,
            "official_reply message": official,
            "follow_up message": posts * load.author_follow_ups_per_post,
            "escalation": posts * load.escalated_share,
        }

    def traffic(self, load: Load, cache: bool = True) -> Traffic:
        """Split the month's requests between CloudFront's cache, S3's static objects and the API."""
        cold, warm = self.page
        visits = load.visits
        site = visits * (load.cold_share * cold.site_requests + (1 - load.cold_share) * warm.site_requests)
        site_bytes = visits * (load.cold_share * cold.site_bytes + (1 - load.cold_share) * warm.site_bytes)
        asked: dict[str, float] = dict.fromkeys(CACHED, 0.0)
        for name in set(cold.data) | set(warm.data):
            per_visit = load.cold_share * cold.data.get(name, 0) + (1 - load.cold_share) * warm.data.get(name, 0)
            asked[name] = asked.get(name, 0.0) + visits * per_visit
        for name, per_visit in load.gets_per_visit.items():
            asked[name] = asked.get(name, 0.0) + visits * per_visit
        origin: dict[str, float] = {}
        s3_gets = 0.0
        data_bytes = 0.0
        for name, count in asked.items():
            ttl, urls = CACHED.get(name, (0, 1))
            anonymous = count * (1 - load.signed_in_share)
            static = anonymous * load.static_share if name in STATIC_ROUTES else 0.0
            api = anonymous - static
            static_hit = hit_ratio(static / SECONDS / urls, STATIC_TTL, load.edges) if cache else 0.0
            api_hit = hit_ratio(api / SECONDS / urls, ttl, load.edges) if cache else 0.0
            s3_gets += static * (1 - static_hit)
            origin[name] = api * (1 - api_hit) + count * load.signed_in_share
            data_bytes += count * self.bench.op(name).gzip_bytes
        writes = {k: v for k, v in self.counts(load).items() if k in API_WRITES}
        origin.update(writes)
        data_bytes += sum(count * self.bench.op(name).gzip_bytes for name, count in writes.items())
        changes = sum(writes[k] for k in ("create post", "reply", "official reply", "status change"))
        puts = changes * OBJECTS_PER_CHANGE if load.static_share else 0.0
        official = load.posts_per_month * load.official_replies_per_post
        officer_pages = official * 3  # officers open reply.html from a notice: the page, its script, its stylesheet
        viewer = site + sum(asked.values()) + sum(writes.values()) + officer_pages
        return Traffic(viewer, (site_bytes + data_bytes) / 1e9, site + officer_pages, s3_gets, puts, origin)

    def seconds(self, name: str) -> float:
        """Billed seconds of one warm invocation: own CPU at the function's CPU share, plus AWS's latency."""
        handler = self.bench.handler(name)
        memory_mb = LAMBDA[handler.function][0] * 1024
        cpu = handler.own_cpu_ms / 1000 * max(1.0, FULL_CPU_MB / memory_mb)
        return cpu + handler.aws_calls * CALL_LATENCY["dynamodb"]

    def invocations(self, load: Load, traffic: Traffic) -> dict[str, tuple[str, float]]:
        """operation -> (function, invocations a month)."""
        out = {name: ("api", count) for name, count in traffic.origin.items()}
        for name, count in self.counts(load).items():
            if name.endswith("message") or name == "escalation":
                out[name] = ("dispatcher", count)
        out["sweep run"] = ("sweep", MINUTES)
        if traffic.s3_object_puts:  # the stream's publisher: per change, the feed pages and the post page re-read
            out["static rewrite"] = ("dispatcher", traffic.s3_object_puts / OBJECTS_PER_CHANGE)
            out["refresh pins"] = ("sweep", MINUTES)
        return out

    def lambda_gb_s(self, invocations: dict[str, tuple[str, float]]) -> float:
        gb_s = 0.0
        for name, (function, count) in invocations.items():
            memory, cold, init = LAMBDA[function]
            if name == "static rewrite":
                warm = 2 * self.seconds("feed first page") + self.seconds("post detail")
            else:
                warm = self.seconds(name)
            gb_s += count * memory * (warm + cold * init)
        return gb_s

    def units(self, load: Load, traffic: Traffic) -> tuple[float, float]:
        """DynamoDB's read and write request units a month."""
        rru = wru = 0.0
        for name, count in traffic.origin.items():
            op = self.bench.op(name)
            rru, wru = rru + count * op.rru, wru + count * op.wru
        for name, count in self.counts(load).items():
            if name.endswith("message") or name == "escalation":
                op = self.bench.op(name)
                rru, wru = rru + count * op.rru, wru + count * op.wru
        if traffic.s3_object_puts:
            renders = traffic.s3_object_puts / OBJECTS_PER_CHANGE
            rru += renders * (2 * self.bench.op("feed first page").rru + self.bench.op("post detail").rru)
            rru += MINUTES * 0.5  # refresh pins: a small Query a minute (guess)
        sweep = self.bench.op("sweep run")
        idle_rru = 0.5  # the minute's Query of an empty due index
        rru += MINUTES * idle_rru
        swept = load.posts_per_month * load.escalated_share * 2  # guess: an overdue post is swept twice
        if self.bench.sweep_posts:
            rru += swept * max(0.0, sweep.rru - idle_rru) / self.bench.sweep_posts
            wru += swept * sweep.wru / self.bench.sweep_posts
        return rru, wru

    def lines(self, load: Load, cache: bool = True) -> list[Line]:
        p, out = self.p, []
        traffic = self.traffic(load, cache)
        cf = p["cloudfront"]
        requests = traffic.viewer_requests
        out.append(
            metered(
                "CloudFront",
                "HTTPS requests (site files, data, writes)",
                requests,
                "requests",
                cf["per_10k_https_requests"],
                cf["free_tier"]["requests"],
                per=1e4,
            )
        )
        out.append(
            metered(
                "CloudFront", "data out (gzip)", traffic.viewer_gb, "GB", cf["per_gb_out"], cf["free_tier"]["gb_out"]
            )
        )
        s3 = p["s3"]
        site_gets = (self.page[0].site_requests + 3) * load.edges * DAYS  # index and reply.html files, daily per edge
        out.append(
            Line(
                "S3",
                "site files: edge refills and storage",
                site_gets,
                "GETs",
                site_gets / 1e3 * s3["per_1k_get"] + 0.001 * s3["storage_per_gb_month"],
            )
        )
        if load.static_share:
            out.append(
                Line(
                    "S3",
                    "static data objects: GETs on a cache miss",
                    traffic.s3_object_gets,
                    "GETs",
                    traffic.s3_object_gets / 1e3 * s3["per_1k_get"],
                )
            )
            out.append(
                Line(
                    "S3",
                    "static data objects: rewrites (PUT)",
                    traffic.s3_object_puts,
                    "PUTs",
                    traffic.s3_object_puts / 1e3 * s3["per_1k_put"],
                )
            )
        api = traffic.api_requests
        out.append(
            Line(
                "API Gateway",
                "REST requests reaching the API",
                api,
                "requests",
                api / 1e6 * p["api_gateway"]["rest_per_million_requests"],
            )
        )
        invocations = self.invocations(load, traffic)
        lam = p["lambda"]
        total_requests = sum(count for _, count in invocations.values())
        gb_s = self.lambda_gb_s(invocations)
        out.append(
            metered(
                "Lambda",
                "requests (API, dispatcher, sweep every minute)",
                total_requests,
                "requests",
                lam["per_million_requests"],
                lam["free_tier"]["requests"],
                per=1e6,
            )
        )
        out.append(
            metered(
                "Lambda",
                "arm64 compute (measured CPU, guessed latency and cold starts)",
                gb_s,
                "GB-s",
                lam["arm64_per_gb_second"],
                lam["free_tier"]["gb_seconds"],
            )
        )
        rru, wru = self.units(load, traffic)
        dd = p["dynamodb"]
        out.append(Line("DynamoDB", "read request units", rru, "RRU", rru / 1e6 * dd["per_million_read_request_units"]))
        out.append(
            Line("DynamoDB", "write request units", wru, "WRU", wru / 1e6 * dd["per_million_write_request_units"])
        )
        stored_gb = load.posts_per_month * 15 * 10_000 / 1e9  # guess: ~10 KB a post with its index copies and replies
        out.append(
            Line(
                "DynamoDB",
                "storage after 15 months + PITR",
                stored_gb,
                "GB",
                stored_gb * (dd["storage_per_gb_month"] + dd["pitr_per_gb_month"]),
                min(stored_gb, dd["free_tier"]["storage_gb"]) * dd["storage_per_gb_month"],
            )
        )
        # SQS: the app's sends, the dispatcher's deletes and Lambda's long polls (5 pollers, 20 s each) when idle.
        counts = self.counts(load)
        sends = sum(count * self.bench.op(name).sqs for name, count in {**traffic.origin, **counts}.items())
        handled = sum(count for name, count in counts.items() if name.endswith("message"))
        polls = 5 * SECONDS / 20
        sqs_requests = sends + handled + polls
        sq = p["sqs"]
        out.append(
            metered(
                "SQS",
                "sends, deletes and Lambda's long polls",
                sqs_requests,
                "requests",
                sq["per_million_requests"],
                sq["free_tier"]["requests"],
                per=1e6,
            )
        )
        out += self.message_lines(load)
        out += self.operations_lines(load, api, invocations)
        from tools.cost_photos import photo_lines  # it builds on Line: imported once it exists

        used = {"cdn_gb": traffic.viewer_gb, "cdn_requests": requests, "lambda_requests": total_requests}
        out += photo_lines(load, p, {**used, "lambda_gb_s": gb_s})
        return out

    def message_lines(self, load: Load) -> list[Line]:
        """SNS, WeChat and SMS: WeChat is free; e-mail and the SNS path's SMS are SNS publishes; a domestic
        provider (SMS_PROVIDER=tencent) sends its SMS itself."""
        p, out = self.p, []
        messages = self.month(load)
        sn = p["sns"]
        publishes = messages.email + (messages.sms if self.provider == "sns" else 0.0)
        out.append(
            metered(
                "SNS",
                "publishes (officer e-mails, SMS through SNS)",
                publishes,
                "publishes",
                sn["per_million_publishes"],
                sn["free_tier"]["publishes"],
                per=1e6,
            )
        )
        out.append(
            metered(
                "SNS",
                "officer notices by email",
                messages.email,
                "emails",
                sn["email_per_100k"],
                sn["free_tier"]["emails"],
                per=1e5,
            )
        )
        out.append(Line("WeChat", "notices (订阅通知, free: issue 16's statement)", messages.wechat, "messages", 0.0))
        price = messages.prices[self.provider]
        service = SMS_SERVICES[self.provider]
        for sent in messages.sent:
            if sent.flow.template and sent.sms:
                parts = sent.sms * sms_parts(self.texts[sent.flow.template], p)
                out.append(Line(service, sent.flow.what, parts, "parts", parts * price, sms=True))
        return out

    def operations_lines(self, load: Load, api: float, invocations: dict[str, tuple[str, float]]) -> list[Line]:
        """CloudWatch logs, alarms, dashboard and metrics, and the SecureString reads."""
        cw = self.p["cloudwatch"]
        dispatcher = sum(count for function, count in invocations.values() if function == "dispatcher")
        posts = load.posts_per_month
        events = posts * (2 + load.citizen_replies_per_post + 2 * load.official_replies_per_post + load.escalated_share)
        log_gb = (api * LOG_BYTES["api"] + dispatcher * LOG_BYTES["dispatcher"] + events * LOG_BYTES["emf"]) / 1e9
        out = [
            Line(
                "CloudWatch",
                "logs ingested (JSON, system lines at WARN) + 30 days kept",
                log_gb,
                "GB",
                log_gb * (cw["logs_ingest_per_gb"] + 0.15 * cw["logs_storage_per_gb_month"]),
                min(log_gb, cw["free_tier"]["logs_gb"]) * cw["logs_ingest_per_gb"],
            ),
            *self.fixed(metrics=6),
        ]
        kms = 3 * 1.5 * (SECONDS / 300) * 2  # functions x warm instances x 5-minute refresh x 2 SecureStrings
        out.append(
            metered(
                "SSM + KMS",
                "SecureString reads (decrypts)",
                kms,
                "requests",
                self.p["ssm"]["kms_per_10k_requests"],
                self.p["ssm"]["free_tier"]["kms_requests"],
                per=1e4,
            )
        )
        return out

    def fixed(self, metrics: int) -> list[Line]:
        """Alarms, the dashboard and the custom metrics: billed whatever the traffic."""
        cw = self.p["cloudwatch"]
        free = cw["free_tier"]
        return [
            metered(
                "CloudWatch",
                "custom metrics (EMF)",
                metrics,
                "metrics",
                cw["custom_metric_per_month"],
                free["custom_metrics"],
            ),
            metered("CloudWatch", "alarms", 6, "alarms", cw["standard_alarm_per_month"], free["alarms"]),
            metered("CloudWatch", "dashboard", 1, "dashboard", cw["dashboard_per_month"], free["dashboards"]),
        ]

    def idle(self) -> list[Line]:
        """The bill with no visitor at all: the sweep, the pollers, alarms, dashboard, a small table."""
        p, lam = self.p, self.p["lambda"]
        memory, _, _ = LAMBDA["sweep"]
        gb_s = MINUTES * memory * self.seconds("sweep run")
        polls = 5 * SECONDS / 20
        rru = MINUTES * 0.5  # the minute's Query of an empty due index
        lambda_usd = MINUTES / 1e6 * lam["per_million_requests"] + gb_s * lam["arm64_per_gb_second"]
        sqs_usd = polls / 1e6 * p["sqs"]["per_million_requests"]
        return [
            Line("Lambda", "sweep every minute", MINUTES, "requests", lambda_usd, lambda_usd),
            Line(
                "DynamoDB",
                "the sweep's Query of the due index",
                rru,
                "RRU",
                rru / 1e6 * p["dynamodb"]["per_million_read_request_units"],
            ),
            Line("SQS", "Lambda's long polls of the dispatch queue", polls, "requests", sqs_usd, sqs_usd),
            *self.fixed(metrics=0),
        ]


API_WRITES = (
    "create post",
    "reply",
    "official reply",
    "status change",
    "sign in code",
    "sign in verify",
    "officer link",
)


def totals(lines: Iterable[Line]) -> tuple[float, float, float]:
    """Return (infrastructure, SMS, infrastructure after the always-free tier)."""
    items = list(lines)
    infra = sum(x.usd for x in items if not x.sms)
    sms = sum(x.usd for x in items if x.sms)
    return infra, sms, infra - sum(x.free_usd for x in items if not x.sms)


def table(lines: list[Line]) -> str:
    """Render bill lines."""
    rows = [f"  {'service':<15} {'what':<52} {'quantity':>16}  {'$/month':>9}"]
    for x in lines:
        quantity = f"{x.quantity:,.0f} {x.unit}" if x.quantity >= 10 else f"{x.quantity:,.2f} {x.unit}"
        rows.append(f"  {x.service:<15} {x.item:<52} {quantity:>16}  {x.usd:>9.2f}")
    return "\n".join(rows)


def loads(resident_wechat: float = 0.8, officer_wechat: float = 1.0) -> dict[str, Load]:
    """The seed's two days: a quiet one (6,000 visits) and the average (76,000), 18,000 posts a month either way."""
    quiet = Load(resident_wechat_share=resident_wechat, officer_wechat_share=officer_wechat)
    return {"quiet": quiet, "average": replace(quiet, visits_per_day=76_000)}


def _heading(name: str, scale: float, load: Load) -> str:
    return (
        f"== {name} {scale:g}x: {load.visits_per_day:,.0f} visits/day, {load.posts_per_month:,.0f} posts/month, "
        f"{load.police_dispatches_per_month:,.0f} police dispatches/month =="
    )


def photos_summary(lines: list[Line]) -> str:
    """The photo lines' subtotal (issue 18), whose figures rest on tools/cost_photos.py's marked guesses."""
    from tools.cost_photos import is_photo_line

    photos = [line for line in lines if is_photo_line(line)]
    usd, free = sum(x.usd for x in photos), sum(x.usd - x.free_usd for x in photos)
    return (
        f"  of which photos (S3, processing, CloudFront /media/*): ${usd:,.2f}/month (${free:,.2f} after the "
        "always-free tier; guesses marked in tools/cost_photos.py)"
    )


def biggest(lines: list[Line], count: int = 4) -> str:
    """The infrastructure lines that cost most after the always-free tier."""
    infra = sorted((x for x in lines if not x.sms), key=lambda x: x.usd - x.free_usd, reverse=True)
    return ", ".join(f"{x.service} {x.item.split(' (')[0]} ${x.usd - x.free_usd:,.2f}" for x in infra[:count])


def goal_lines(name: str, lines: list[Line]) -> list[str]:
    """Issue 19's goals at a load's 1x: met or not, with the photos' lines (guesses) and without them."""
    from tools.cost_photos import is_photo_line

    infra, _, free = totals(lines)
    bare = totals(line for line in lines if not is_photo_line(line))
    out = []
    for kind, limit in GOALS.get(name, {}).items():
        value, without = (free, bare[2]) if kind == "after_free_tier" else (infra, bare[0])
        what = "after the always-free tier" if kind == "after_free_tier" else "at list price"
        out.append(
            f"  GOAL at the {name} load: infrastructure <= ${limit:g}/month {what}: "
            f"{'met' if value <= limit else 'NOT MET'} (${value:,.2f}); without photos "
            f"{'met' if without <= limit else 'NOT MET'} (${without:,.2f})"
        )
    return out


def _bill_section(bill: Bill, name: str, scale: float, load: Load) -> list[str]:
    """One load's bill: its lines (in full at 1x), the totals, the messages, the goal and the first limit."""
    from tools.cost_limits import PEAK, limits

    lines = bill.lines(load)
    infra, sms, free = totals(lines)
    messages = bill.month(load)
    first = limits(bill, load)[0]
    out = [_heading(name, scale, load)]
    if scale == 1:
        out.append(table(lines))
    out += [
        f"  infrastructure (everything but SMS): ${infra:,.2f}/month   (${free:,.2f} after the always-free tier)",
        f"  biggest after the free tier: {biggest(lines)}",
        photos_summary(lines),
        f"  messages: {messages.wechat:,.0f} WeChat, {messages.email:,.0f} e-mail, {messages.sms:,.0f} SMS "
        f"({messages.sms_parts:,.0f} parts)",
        f"  SMS ({bill.provider}): ${sms:,.2f}/month; the same through SNS to +86: ${messages.usd('sns'):,.2f}",
        f"  total: ${infra + sms:,.2f}/month",
        f"  first limit at the busiest minute ({PEAK:g}x the average rate, a guess): {first.text()}",
    ]
    if scale == 1:
        out += goal_lines(name, lines)
    return [*out, ""]


def side_by_side(bill: Bill, named: dict[str, Load], scales: tuple[float, ...]) -> list[str]:
    """Both loads at every multiple, in columns: list price, after the always-free tier, SMS."""
    columns = [(name, scale, totals(bill.lines(base.times(scale)))) for name, base in named.items() for scale in scales]
    head = "".join(f"{f'{name} {scale:g}x':>15}" for name, scale, _ in columns)
    rows = (("infrastructure, list", 0), ("  after free tier", 2), ("SMS", 1))  # label, place in totals()
    out = ["== both loads, $/month ==", f"  {'':<22}{head}"]
    for label, place in rows:
        out.append(f"  {label:<22}" + "".join(f"{t[place]:>15,.2f}" for _, _, t in columns))
    return [*out, ""]


def report(
    prices_path: Path = PRICES,
    scales: tuple[float, ...] = (1, 10, 100),
    named: dict[str, Load] | None = None,
    provider: str = "tencent",
    json_path: Path | None = None,
    bench_path: Path = BENCH,
    page_path: Path = PAGE,
) -> str:
    """Build the whole printed report (and write docs/COST.json when a path is given)."""
    from tools.cost_figures import cost_json, shares_section  # they build on Bill: imported once it exists
    from tools.cost_inputs import GUESSED_OPS

    prices = json.loads(prices_path.read_text(encoding="utf-8"))
    bench = read_bench(bench_path)
    cold, warm, page_date = read_page(page_path)
    texts = sample_texts()
    bill = Bill(prices, bench, (cold, warm), texts, provider)
    named = named or loads()
    base = named["quiet"]
    per_part = bill.month(base).prices
    out = [
        f"Police24 monthly AWS bill, {prices['region']}, prices checked {prices['checked']} ({_shown(prices_path)})",
        f"Per operation: {_shown(bench_path)} (make bench, {bench.date}, table of {bench.table_posts:,} posts): "
        + "; ".join(f"{name} {op.rru:g} RRU {op.wru:g} WRU" for name, op in bench.ops.items()),
        "Guesses (nothing measures them yet): "
        + "; ".join(f"{name} {op.rru:g} RRU {op.wru:g} WRU ({op.source})" for name, op in GUESSED_OPS.items()),
        "Lambda per invocation: own CPU (make bench) at the memory's CPU share + "
        f"{CALL_LATENCY['dynamodb'] * 1000:g} ms per AWS call (guess): "
        + "; ".join(f"{name} {bill.seconds(name) * 1000:.0f} ms" for name in bench.handlers),
        f"Page ({_shown(page_path)}, {page_date}): cold visit {cold.site_requests} files {cold.site_bytes:,} bytes + "
        f"data {sum(cold.data.values())} requests; warm {warm.site_requests} files {warm.site_bytes:,} bytes + data "
        f"{sum(warm.data.values())}; {base.cold_share:.0%} of visits cold (guess). Static public reads: "
        f"{base.static_share:.0%} of the anonymous first feed pages and post pages (CloudFront {STATIC_TTL} s, "
        f"{OBJECTS_PER_CHANGE} objects rewritten per change: a guess).",
        "SMS templates: " + ", ".join(f"{k} {len(v)} chars = {sms_parts(v, prices)} part(s)" for k, v in texts.items()),
        f"Messages: WeChat first (residents {base.resident_wechat_share:.0%}, officers "
        f"{base.officer_wechat_share:.0%} bound), then e-mail, then SMS. WeChat: $0 ({WECHAT_COST_SOURCE}). "
        f"SMS per part: Tencent ${per_part['tencent']:.4f} ({prices['sms']['domestic_provider_source']}); "
        f"SNS to +86 ${per_part['sns']:.2f} ({prices['sms']['china_per_part_is']}).",
        "",
    ]
    out += side_by_side(bill, named, scales)
    for name, load in named.items():
        for scale in scales:
            out += _bill_section(bill, name, scale, load.times(scale))
    out += limits_section(bill, named, scales)
    out += shares_section(bill, named["average"])
    idle = bill.idle()
    infra, _, free = totals(idle)
    out += [
        "== idle: no traffic at all ==",
        table(idle),
        f"  idle: ${infra:,.2f}/month (${free:,.2f} after the always-free tier)",
        "",
    ]
    out += levers(bill, named["average"])
    if json_path is not None:
        data = cost_json(bill, named, scales)
        json_path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        out.append(f"Wrote {_shown(json_path)}.")
    return "\n".join(out)


def limits_section(bill: Bill, named: dict[str, Load], scales: tuple[float, ...]) -> list[str]:
    """For each load and multiple above 1x, the first limit it would hit and the next two."""
    from tools.cost_limits import PEAK, limits

    out = [f"== limits at the busiest minute ({PEAK:g}x the month's average rate, a guess) =="]
    for name, base in named.items():
        for scale in scales:
            found = limits(bill, base.times(scale))
            out.append(f"  {name} {scale:g}x: first {found[0].text()}")
            out += [f"      then {limit.text()}" for limit in found[1:3]]
    return [*out, ""]


def levers(bill: Bill, load: Load) -> list[str]:
    """What the biggest choices are worth at a load."""
    now = totals(bill.lines(load))[2]
    api_reads = totals(bill.lines(replace(load, static_share=0.0)))[2]
    uncached = totals(bill.lines(replace(load, static_share=0.0), cache=False))[2]
    return [
        f"Levers (average load, after the always-free tier, now ${now:,.2f}):",
        f"- static public reads (first feed pages, post pages) save ${api_reads - now:,.2f}/month against serving "
        "them from the API (API Gateway, Lambda, DynamoDB per request)",
        f"- CloudFront's few-second cache of the API's public GETs saves a further ${uncached - api_reads:,.2f}/month",
        "- every request path is a Query or GetItem: a Scan of 270 k posts (~2.7 GB) would cost ~330 k RRU, "
        f"${330_000 / 1e6 * bill.p['dynamodb']['per_million_read_request_units']:.3f} each time it runs",
        "- SMS is what residents not on WeChat cost: each gets a code at every sign-in and every answer by SMS",
        "- fixed costs (dashboard $3, alarms, metrics) vanish inside the always-free tier of a small account",
    ]


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.cost", description=__doc__.splitlines()[0])
    parser.add_argument("--prices", type=Path, default=PRICES)
    parser.add_argument("--scale", type=float, nargs="+", default=[1, 10, 100])
    parser.add_argument("--resident-wechat", type=float, default=0.8, help="share of residents bound to WeChat")
    parser.add_argument("--officer-wechat", type=float, default=1.0, help="share of officers bound to WeChat")
    parser.add_argument("--static-share", type=float, default=1.0, help="public first pages served as static objects")
    parser.add_argument("--sms-provider", choices=sorted(SMS_SERVICES), default="tencent")
    parser.add_argument("--json", type=Path, default=COST_JSON, help="where to write the figures ('-': nowhere)")
    args = parser.parse_args(argv)
    for share in (args.resident_wechat, args.officer_wechat, args.static_share):
        if not 0 <= share <= 1:
            parser.error("a share is between 0 and 1")
    named = {
        name: replace(load, static_share=args.static_share)
        for name, load in loads(args.resident_wechat, args.officer_wechat).items()
    }
    json_path = None if str(args.json) == "-" else args.json.resolve()
    print(report(args.prices.resolve(), tuple(args.scale), named, args.sms_provider, json_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
