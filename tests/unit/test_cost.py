"""`make cost`: the bill from bench's per-operation figures (docs/bench.json), the page's weight and the dated
price table; the arithmetic is checked on a small hand-made bench.json."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from chalicelib.domain.messages import SMS_TEMPLATES
from tools.cost import (
    COST_JSON,
    MINUTES,
    PRICES,
    SECONDS,
    SMS_GOAL_USD,
    Bill,
    Load,
    hit_ratio,
    loads,
    report,
    totals,
)
from tools.cost_figures import cost_json
from tools.cost_inputs import GUESSED_OPS, read_bench, read_page
from tools.cost_limits import PEAK, limits
from tools.cost_messages import flows, month, route, sample_texts, sms_parts

PRICES_TABLE = json.loads(PRICES.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def bill() -> Bill:
    prices = json.loads(PRICES.read_text(encoding="utf-8"))
    cold, warm, _ = read_page()
    return Bill(prices, read_bench(), (cold, warm), sample_texts())


def test_the_price_table_is_dated_and_names_its_sources() -> None:
    prices = json.loads(PRICES.read_text(encoding="utf-8"))
    assert prices["checked"] and prices["region"] == "us-east-1"
    for service, table in prices.items():
        if isinstance(table, dict):
            assert table.get("source"), service


def test_every_service_has_a_line(bill: Bill) -> None:
    services = {line.service for line in bill.lines(Load())}
    assert services >= {
        "API Gateway",
        "Lambda",
        "DynamoDB",
        "SQS",
        "SNS",
        "SMS (Tencent)",
        "WeChat",
        "CloudFront",
        "CloudWatch",
        "SSM + KMS",
        "S3",
    }


def test_without_wechat_text_messages_are_the_bill(bill: Bill) -> None:
    infra, _, _ = totals(bill.lines(Load()))
    nobody_on_wechat = Load(resident_wechat_share=0, officer_wechat_share=0)
    assert totals(bill.lines(nobody_on_wechat))[1] > infra  # without WeChat, text messages are the bill


def test_the_bill_grows_with_the_load_and_caching_saves_more_at_scale(bill: Bill) -> None:
    one, ten = Load(), Load().times(10)
    assert totals(bill.lines(ten))[0] > totals(bill.lines(one))[0]
    saved_one = totals(bill.lines(one, cache=False))[0] - totals(bill.lines(one))[0]
    saved_ten = totals(bill.lines(ten, cache=False))[0] - totals(bill.lines(ten))[0]
    assert 0 < saved_one < saved_ten


def test_the_idle_bill_is_the_fixed_costs_only(bill: Bill) -> None:
    infra, sms, after_free_tier = totals(bill.idle())
    assert sms == 0 and infra < 5 and after_free_tier == pytest.approx(0, abs=0.01)


def test_hit_ratio_grows_with_traffic_and_ttl() -> None:
    assert hit_ratio(0, 10, 3) == 0
    assert hit_ratio(1, 10, 3) < hit_ratio(10, 10, 3) < 1
    assert hit_ratio(1, 10, 3) < hit_ratio(1, 300, 3)


def test_chinese_sms_are_billed_per_70_then_67_characters() -> None:
    prices = json.loads(PRICES.read_text(encoding="utf-8"))
    assert sms_parts("字" * 70, prices) == 1
    assert sms_parts("字" * 71, prices) == 2
    assert sms_parts("字" * 135, prices) == 3


def test_the_report_prints_each_load_the_idle_bill_and_the_levers() -> None:
    text = report()
    for heading in ("== quiet 1x:", "== quiet 10x:", "== quiet 100x:", "== average 1x:", "== idle:", "Levers ("):
        assert heading in text
    for heading in ("== average 10x:", "== average 100x:", "== both loads, $/month ==", "== limits at the busiest"):
        assert heading in text
    assert "prices checked" in text and "docs/bench.json" in text and "docs/page-weight.json" in text
    assert "GOAL at the average load: infrastructure <= $5/month after the always-free tier" in text
    assert "GOAL at the quiet load: infrastructure <= $1/month after the always-free tier" in text


def test_the_texts_of_closing_the_loop_are_billed(bill: Bill) -> None:
    """Issue 14 texts the author when a post is resolved and an officer on a follow-up: both cost SMS parts."""
    nobody = Load(resident_wechat_share=0, officer_wechat_share=0)
    lines = bill.lines(nobody)
    resolved = [line for line in lines if "resolved" in line.item]
    assert len(resolved) == 1 and resolved[0].sms and resolved[0].usd > 0
    fewer = totals(bill.lines(replace(nobody, resolved_share=0, author_follow_ups_per_post=0)))[1]
    assert fewer < totals(lines)[1]


def test_every_sms_template_is_priced_by_its_own_text() -> None:
    texts = sample_texts()
    assert set(texts) == set(SMS_TEMPLATES)
    assert all("{" not in text and text.startswith("【24小时警局】") for text in texts.values())


def test_residents_on_wechat_get_no_sms_but_the_one_code_that_binds_them() -> None:
    everyone = month(Load(resident_wechat_share=1, officer_wechat_share=1), PRICES_TABLE, sample_texts())
    by_flow = {sent.flow.what: sent for sent in everyone.sent}
    assert by_flow["sign-in codes (not on WeChat)"].sms == 0
    assert by_flow["'police answered you'"].sms == 0 and by_flow["'police answered you'"].wechat > 0
    binding = by_flow["binding codes (once ever, new residents)"]
    assert binding.sms > 0 and everyone.sms == binding.sms


def test_status_changes_are_never_an_sms_and_officers_fall_back_to_email_before_sms() -> None:
    load = Load(resident_wechat_share=0, officer_wechat_share=0, officer_email_share=0.5)
    sent = {flow.what: route(flow, load) for flow in flows(load)}
    status = sent["status changes"]
    assert status.sms == 0 and status.wechat == 0  # a resident not on WeChat hears of status changes on the page
    new = sent["officer notices of a new post"]
    assert new.email == new.sms == new.flow.count / 2


def test_sms_cost_falls_as_more_people_bind_wechat(bill: Bill) -> None:
    average = loads()["average"]
    costs = [
        bill.month(replace(average, resident_wechat_share=s, officer_wechat_share=s)).usd("tencent")
        for s in (0, 0.8, 1)
    ]
    assert costs[0] > costs[1] > costs[2] > 0
    assert bill.month(average).usd("sns") > bill.month(average).usd("tencent")  # SNS to +86 costs more a part


def test_the_report_prints_the_sms_line_at_three_shares_and_whether_the_goal_is_met() -> None:
    text = report()
    assert "residents and officers 0%" in text and "(default)" in text and "residents and officers 100%" in text
    assert f"goal: SMS under ${SMS_GOAL_USD:.0f}/month at the average load" in text
    assert "== average 1x: 76,000 visits/day" in text


def test_cost_json_has_every_load_and_scale_and_matches_the_code(bill: Bill) -> None:
    """docs/COST.json is what `make cost` writes: its message figures must match today's flows and prices."""
    fresh = cost_json(bill, loads(), (1, 10, 100))
    stored = json.loads(COST_JSON.read_text(encoding="utf-8"))
    assert stored["loads"]["quiet"]["visits_per_day"] == 6000 and stored["loads"]["average"]["visits_per_day"] == 76000
    keys = ("sms_usd", "sms_usd_by_wechat_share", "wechat_messages", "sms_messages", "email_messages", "sms_parts")
    for name in ("quiet", "average"):
        for scale in ("1x", "10x", "100x"):
            assert {k: stored["loads"][name][scale][k] for k in keys} == {
                k: fresh["loads"][name][scale][k] for k in keys
            }
    assert stored["goal"] == fresh["goal"]


