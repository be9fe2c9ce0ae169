"""`make cost`: the bill from bench's per-operation figures and the dated price table."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from chalicelib.domain.messages import SMS_TEMPLATES
from tools.cost import (
    COST_JSON,
    PRICES,
    SMS_GOAL_USD,
    Bill,
    Load,
    bench_ops,
    hit_ratio,
    loads,
    report,
    static_site,
    totals,
)
from tools.cost_figures import cost_json
from tools.cost_messages import flows, month, route, sample_texts, sms_parts

PRICES_TABLE = json.loads(PRICES.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def bill() -> Bill:
    prices = json.loads(PRICES.read_text(encoding="utf-8"))
    return Bill(prices, bench_ops(), static_site(), sample_texts())


def test_the_price_table_is_dated_and_names_its_sources() -> None:
    prices = json.loads(PRICES.read_text(encoding="utf-8"))
    assert prices["checked"] and prices["region"] == "us-east-1"
    for service, table in prices.items():
        if isinstance(table, dict):
            assert table.get("source"), service


def test_bench_figures_are_read_from_the_performance_report() -> None:
    ops = bench_ops()
    assert set(ops) >= {"feed first page", "feed next page", "post detail", "create post", "reply"}
    detail = ops["post detail"]
    assert detail.reads == 1 and detail.rru == 0.5 * -(-detail.compact_bytes // 4096)
    assert ops["create post"].transactions == 1


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


def test_the_infrastructure_stays_under_ten_dollars_at_the_seeds_load_within_the_free_tier(bill: Bill) -> None:
    infra, _, after_free_tier = totals(bill.lines(Load()))
    assert after_free_tier < 10
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
    for heading in ("== quiet 1x:", "== quiet 10x:", "== quiet 100x:", "== average 1x:", "== idle:", "Levers:"):
        assert heading in text
    assert "prices checked" in text and "PERFORMANCE.md" in text


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
