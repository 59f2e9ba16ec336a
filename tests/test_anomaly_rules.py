"""The written rules: zero-variance baselines, gaps, new segments, minimum volume."""

from __future__ import annotations

import statistics

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from creatorlake.anomaly.config import AnomalyConfig, MetricRule
from creatorlake.anomaly.detect import complete_spine, score_all
from segment_daily_rows import day, frame, row, series_rows


def config(metric="cpm", **options) -> AnomalyConfig:
    rule = dict(metric=metric, window=7, min_points=5, threshold=3.0, min_volume=0.0, min_relative_scale=0.01)
    rule.update(options)
    return AnomalyConfig(rules=(MetricRule(**rule),))


def scored_flags(spark, **is_scored: bool):
    """The expected `is_scored` per country_code."""
    return spark.createDataFrame(list(is_scored.items()), "country_code string, is_scored boolean")


def by_day(spark, rows, cfg):
    scored = score_all(complete_spine(frame(spark, rows)), cfg).filter(F.col("metric") == cfg.rules[0].metric)
    return {r.metric_date: r for r in scored.collect()}


def test_zero_variance_baseline_scales_by_one_percent_of_expected(spark):
    rows = by_day(spark, series_rows("cpm", [100.0] * 7 + [100.0, 103.0, 100.5]), config())
    assert rows[day(7)].z_score == 0.0
    assert rows[day(8)].z_score == pytest.approx(3.0)  # (103 - 100) / (1% of 100)
    assert rows[day(9)].z_score == pytest.approx(((100.5 - statistics.mean([100.0] * 6 + [103.0])) / statistics.stdev([100.0] * 6 + [103.0])))


def test_zero_variance_at_zero_never_divides_by_zero(spark):
    rows = by_day(spark, series_rows("ad_load", [1.0] + [0.0] * 8, listens=1000), config("ad_load", min_relative_scale=0.0))
    assert rows[day(8)].is_scored and rows[day(8)].z_score == 0.0


def test_gaps_are_left_out_of_the_baseline_and_not_scored(spark):
    values = [10.0, 11.0, None, 9.0, None, 10.0, 12.0, 11.0, None, 10.0]
    rows = by_day(spark, series_rows("cpm", values), config())
    assert not rows[day(8)].is_scored and rows[day(8)].z_score is None
    history = [v for v in values[0:7] if v is not None]
    assert rows[day(7)].z_score == pytest.approx((11.0 - statistics.mean(history)) / statistics.stdev(history))
    # day 6 has only four non-null points before it: below min_points 5
    assert not rows[day(6)].is_scored


def test_days_missing_from_the_spine_are_gaps_not_history(spark):
    values = [50.0, 52.0, 48.0, 51.0, 49.0, 50.0, 53.0, 47.0, 51.0, 50.0, 49.0, 52.0]
    rows = series_rows("cpm", values)
    del rows[3]  # the day is missing entirely
    scored = by_day(spark, rows, config())
    assert day(3) in scored and scored[day(3)].value is None
    history = [values[i] for i in range(4, 11)]
    assert scored[day(11)].z_score == pytest.approx((values[11] - statistics.mean(history)) / statistics.stdev(history))
    history = [values[i] for i in (0, 1, 2, 4, 5, 6)]  # the window of day 7 is days 0..6, day 3 a gap
    assert scored[day(7)].z_score == pytest.approx((values[7] - statistics.mean(history)) / statistics.stdev(history))


def test_new_segment_history_starts_at_its_first_activity(spark):
    values = [0.0] * 10 + [500.0, 520.0, 480.0, 510.0, 490.0, 505.0, 495.0]
    rows = by_day(spark, series_rows("listens", values), config("listens"))
    assert not any(rows[day(i)].is_scored for i in range(0, 15))  # fewer than 5 points since day 10
    assert rows[day(15)].is_scored
    history = values[10:15]
    assert rows[day(15)].z_score == pytest.approx((505.0 - statistics.mean(history)) / statistics.stdev(history))


def test_established_segment_counts_its_zero_days(spark):
    values = [100.0, 0.0, 110.0, 90.0, 0.0, 105.0, 95.0, 100.0]
    rows = by_day(spark, series_rows("listens", values), config("listens"))
    history = values[0:7]
    assert rows[day(7)].z_score == pytest.approx((100.0 - statistics.mean(history)) / statistics.stdev(history))


