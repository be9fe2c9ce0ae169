"""The migration of the figures' histograms: old per-minute counts folded into buckets, once, figures unchanged."""

from __future__ import annotations

from chalicelib.adapters.dynamodb.effects import DynamoStatsRepository
from chalicelib.adapters.dynamodb.table import Table
from chalicelib.services.stats import figures
from tools.fold_histograms import run


def test_old_per_minute_counts_are_folded_into_buckets_once_and_the_figures_stay_the_same(aws: dict) -> None:
    table = Table(aws["TableName"], "us-east-1")
    stats = DynamoStatsRepository(table)
    stats.add(["all", "kunqu"], {"answered": 3, "h_47": 1, "h_48": 1, "h_700": 1}, "2026-05-01")  # the old shape
    stats.add(["all"], {"answered": 1, "h_45": 1}, "2026-05-02")  # the new shape
    before = {scope: figures(c) for scope, c in stats.all().items()}

    assert run(table) == (5, 4)  # STATS/all, STATS/kunqu and both DAILY#<scope>/2026-05-01 had old counts
    assert run(table) == (5, 0)

    after = stats.all()
    assert {scope: figures(c) for scope, c in after.items()} == before
    assert after["all"] == {"answered": 4, "h_45": 3, "h_660": 1}
    assert stats.days("kunqu", "2026-05-01", "2026-05-01") == {"2026-05-01": {"answered": 3, "h_45": 2, "h_660": 1}}
