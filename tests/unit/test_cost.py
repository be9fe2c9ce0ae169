"""`make cost`: the bill from bench's per-operation figures and the dated price table."""

from __future__ import annotations

import json

import pytest

from tools.cost import PRICES, Bill, Load, bench_ops, hit_ratio, report, sample_texts, sms_parts, static_site, totals


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
        "SMS (SNS, +86)",
        "CloudFront",
        "CloudWatch",
        "SSM + KMS",
        "S3",
    }


def test_the_infrastructure_stays_under_ten_dollars_at_the_seeds_load_within_the_free_tier(bill: Bill) -> None:
    infra, sms, after_free_tier = totals(bill.lines(Load()))
    assert after_free_tier < 10
    assert sms > infra  # the report must say that text messages, not AWS compute, are the bill


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
    for heading in ("== 1x:", "== 10x:", "== 100x:", "== idle:", "Levers:"):
        assert heading in text
    assert "prices checked" in text and "PERFORMANCE.md" in text


def test_the_texts_of_closing_the_loop_are_billed(bill: Bill) -> None:
    """Issue 14 texts the author when a post is resolved and an officer on a follow-up: both cost SMS parts."""
    lines = bill.lines(Load())
    resolved = [line for line in lines if "resolved" in line.item]
    assert len(resolved) == 1 and resolved[0].sms and resolved[0].usd > 0
    fewer = totals(bill.lines(Load(resolved_share=0, author_follow_ups_per_post=0)))[1]
    assert fewer < totals(lines)[1]