def test_segments_below_min_volume_are_not_scored(spark):
    values = [10.0, 11.0, 9.0, 10.0, 12.0, 10.0, 11.0, 30.0]
    small = series_rows("cpm", values, {"country_code": "LU"}, listens=20)
    large = series_rows("cpm", values, {"country_code": "DE"}, listens=2000)
    scored = score_all(complete_spine(frame(spark, small + large)), config(min_volume=100.0))
    flags = scored.filter((F.col("metric_date") == day(7)) & (F.col("metric") == "cpm")).select("country_code", "is_scored")
    assert_df_equality(flags, scored_flags(spark, LU=False, DE=True), ignore_row_order=True, ignore_nullable=True)


ADS = [100.0, 104.0, 97.0, 101.0, 99.0, 103.0, 96.0, 100.0, 102.0, 98.0]


def revenue_rows(payouts: dict[int, float]) -> list:
    """Creator revenue = ad revenue (100 give or take) + partner payouts on the given days."""
    return [
        row(metric_date=day(i), listens=1000, ad_revenue_usd=a, partner_payout_usd=payouts.get(i, 0.0), creator_revenue_usd=a + payouts.get(i, 0.0))
        for i, a in enumerate(ADS)
    ]


def test_scheduled_payouts_are_expected_not_anomalies_nor_history(spark):
    rows = revenue_rows({7: 1000.0})
    scored = by_day(spark, rows, config("creator_revenue_usd"))
    scheduled = by_day(spark, rows, config("creator_revenue_usd", payouts="scheduled"))
    assert scored[day(7)].z_score > 100  # a payout scored as revenue: the run's top "anomaly"
    payout_day = scheduled[day(7)]
    assert payout_day.value == pytest.approx(1100.0)
    assert payout_day.expected == pytest.approx(statistics.mean(ADS[0:7]) + 1000.0)
    assert payout_day.z_score == pytest.approx((100.0 - statistics.mean(ADS[0:7])) / statistics.stdev(ADS[0:7]))
    # The day after: the payout is not part of the baseline either.
    assert scheduled[day(8)].z_score == pytest.approx((102.0 - statistics.mean(ADS[1:8])) / statistics.stdev(ADS[1:8]))


def test_rpm_with_scheduled_payouts_scores_revenue_per_listen_without_them(spark):
    rows = revenue_rows({7: 1000.0})
    for r in rows:
        r["rpm"] = 1000 * float(r["creator_revenue_usd"]) / r["listens"]
    scheduled = by_day(spark, rows, config("rpm", payouts="scheduled"))
    net_rpm = [1000 * float(r["ad_revenue_usd"]) / r["listens"] for r in rows]  # rpm without the payout
    assert scheduled[day(7)].value == pytest.approx(1100.0)
    assert scheduled[day(7)].z_score == pytest.approx((net_rpm[7] - statistics.mean(net_rpm[0:7])) / statistics.stdev(net_rpm[0:7]))


def test_each_metric_applies_min_volume_to_its_own_volume_column(spark):
    values = [0.010, 0.011, 0.009, 0.010, 0.012, 0.010, 0.011, 0.030]
    few = [dict(r, paying_patrons=1) for r in series_rows("sub_conversion", values, {"country_code": "LU"}, listens=5000)]
    many = [dict(r, paying_patrons=50) for r in series_rows("sub_conversion", values, {"country_code": "DE"}, listens=5000)]
    cfg = config("sub_conversion", volume_column="paying_patrons", min_volume=5.0)
    scored = score_all(complete_spine(frame(spark, few + many)), cfg)
    flags = scored.filter(F.col("metric_date") == day(7)).select("country_code", "is_scored")
    assert_df_equality(flags, scored_flags(spark, LU=False, DE=True), ignore_row_order=True, ignore_nullable=True)


def test_a_weekday_profile_flags_a_drop_that_weekly_seasonality_hides_from_a_plain_mean(spark):
    week = [1000.0, 1010.0, 990.0, 1005.0, 995.0, 600.0, 610.0]  # START is a Monday: weekends dip
    noise = [0.0, 3.0, -2.0, 1.0, -4.0, 2.0, -1.0, 4.0, -3.0, 0.0, 2.0]
    values = [week[i % 7] + noise[i % 11] for i in range(35)]
    values[30] *= 0.7  # a Wednesday 30% down: still above the weekend level
    plain = by_day(spark, series_rows("listens", values), config("listens", window=28, min_points=14))
    profile = by_day(spark, series_rows("listens", values), config("listens", window=28, min_points=14, seasonality="weekday_profile"))
    assert abs(plain[day(30)].z_score) < 3
    assert profile[day(30)].z_score <= -3 and profile[day(30)].method == "zscore_weekday_profile"
    assert profile[day(30)].expected == pytest.approx(statistics.mean(values[2:30:7]))
    assert abs(profile[day(33)].z_score) < 3  # a Saturday: its dip is expected
