"""The figures page (阳光执法) in Chromium on the local stack: how each figure is computed, 30 days, CSV."""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.stack import Stack, unique

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("csp_guard")]


@pytest.fixture(scope="module")
def posted(stack: Stack) -> dict[str, Any]:
    """A resident's post today, assigned to 青山区纺织道派出所 by the local dispatcher."""
    resident = stack.sign_in(stack.new_phone())
    post = stack.report_in_qingshan(resident["token"], "工地夜间施工噪音扰民", "青山区某工地每天夜里施工。")
    deadline = time.monotonic() + 20
    while stack.call("GET", f"/posts/{post['id']}")[1]["post"]["assigned_unit"] is None:
        assert time.monotonic() < deadline, "the post was never assigned"
        time.sleep(0.2)
    stack.wait_for_copies(post["id"])  # an anonymous reader gets the post's public copy, a moment behind
    return post


def test_each_figure_says_how_it_is_computed(page: Page, posted: dict[str, Any]) -> None:
    page.goto("/#/stats")
    tiles = page.locator("dl.tiles .tile")
    expect(tiles).to_have_count(9)
    expect(page.locator("dl.tiles .tile-how")).to_have_count(9)
    in_time = tiles.filter(has_text="按时回复率")
    expect(in_time.locator(".tile-how")).to_contain_text("迟回复和至今未回复的都计入")
    expect(tiles.filter(has_text="已分派").locator(".tile-how")).to_contain_text("分派不等于出警")
    expect(tiles.filter(has_text="已派警").locator(".tile-how")).to_contain_text("110指挥系统回报")
    expect(page.locator("dl.tiles dt", has_text="派警")).to_have_text(["已派警"])  # no bare 派警 any more

    page.evaluate("localStorage.setItem('p24.lang', 'en')")
    page.reload()
    expect(page.locator("dl.tiles .tile", has_text="Answered in time").locator(".tile-how")).to_contain_text(
        "late and never answered ones count"
    )


def test_the_last_30_days_are_small_charts_with_text_and_a_csv(page: Page, posted: dict[str, Any]) -> None:
    page.goto("/#/stats")
    section = page.locator("section.daily")
    expect(section.get_by_role("heading", name="近30天每日数据")).to_be_visible()
    charts = section.locator("svg.day-chart")
    expect(charts).to_have_count(5)
    expect(charts.first).to_have_attribute("role", "img")
    summary = re.compile(r"^每日帖子数，\d{4}-\d{2}-\d{2}至\d{4}-\d{2}-\d{2}，\d+天有数据，最近一天：")
    expect(charts.first).to_have_attribute("aria-label", summary)
    assert charts.first.locator("rect.chart-bar").count() >= 1  # today's posts
    posts_figure = section.locator("figure.day-figure").first
    posts_figure.locator("summary").click()
    rows = posts_figure.locator("table.day-table tbody tr")
    expect(rows).to_have_count(30)
    expect(rows.last.locator("td")).not_to_have_text("0")

    section.get_by_label("范围").select_option(label="青山区纺织道派出所")
    expect(charts).to_have_count(5)
    expect(section.locator("svg.day-chart").first.locator("rect.chart-bar")).not_to_have_count(0)

    with page.expect_download() as download_info:
        section.get_by_role("link", name="下载CSV（近30天，全平台及各单位）").click()
    download = download_info.value
    assert download.suggested_filename == "police24-daily.csv"
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows_csv = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows_csv[0][:4] == ["日期", "单位编号", "单位", "帖子数"]
    assert (len(rows_csv) - 1) % 30 == 0 and any(row[2] == "青山区纺织道派出所" for row in rows_csv[1:])


def test_a_routed_post_reads_assigned_and_a_police_notice_shows_no_status(
    page: Page, stack: Stack, posted: dict[str, Any]
) -> None:
    page.goto(f"/#/post/{posted['id']}")
    expect(page.locator(".post-detail .badge.status")).to_have_text("已分派")
    timeline = page.locator("ol.timeline > li")
    expect(timeline.filter(has_text="已分派至青山区纺织道派出所")).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text("派警")

    chief = stack.sign_in("13900000022")  # 刘建国, 所长, 青山区纺织道派出所
    title = unique("禁毒宣传")
    notice = stack.post(chief["token"], board="anti-drug", type="publicity", title=title, body="珍爱生命，远离毒品。")
    assert notice["status"] is None
    page.goto(f"/#/post/{notice['id']}")
    expect(page.locator(".post-detail h1, .post-detail h2").first).to_contain_text(title)
    expect(page.locator(".post-detail .badge.type")).to_be_visible()
    expect(page.locator(".post-detail .badge.status")).to_have_count(0)
