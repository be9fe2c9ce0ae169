"""The first-response histogram stays small, and its median reads old per-minute counts and new buckets alike."""

from __future__ import annotations

from chalicelib.domain.response_times import BUCKETS, bucket_of, median_of
from chalicelib.services.stats import median_minutes


def test_times_under_half_an_hour_keep_their_minute_and_later_ones_fall_in_the_bucket_that_starts_before() -> None:
    assert [bucket_of(m) for m in (0, 7, 29)] == [0, 7, 29]
    assert [bucket_of(m) for m in (30, 34, 35, 59, 60, 119, 120, 149, 239, 240, 299, 1439)] == [
        30,
        30,
        35,
        55,
        60,
        110,
        120,
        120,
        210,
        240,
        240,
        1380,
    ]
    assert bucket_of(1440) == bucket_of(100_000) == 1440  # a day or more is one day


def test_a_counter_item_holds_a_bounded_number_of_buckets_small_enough_for_one_write_unit() -> None:
    every = {f"h_{bucket_of(m)}": 999 for m in range(0, 3000)}
    names = (
        "posts", "replies", "official_replies", "posts_assigned", "dispatches", "incidents", "police_dispatches",
        "resolved", "escalations", "answered", "with_deadline", "answered_in_time", "rated", "satisfied",
    )  # fmt: skip
    others = {name: 999_999 for name in names}
    size = sum(len(k) + 4 for k in every) + sum(len(k) + 4 for k in others) + len("PK STATS SK all") + 20
    assert len(every) == len(BUCKETS) == 67
    assert size < 1024


def test_the_median_is_exact_under_half_an_hour_and_the_start_of_its_bucket_above() -> None:
    assert median_of({}) is None
    assert median_of({0: 1, 12: 1}) == 0  # the lower middle
    assert median_of({3: 2, 47: 1}) == 3
    assert median_of({47: 3, 3: 1}) == 45


def test_counts_stored_per_minute_before_the_buckets_add_up_with_the_new_ones() -> None:
    old = {"h_47": 1, "h_48": 1, "h_700": 1}  # per minute, as stored before
    new = {"h_45": 2, "h_660": 1}
    merged = {k: old.get(k, 0) + new.get(k, 0) for k in {*old, *new}}

    assert median_minutes(merged) == 45
    assert median_minutes({"h_700": 3, "answered": 3}) == 660
