"""`make cost`: the monthly AWS bill at 1x, 10x and 100x the seed's load, and at zero traffic, with the
messages each channel carries (WeChat, e-mail, SMS) and what the SMS cost; the figures go to docs/COST.json.

    python -m tools.cost [--prices docs/prices-us-east-1-2026.json] [--scale 1 10 100]
                         [--resident-wechat 0.8] [--officer-wechat 1.0] [--sms-provider tencent|sns]
                         [--json docs/COST.json]

Three inputs, each printed with its source:
- prices: the dated table in docs/ (list prices, first tier; the always-free allowances shown apart);
- DynamoDB per HTTP operation: the calls and bytes `make bench` measured (docs/PERFORMANCE.md, largest
  table size), turned into request units; what bench does not measure (write sizes, workers, sign-in)
  comes from a static table below, estimated from the code path;
- the load: the seed's figures (6,000 visits a day on a quiet day, 76,000 on average; 270 k posts in 15 months,
  1,397 police dispatches a year) and stated assumptions (replies per post, sign-ins, officers notified, the
  shares of residents and officers bound to WeChat ...).
Messages follow the app's flows (tools/cost_messages.py): WeChat first, then e-mail, then SMS templates.
Photos (S3, the processing Lambda, CloudFront for /media/*) are tools/cost_photos.py's lines, on guesses it marks.
CloudFront's hit ratio is modelled per cached route: a route asked λ times a second at each of E edges
with a TTL of T seconds is answered from the cache λT / (1 + λT) of the time.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tools.cost_messages import WECHAT_COST_SOURCE, Month, month, sample_texts, sms_parts

ROOT = Path(__file__).resolve().parent.parent
PRICES = ROOT / "docs" / "prices-us-east-1-2026.json"
PERFORMANCE = ROOT / "docs" / "PERFORMANCE.md"
COST_JSON = ROOT / "docs" / "COST.json"
SMS_SERVICES = {"tencent": "SMS (Tencent)", "sns": "SMS (SNS, +86)"}  # SMS_PROVIDER -> the bill's line
SMS_GOAL_USD = 50.0  # issue 16: SMS under $50 a month at the average load, at the default WeChat shares
WEB = ROOT / "web"
DAYS = 30.4
SECONDS = DAYS * 86400
MINUTES = DAYS * 1440

# What bench does not measure, estimated from the code path (eventually consistent reads: 0.5 RRU per 4 KB;
# writes: 1 WRU per KB, doubled inside a transaction, plus one write per GSI the item is projected into).
STATIC_OPS: dict[str, tuple[float, float, str]] = {
    # name: (RRU, WRU, how)
    "transaction of create post": (0, 14, "post 2 KB x2 + event x2 + idempotency x2 + 4 GSIs x2 KB (ALL projection)"),
    "transaction of reply": (0, 14, "reply x2 + post update 2 KB x2 + 4 GSI rewrites x2 KB + event x2"),
    "sign-in (otp + session)": (2.5, 7, "OTP put, 3 rate counters, user get/create, OTP delete"),
    "officer link": (1, 1, "token check, officer get, session"),
    "figures": (1, 0, "one Query of the STATS partition"),
    "reference": (0.25, 0, "boards, districts, templates: none; units: one small Query of DIR (1 in 4)"),
    "dispatch message": (
        3,
        22,
        "post get, routing, unit, officers Query, assign transaction, stats (total and day), 2 notices",
    ),
    "official-reply message": (
        1.5,
        13,
        "post get, first-response and deadline claims, stats (total and day), SMS claim",
    ),
    "110 hand-off": (0.5, 8, "incident record, ledger claim and confirm, stats (total and day)"),
    "escalation": (2, 25, "post update transaction, leaders Query, notices, stats (total and day), deadline claim"),
    "sweep run": (0.5, 0, "one Query of the sparse due index (GSI5)"),
}


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
    status_notices_per_post: float = 2.0  # a guess: status changes an author hears of (dispatched, in progress)
    edges: int = 3  # CloudFront edges mainland readers land on (HK, Tokyo, Singapore)
    gets_per_visit: dict[str, float] = field(
        default_factory=lambda: {
            "feed first page": 1.0,
            "feed next page": 0.5,
            "post detail": 1.5,
            "reference": 1.0,
            "figures": 0.1,
        }
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


# Cached API GETs: TTL (s) and how many distinct URLs share the traffic.
CACHED = {
    "feed first page": (10, 3),
    "feed next page": (10, 3),
    "post detail": (10, 50),
    "reference": (300, 4),
    "figures": (10, 1),
}
API_GZIP_BYTES = {
    "feed first page": 7_000,
    "feed next page": 7_000,
    "post detail": 3_000,
    "reference": 2_000,
    "figures": 1_500,
    "write": 800,
}
LAMBDA = {  # memory GB, assumed warm duration s (bench counts calls, not time), cold-start share, init s
    "api": (0.5, 0.06, 0.01, 1.2),
    "dispatcher": (0.25, 0.15, 0.05, 1.5),
    "sweep": (0.25, 0.08, 0.002, 1.5),
}
LOG_BYTES = {"api": 250, "dispatcher": 400, "sweep": 0, "emf": 330}  # JSON app logs; platform lines off (WARN)


@dataclass(frozen=True)
class BenchOp:
    """One operation as `make bench` measured it."""

    calls: str
    reads: int
    single_writes: int
    transactions: int
    compact_bytes: int

    @property
    def rru(self) -> float:
        if not self.reads:
            return 0.0
        per_call = self.compact_bytes / self.reads
        return self.reads * math.ceil(max(per_call, 1) / 4096) * 0.5


def bench_ops(path: Path = PERFORMANCE) -> dict[str, BenchOp]:
    """Read the calls-per-operation table of docs/PERFORMANCE.md (its largest table size)."""
    text = path.read_text(encoding="utf-8")
    section = text.split("## Calls per operation", 1)[1].split("\n## ", 1)[0]
    ops: dict[str, BenchOp] = {}
    current = ""
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 9 or not cells[4].replace(",", "").isdigit():
            continue
        current = cells[0] or current
        calls = cells[3]
        counts = {"read": 0, "write": 0, "transact": 0}
        for part in calls.split(" + "):
            found = re.match(r"(?:(\d+)x )?([A-Za-z]+)", part.strip())
            if not found:
                continue
            times, name = int(found.group(1) or 1), found.group(2)
            kind = (
                "read"
                if name in ("GetItem", "Query", "BatchGetItem")
                else "transact"
                if name.startswith("Transact")
                else "write"
            )
            counts[kind] += times
        ops[current] = BenchOp(
            calls, counts["read"], counts["write"], counts["transact"], int(cells[7].replace(",", ""))
        )
    missing = {"feed first page", "feed next page", "post detail", "create post", "reply"} - set(ops)
    if missing:
        raise SystemExit(f"{path} lacks {', '.join(sorted(missing))}: run `make bench`")
    return ops


def hit_ratio(per_second: float, ttl: float, edges: int) -> float:
    """Share of requests a CloudFront edge answers from its cache (one miss opens a TTL window)."""
    rate = per_second / edges * ttl
    return rate / (1 + rate)


def static_site(web: Path = WEB) -> tuple[int, int]:
    """Return (files, gzip bytes) a first visit to index.html downloads: the built page, its script and
    stylesheet (web/dist, `make web`); without a build, the sources: the page, css, icon and its modules."""
    import gzip

    from tools import build_web

    built = build_web.manifest(web / "dist")
    if built is not None:
        pages = [web / "dist" / "index.html", *(web / "dist" / a for a in built["pages"]["index.html"])]
        return len(pages), sum(len(gzip.compress(p.read_bytes())) for p in pages)
    files = [web / "index.html", web / "favicon.svg", *sorted((web / "css").glob("*.css"))]
    seen: set[Path] = set()
    todo = [web / "js" / "app.js"]
    while todo:
        module = todo.pop()
        if module in seen or not module.exists():
            continue
        seen.add(module)
        todo += [module.parent / name for name in re.findall(r'from\s+"\./([\w.-]+\.js)"', module.read_text("utf-8"))]
    files += sorted(seen)
    return len(files), sum(len(gzip.compress(p.read_bytes())) for p in files if p.exists())


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


class Bill:
    """Compute a month's bill from a load, prices and per-operation figures."""

    def __init__(
        self,
        prices: dict[str, Any],
        ops: dict[str, BenchOp],
        site: tuple[int, int],
        texts: dict[str, str],
        provider: str = "tencent",
    ) -> None:
        self.p, self.ops, self.site, self.texts, self.provider = prices, ops, site, texts, provider

    def month(self, load: Load) -> Month:
        """Return the load's messages by channel, SMS priced per provider."""
        return month(load, self.p, self.texts)

    def lines(self, load: Load, cache: bool = True) -> list[Line]:
        p, out = self.p, []
        visits = load.visits
        posts = load.posts_per_month
        official = posts * load.official_replies_per_post
        replies = posts * (load.official_replies_per_post + load.citizen_replies_per_post)
        sign_ins = posts * load.sign_ins_per_post
        handoffs = posts * load.incident_board_share
        escalations = posts * load.escalated_share

        # HTTP: viewer requests, CloudFront hits, origin requests.
        origin: dict[str, float] = {}
        viewer_api = 0.0
        api_bytes = 0.0
        for route, per_visit in load.gets_per_visit.items():
            asked = visits * per_visit
            ttl, urls = CACHED[route]
            anonymous = asked * (1 - load.signed_in_share)
            hit = hit_ratio(anonymous / SECONDS / urls, ttl, load.edges) if cache else 0.0
            origin[route] = anonymous * (1 - hit) + asked * load.signed_in_share
            viewer_api += asked
            api_bytes += asked * API_GZIP_BYTES[route]
        writes = {
            "create post": posts,
            "reply": replies,
            "sign-in (otp + session)": sign_ins * 2,
            "officer link": official,
        }
        for name, count in writes.items():
            origin[name] = count
            viewer_api += count
            api_bytes += count * API_GZIP_BYTES["write"]
        api_requests = sum(origin.values())
        files, gz = self.site
        static_requests = visits * files + official * 4  # officers open reply.html (page, css, 2 modules)
        static_bytes = visits * gz

        cf = p["cloudfront"]
        requests = static_requests + viewer_api
        gb_out = (static_bytes + api_bytes) / 1e9
        out.append(
            metered(
                "CloudFront",
                "HTTPS requests",
                requests,
                "requests",
                cf["per_10k_https_requests"],
                cf["free_tier"]["requests"],
                per=1e4,
            )
        )
        out.append(metered("CloudFront", "data out (gzip)", gb_out, "GB", cf["per_gb_out"], cf["free_tier"]["gb_out"]))
        s3_gets = files * load.edges * DAYS  # s-maxage of a day; a deploy invalidates
        out.append(
            Line(
                "S3",
                "site storage and edge refills",
                s3_gets,
                "GETs",
                s3_gets / 1e3 * p["s3"]["per_1k_get"] + 0.001 * p["s3"]["storage_per_gb_month"],
            )
        )
        out.append(
            Line(
                "API Gateway",
                "REST requests reaching the API",
                api_requests,
                "requests",
                api_requests / 1e6 * p["api_gateway"]["rest_per_million_requests"],
            )
        )

        # Lambda.
        dispatch_messages = posts + official + escalations
        invocations = {"api": api_requests, "dispatcher": dispatch_messages, "sweep": MINUTES}
        lam = p["lambda"]
        total_requests = sum(invocations.values())
        gb_s = 0.0
        for name, count in invocations.items():
            memory, duration, cold, init = LAMBDA[name]
            gb_s += count * memory * (duration + cold * init)
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
                "arm64 compute incl. billed cold starts",
                gb_s,
                "GB-s",
                lam["arm64_per_gb_second"],
                lam["free_tier"]["gb_seconds"],
            )
        )

        # DynamoDB.
        rru = wru = 0.0
        for route in load.gets_per_visit:
            figures = self.ops.get(route)
            unit_rru = figures.rru if figures else STATIC_OPS.get(route, (0.0, 0.0, ""))[0]
            rru += origin[route] * unit_rru
        for name, count in (("create post", posts), ("reply", replies)):
            op = self.ops[name]
            rru += count * op.rru
            wru += count * (op.single_writes + STATIC_OPS[f"transaction of {name}"][1] * op.transactions)
        for name, count in (
            ("sign-in (otp + session)", sign_ins),
            ("officer link", official),
            ("dispatch message", posts),
            ("official-reply message", official),
            ("110 hand-off", handoffs),
            ("escalation", escalations),
            ("sweep run", MINUTES),
        ):
            r, w, _ = STATIC_OPS[name]
            rru, wru = rru + count * r, wru + count * w
        dd = p["dynamodb"]
        out.append(
            Line(
                "DynamoDB",
                "read request units (eventually consistent)",
                rru,
                "RRU",
                rru / 1e6 * dd["per_million_read_request_units"],
            )
        )
        out.append(
            Line("DynamoDB", "write request units", wru, "WRU", wru / 1e6 * dd["per_million_write_request_units"])
        )
        stored_gb = posts * 15 * 10_000 / 1e9  # after 15 months: ~10 KB a post with its GSI copies, replies, events
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

        # SQS: sends, the dispatcher's deletes, and Lambda's long polls (5 pollers, 20 s each) even when idle.
        polls = 5 * SECONDS / 20
        sqs_requests = dispatch_messages * 2 + handoffs + polls
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

        # Messages by channel (tools/cost_messages.py): WeChat is free; e-mail and SMS of the SNS path go
        # through SNS publishes; a domestic provider (SMS_PROVIDER=tencent) sends its SMS itself.
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

        # CloudWatch and the rest.
        cw = p["cloudwatch"]
        log_gb = (
            api_requests * LOG_BYTES["api"]
            + dispatch_messages * LOG_BYTES["dispatcher"]
            + (posts * 2 + replies + official + escalations) * LOG_BYTES["emf"]
        ) / 1e9
        out.append(
            Line(
                "CloudWatch",
                "logs ingested (JSON, system lines at WARN) + 30 days kept",
                log_gb,
                "GB",
                log_gb * (cw["logs_ingest_per_gb"] + 0.15 * cw["logs_storage_per_gb_month"]),
                min(log_gb, cw["free_tier"]["logs_gb"]) * cw["logs_ingest_per_gb"],
            )
        )
        out += self.fixed(metrics=6)
        kms = 3 * 1.5 * (SECONDS / 300) * 2  # functions x warm instances x 5-minute refresh x 2 SecureStrings
        out.append(
            metered(
                "SSM + KMS",
                "SecureString reads (decrypts)",
                kms,
                "requests",
                p["ssm"]["kms_per_10k_requests"],
                p["ssm"]["free_tier"]["kms_requests"],
                per=1e4,
            )
        )
        from tools.cost_photos import photo_lines  # it builds on Line: imported once it exists

        used = {"cdn_gb": gb_out, "cdn_requests": requests, "lambda_requests": total_requests, "lambda_gb_s": gb_s}
        out += photo_lines(load, p, used)
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
        memory, duration, _, _ = LAMBDA["sweep"]
        gb_s = MINUTES * memory * duration
        polls = 5 * SECONDS / 20
        rru = MINUTES * STATIC_OPS["sweep run"][0]
        return [
            Line(
                "Lambda",
                "sweep every minute",
                MINUTES,
                "requests",
                MINUTES / 1e6 * lam["per_million_requests"] + gb_s * lam["arm64_per_gb_second"],
                MINUTES / 1e6 * lam["per_million_requests"] + gb_s * lam["arm64_per_gb_second"],
            ),
            Line(
                "DynamoDB",
                "the sweep's Query of the due index",
                rru,
                "RRU",
                rru / 1e6 * p["dynamodb"]["per_million_read_request_units"],
            ),
            Line(
                "SQS",
                "Lambda's long polls of the dispatch queue",
                polls,
                "requests",
                polls / 1e6 * p["sqs"]["per_million_requests"],
                polls / 1e6 * p["sqs"]["per_million_requests"],
            ),
            *self.fixed(metrics=0),
        ]


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