def test_photos_are_priced_in_s3_the_processing_lambda_and_cloudfront(bill: Bill) -> None:
    from tools.cost_photos import Photos, is_photo_line, photo_lines

    lines = [line for line in bill.lines(Load()) if is_photo_line(line)]
    assert {line.service for line in lines} == {"S3 photos", "Lambda photos", "CloudFront"}
    assert all(line.usd > 0 for line in lines if line.item != "processing requests")
    used = {"cdn_gb": 0.0, "cdn_requests": 0.0, "lambda_requests": 0.0, "lambda_gb_s": 0.0}

    def usd(photos: Photos, load: Load = Load()) -> float:
        return sum(line.usd for line in photo_lines(load, PRICES_TABLE, used, photos))

    assert usd(Photos(post_share=0)) == 0  # no photos, no bill
    assert usd(Photos(post_share=0.3)) < usd(Photos(post_share=0.6))
    assert usd(Photos(thumb_kb=20)) < usd(Photos())  # the thumbnail's bytes are what feeds cost
    assert usd(Photos(), loads()["average"]) > usd(Photos())  # readers, not posts, drive CloudFront


def test_photo_lines_take_only_what_the_other_lines_leave_of_the_free_tier() -> None:
    from tools.cost_photos import photo_lines

    allowance = PRICES_TABLE["cloudfront"]["free_tier"]["gb_out"]
    spent = {"cdn_gb": allowance, "cdn_requests": 1e12, "lambda_requests": 1e12, "lambda_gb_s": 1e12}
    assert all(line.free_usd == 0 for line in photo_lines(Load(), PRICES_TABLE, spent))
    fresh = {"cdn_gb": 0.0, "cdn_requests": 0.0, "lambda_requests": 0.0, "lambda_gb_s": 0.0}
    (data,) = [x for x in photo_lines(Load(), PRICES_TABLE, fresh) if x.item.startswith("photo data")]
    assert data.free_usd == data.usd  # 1x's photo transfer fits a fresh free tier


