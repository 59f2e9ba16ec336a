"""Anomaly explanations (drill-down, why) and week-over-week drivers on toy segments."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pyspark.sql import functions as F

from creatorlake.anomaly.config import MetricRule
from creatorlake.anomaly.schema import ANOMALY_SCHEMA, DRIVERS
from creatorlake.rootcause.explain import explain_anomalies, revenue_change_drivers
from segment_daily_rows import day, frame, row

STAR = dict(listens=1000, ad_opportunities=2000, filled_impressions=1600, ad_revenue_usd=32.00, active_listeners=400, paying_patrons=8, subscription_revenue_usd=40.00, partner_payout_usd=5.00)
EMERGING = {k: v / 2 for k, v in STAR.items()}


def segment_days(days: int, cpm_drop_on: set[int], patrons_drop_on: frozenset[int] = frozenset()) -> list[dict]:
    rows = []
    for i in range(days):
        star = dict(STAR)
        if i in cpm_drop_on:
            star["ad_revenue_usd"] = 32.00 * 0.55
        if i in patrons_drop_on:  # 5 of 8 paying patrons lost, at the same revenue per patron
            star.update(paying_patrons=3, subscription_revenue_usd=15.00)
        parts = {"star": star, "emerging": EMERGING}
        for tier, values in parts.items():
            rows.append(row(metric_date=day(i), country_code="DE", category="comedy", creator_tier=tier, **_typed(values)))
        parent = {k: sum(p[k] for p in parts.values()) for k in STAR}
        rows.append(row(metric_date=day(i), country_code="DE", category="comedy", **_typed(parent)))
    return rows


def _typed(values: dict) -> dict:
    out = {k: (round(v, 2) if k.endswith("_usd") else int(v)) for k, v in values.items()}
    out["creator_revenue_usd"] = round(values["ad_revenue_usd"] + values["subscription_revenue_usd"] + values["partner_payout_usd"], 2)
    return out


def test_explanation_names_cpm_and_the_child_that_moved(spark):
    daily = frame(spark, segment_days(8, {7}))
    anomaly = spark.createDataFrame([(day(7), "creator_revenue_usd", "DE", "comedy", None, 101.10, 115.50, -8.0, "drop", 8.0, "zscore")], ANOMALY_SCHEMA)
    rule = MetricRule(metric="creator_revenue_usd", window=7, min_points=5)
    row_ = explain_anomalies(anomaly, daily, rule, ["creator_revenue_usd"]).first()
    assert row_.change_usd == Decimal("-14.40")
    assert row_.contribution_cpm == Decimal("-14.40")
    assert sum(row_[f"contribution_{d}"] for d in DRIVERS) == row_.change_usd
    assert row_.dominant_driver == "cpm"
    assert [m.segment for m in row_.drill_down] == ["DE · comedy · star", "DE · comedy · emerging"]
    assert row_.why == "Creator revenue in DE · comedy fell 12% below expected on 2026-03-09; CPM explains 100% of the drop; biggest mover: DE · comedy · star."


def test_an_ad_revenue_anomaly_is_explained_by_an_ad_factor_even_when_subscriptions_moved_more(spark):
    # Day 7: star CPM falls 45% (ad revenue -14.40) while 5 of 8 paying patrons leave (subscriptions -25.00).
    daily = frame(spark, segment_days(8, {7}, frozenset({7})))
    anomalies = spark.createDataFrame([
        (day(7), "ad_revenue_usd", "DE", "comedy", None, 33.60, 48.00, -6.0, "drop", 6.0, "zscore"),
        (day(7), "creator_revenue_usd", "DE", "comedy", None, 76.10, 115.50, -8.0, "drop", 8.0, "zscore"),
    ], ANOMALY_SCHEMA)
    rule = MetricRule(metric="creator_revenue_usd", window=7, min_points=5)
    rows = {r.metric: r for r in explain_anomalies(anomalies, daily, rule, ["ad_revenue_usd", "creator_revenue_usd"]).collect()}
    ads, creator = rows["ad_revenue_usd"], rows["creator_revenue_usd"]
    # One decomposition of creator revenue for both: the same exact contributions.
    assert ads.change_usd == creator.change_usd == Decimal("-39.40")
    assert ads.contribution_cpm == Decimal("-14.40") and ads.contribution_sub_conversion == Decimal("-25.00")
    # Creator revenue fell mostly through subscriptions; ad revenue can only have fallen through an ad factor,
    # and CPM is all of ad revenue's change.
    assert creator.dominant_driver == "sub_conversion" and creator.dominant_share == pytest.approx(25.00 / 39.40)
    assert ads.dominant_driver == "cpm" and ads.dominant_share == 1.0
    assert "CPM explains 100% of the ad revenue drop" in ads.why
    assert "Subscription conversion explains 63% of the drop" in creator.why


def test_non_revenue_anomalies_are_not_explained(spark):
    daily = frame(spark, segment_days(8, set()))
    anomaly = spark.createDataFrame([(day(7), "listens", "DE", "comedy", None, 1.0, 2.0, -5.0, "drop", 5.0, "zscore")], ANOMALY_SCHEMA)
    assert explain_anomalies(anomaly, daily, MetricRule(metric="creator_revenue_usd", window=7, min_points=5), ["creator_revenue_usd"]).count() == 0


def test_week_over_week_drivers_per_segment(spark):
    # Two complete Monday weeks plus a partial third; the second week loses 45% of star CPM on every day.
    daily = frame(spark, segment_days(17, set(range(7, 14))))
    drivers = revenue_change_drivers(daily)
    rows = {r.creator_tier: r for r in drivers.collect()}
    assert set(rows) == {"star", "emerging", None}  # one consecutive pair of complete weeks each
    star = rows["star"]
    assert star.week_start_date == day(7) and star.previous_week_start_date == day(0)
    assert star.change_usd == Decimal("-100.80")
    assert star.dominant_driver == "cpm" and star.contribution_cpm == Decimal("-100.80")
    assert rows["emerging"].change_usd == Decimal("0.00")
    assert drivers.filter(sum((F.col(f"contribution_{d}") for d in DRIVERS[1:]), F.col("contribution_listens")) != F.col("change_usd")).count() == 0