def _bill_section(bill: Bill, name: str, scale: float, load: Load) -> list[str]:
    """One load's bill: its lines, the infrastructure and SMS totals, the messages by channel."""
    lines = bill.lines(load)
    infra, sms, free = totals(lines)
    messages = bill.month(load)
    goal = ""
    if scale == 1 and name == "quiet":
        goal = (
            f"\n  goal under $10/month at 1x: {'met' if infra < 10 else 'not met'} at list price (${infra:,.2f}), "
            f"{'met' if free < 10 else 'not met'} after the always-free tier (${free:,.2f}); SMS is extra"
        )
    return [
        _heading(name, scale, load),
        table(lines),
        f"  infrastructure (everything but SMS): ${infra:,.2f}/month   (${free:,.2f} after the always-free tier)",
        photos_summary(lines),
        f"  messages: {messages.wechat:,.0f} WeChat, {messages.email:,.0f} e-mail, {messages.sms:,.0f} SMS "
        f"({messages.sms_parts:,.0f} parts)",
        f"  SMS ({bill.provider}): ${sms:,.2f}/month; the same through SNS to +86: ${messages.usd('sns'):,.2f}",
        f"  total: ${infra + sms:,.2f}/month{goal}",
        "",
    ]


def report(
    prices_path: Path = PRICES,
    scales: tuple[float, ...] = (1, 10, 100),
    named: dict[str, Load] | None = None,
    provider: str = "tencent",
    json_path: Path | None = None,
) -> str:
    """Build the whole printed report (and write docs/COST.json when a path is given)."""
    from tools.cost_figures import cost_json, shares_section  # they build on Bill: imported once it exists

    prices = json.loads(prices_path.read_text(encoding="utf-8"))
    ops = bench_ops()
    texts = sample_texts()
    bill = Bill(prices, ops, static_site(), texts, provider)
    named = named or loads()
    base = named["quiet"]
    per_part = bill.month(base).prices
    out = [
        f"Police24 monthly AWS bill, {prices['region']}, prices checked {prices['checked']} "
        f"({prices_path.relative_to(ROOT) if prices_path.is_relative_to(ROOT) else prices_path})",
        f"DynamoDB per operation from {PERFORMANCE.relative_to(ROOT)} (make bench): "
        + "; ".join(f"{name} {op.calls} = {op.rru:g} RRU" for name, op in ops.items()),
        f"Site: {bill.site[0]} files, {bill.site[1]:,} bytes gzip on a first visit. SMS templates: "
        + ", ".join(f"{k} {len(v)} chars = {sms_parts(v, prices)} part(s)" for k, v in texts.items()),
        f"Messages: WeChat first (residents {base.resident_wechat_share:.0%}, officers "
        f"{base.officer_wechat_share:.0%} bound), then e-mail, then SMS. WeChat: $0 ({WECHAT_COST_SOURCE}). "
        f"SMS per part: Tencent ${per_part['tencent']:.4f} ({prices['sms']['domestic_provider_source']}); "
        f"SNS to +86 ${per_part['sns']:.2f} ({prices['sms']['china_per_part_is']}).",
        "",
    ]
    for scale in scales:
        out += _bill_section(bill, "quiet", scale, base.times(scale))
    out += _bill_section(bill, "average", 1, named["average"])
    out += shares_section(bill, named["average"])
    idle = bill.idle()
    infra, _, free = totals(idle)
    out += [
        "== idle: no traffic at all ==",
        table(idle),
        f"  idle: ${infra:,.2f}/month (${free:,.2f} after the always-free tier)",
        "",
    ]
    one = base.times(1)
    bundled = Bill(prices, ops, (3, bill.site[1]), texts, provider)
    bundle_saves = totals(bill.lines(one))[0] - totals(bundled.lines(one))[0]
    with_cache, _, _ = totals(bill.lines(one))
    without, _, _ = totals(bill.lines(one, cache=False))
    ten = base.times(10)
    with_cache10, _, _ = totals(bill.lines(ten))
    without10, _, _ = totals(bill.lines(ten, cache=False))
    out += [
        "Levers:",
        f"- CloudFront caching of public GETs saves ${without - with_cache:,.2f}/month at 1x and "
        f"${without10 - with_cache10:,.2f} at 10x (API Gateway, Lambda and DynamoDB calls it absorbs).",
        "- Every request path is a Query or GetItem: a Scan of 270 k posts (~2.7 GB) would cost ~330 k RRU, "
        f"${330_000 / 1e6 * prices['dynamodb']['per_million_read_request_units']:.3f} each time it runs.",
        "- SMS is what residents not on WeChat cost: each of them gets a code at every sign-in and every answer "
        "by SMS; every resident bound to WeChat costs one code, ever. Officers bound to WeChat cost nothing.",
        f"- The page loads {bill.site[0]} files (ES modules, unbundled): bundling them into one script and one "
        f"stylesheet saves ${bundle_saves:,.2f}/month of CloudFront requests at 1x.",
        "- Fixed costs (dashboard $3, alarms, metrics) vanish inside the always-free tier of a small account.",
    ]
    if json_path is not None:
        data = cost_json(bill, named, scales)
        json_path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        out.append(f"Wrote {json_path.relative_to(ROOT) if json_path.is_relative_to(ROOT) else json_path}.")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.cost", description=__doc__.splitlines()[0])
    parser.add_argument("--prices", type=Path, default=PRICES)
    parser.add_argument("--scale", type=float, nargs="+", default=[1, 10, 100])
    parser.add_argument("--resident-wechat", type=float, default=0.8, help="share of residents bound to WeChat")
    parser.add_argument("--officer-wechat", type=float, default=1.0, help="share of officers bound to WeChat")
    parser.add_argument("--sms-provider", choices=sorted(SMS_SERVICES), default="tencent")
    parser.add_argument("--json", type=Path, default=COST_JSON, help="where to write the figures ('-': nowhere)")
    args = parser.parse_args(argv)
    for share in (args.resident_wechat, args.officer_wechat):
        if not 0 <= share <= 1:
            parser.error("a WeChat share is between 0 and 1")
    named = loads(args.resident_wechat, args.officer_wechat)
    json_path = None if str(args.json) == "-" else args.json.resolve()
    print(report(args.prices.resolve(), tuple(args.scale), named, args.sms_provider, json_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