def test_cost_json_has_the_photo_figures_of_every_load_and_scale(bill: Bill) -> None:
    fresh = cost_json(bill, loads(), (1, 10, 100))
    stored = json.loads(COST_JSON.read_text(encoding="utf-8"))
    assert stored["photo_assumptions"] == fresh["photo_assumptions"]
    assert stored["photo_assumptions"]["post_share"] == 0.3
    for name in ("quiet", "average"):
        for scale in ("1x", "10x", "100x"):
            for key in ("photos_usd", "photo_lines_usd"):  # list prices: independent of the page's build
                assert stored["loads"][name][scale][key] == fresh["loads"][name][scale][key], (name, scale, key)
            assert 0 < stored["loads"][name][scale]["photos_usd"] < stored["loads"][name][scale]["infrastructure_usd"]


# A small hand-made bench.json: reads cost 1 RRU, writes 2 WRU, the dispatcher's messages 3 WRU; every handler
# 10 ms of its own CPU and one AWS call; the sweep's recorded run handled 4 posts for 2 RRU and 8 WRU.
READS = ("feed first page", "feed next page", "post detail", "reference", "figures")
WRITES = ("create post", "reply", "official reply", "status change", "sign in code", "sign in verify")
MESSAGES = ("dispatch message", "status message", "official_reply message", "follow_up message")


def _op(rru: float, wru: float, **more: object) -> dict[str, object]:
    return {"calls": 1, "read_units": rru, "write_units": wru, "index_write_units": 0, "bytes_returned": 0, **more}


def small_bench(tmp_path: Path) -> Path:
    ops = {name.replace(" ", "_").replace("-", "_"): _op(1, 0) for name in READS}
    ops.update({name.replace(" ", "_"): _op(0, 2) for name in WRITES})
    stats = {"STATS": {"calls": 1, "write_units": 10}, "GSI1 FEED#all": {"calls": 1, "write_units": 3}}
    ops["create_post"] = _op(0, 2, partition_writes=stats)
    ops.update({name.replace(" ", "_"): _op(0, 3) for name in MESSAGES})
    ops["sweep_run"] = _op(2.5, 8)
    ops["sweep_backlog"] = {"backlog_posts": 5000, "calls": 120}  # python -m bench.sweep's: no units
    handler = {"function": "api", "own_cpu_ms": 10, "aws_calls": 1}
    handlers = {key: handler for key in ops if key != "sweep_backlog"}
    data = {"table_posts": 10, "operations": ops, "handlers": handlers, "sweep_report": {"settled": 4}}
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def page_json(tmp_path: Path) -> Path:
    def item(path: str, kind: str, size: int) -> dict[str, object]:
        return {"path": path, "kind": kind, "bytes": size}

    data = {
        "date": "2026-12-03",
        "cold": {
            "items": [
                item("/", "Document", 1000),
                item("/assets/site.css", "Stylesheet", 2000),
                item("/assets/app.js", "Script", 20000),
                item("/api/boards", "Fetch", 900),
                item("/api/posts?limit=20", "Fetch", 1000),
            ]
        },
        "warm": {
            "items": [
                item("/", "Document", 300),
                item("/assets/site.css", "Stylesheet", 0),  # from the browser's cache
                item("/assets/app.js", "Script", 0),
                item("/api/boards", "Fetch", 900),
                item("/data/feed/all.json", "Fetch", 1000),
            ]
        },
    }
    path = tmp_path / "page-weight.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def small(tmp_path: Path) -> Bill:
    cold, warm, _ = read_page(page_json(tmp_path))
    return Bill(PRICES_TABLE, read_bench(small_bench(tmp_path)), (cold, warm), sample_texts())


def test_a_visit_is_priced_from_what_the_page_loads(tmp_path: Path) -> None:
    cold, warm, date = read_page(page_json(tmp_path))
    assert (cold.site_requests, cold.site_bytes) == (3, 23_000)  # the HTML, one stylesheet, one script
    assert cold.data == {"reference": 1, "feed first page": 1}
    assert (warm.site_requests, warm.site_bytes) == (1, 300)  # the script and stylesheet came from the cache
    assert warm.data == {"reference": 1, "feed first page": 1}  # a static copy of the feed is still the feed
    assert date == "2026-12-03"


def test_measured_operations_are_read_and_the_rest_are_marked_guesses(small: Bill) -> None:
    assert small.bench.op("create post").wru == 2 and not small.bench.op("create post").guessed
    assert small.bench.op("officer link") == GUESSED_OPS["officer link"] and small.bench.op("officer link").guessed
    with pytest.raises(KeyError):
        small.bench.op("no such operation")
    assert "sweep backlog" not in small.bench.ops  # another command's figures, not an operation to price


def test_write_units_add_up_every_write_message_and_worker_of_the_month(small: Bill) -> None:
    load = Load(posts_per_month=1000, visits_per_day=0)
    posts = 1000
    official, status, sign_ins = posts * 1.0, posts * 2.0, posts * 0.6
    writes = posts + posts * 0.5 + official + status + 2 * sign_ins
    messages = posts + status + official + posts * 0.2  # 0.2 follow-ups a post
    guessed = official * GUESSED_OPS["officer link"].wru + posts * 0.05 * GUESSED_OPS["escalation"].wru
    swept = posts * 0.05 * 2  # an overdue post passes the sweep twice; 8 WRU for the recorded run's 4 posts
    (wru,) = [line.quantity for line in small.lines(load) if line.item == "write request units"]
    assert wru == pytest.approx(2 * writes + 3 * messages + guessed + swept * 8 / 4)


def test_lambda_time_is_own_cpu_at_the_memorys_cpu_share_plus_aws_latency(small: Bill) -> None:
    # 10 ms of CPU at 512 MB (1,769 MB is a whole vCPU) and one call of 6 ms
    assert small.seconds("create post") == pytest.approx(0.010 * 1769 / 512 + 0.006)


def test_static_objects_take_public_first_pages_off_the_api(small: Bill) -> None:
    load = Load(posts_per_month=0, visits_per_day=10_000, signed_in_share=0.0, gets_per_visit={})
    static, api = small.traffic(load), small.traffic(replace(load, static_share=0.0))
    assert static.origin["feed first page"] == 0 and api.origin["feed first page"] > 0
    assert static.s3_object_gets > 0 and api.s3_object_gets == 0
    assert static.viewer_requests == api.viewer_requests  # the reader asks CloudFront either way

    def usd(lines: list, service: str) -> float:
        return sum(line.usd for line in lines if line.service == service)

    assert usd(small.lines(load), "API Gateway") < usd(small.lines(replace(load, static_share=0.0)), "API Gateway")


def test_a_single_key_written_by_every_post_is_a_limit_at_its_write_rate(small: Bill) -> None:
    load = Load(posts_per_month=1_000_000, visits_per_day=0)
    found = {limit.name: limit for limit in limits(small, load)}
    stats, feed = found["DynamoDB partition STATS"], found["DynamoDB partition GSI1 FEED#all"]
    assert stats.rate == pytest.approx(1_000_000 * 10 / SECONDS * PEAK)
    assert feed.rate == pytest.approx(1_000_000 * 3 / SECONDS * PEAK)
    assert stats.limit == feed.limit == 1_000 and stats.unit == "WCU/s"


def test_the_sweep_runs_every_minute_at_its_idle_cost(small: Bill) -> None:
    idle = {line.item: line for line in small.idle()}
    assert idle["sweep every minute"].quantity == pytest.approx(MINUTES)
    assert idle["the sweep's Query of the due index"].quantity == pytest.approx(MINUTES * 0.5)


def test_cost_json_gives_each_load_and_multiple_its_totals_and_the_lines_behind_them(bill: Bill) -> None:
    fresh = cost_json(bill, loads(), (1, 10, 100))
    for name in ("quiet", "average"):
        for scale in ("1x", "10x", "100x"):
            entry = fresh["loads"][name][scale]
            infra = [line for line in entry["lines"] if not line["sms"]]
            assert entry["infra_list_usd"] == pytest.approx(sum(line["usd"] for line in infra), abs=0.01)
            after = sum(line["after_free_tier_usd"] for line in infra)
            assert entry["infra_after_free_tier_usd"] == pytest.approx(after, abs=0.01)
            assert entry["sms_usd"] == pytest.approx(
                sum(line["usd"] for line in entry["lines"] if line["sms"]), abs=0.01
            )
            used = [limit["used"] for limit in entry["limits"]]
            assert used == sorted(used, reverse=True) and entry["limits"][0]["rate"] > 0
    goals = {(g["load"], g["measure"]): g for g in fresh["goals_issue_19"]}
    assert set(goals) == {
        ("average", "infra_after_free_tier_usd"),
        ("average", "infra_list_usd"),
        ("quiet", "infra_after_free_tier_usd"),
    }
    assert goals[("average", "infra_list_usd")]["at_most_usd"] == 20
    stored = json.loads(COST_JSON.read_text(encoding="utf-8"))
    assert stored["goals_issue_19"] == fresh["goals_issue_19"]  # docs/COST.json is today's model's
