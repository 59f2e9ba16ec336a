"""Rolling z-score rules on toy series whose expected values come from the definition."""

from __future__ import annotations

import statistics

import pytest
from chispa import assert_approx_df_equality, assert_df_equality
from pyspark.sql import functions as F

from creatorlake.anomaly.config import AnomalyConfig, MetricRule
from creatorlake.anomaly.detect import complete_spine, flag, score_all
from segment_daily_rows import day, frame, series_rows

SERIES = [102.0, 98.0, 105.0, 97.0, 101.0, 99.0, 103.0, 100.0, 96.0, 104.0, 98.0, 101.0, 140.0, 99.0, 40.0, 100.0]


def config(**options) -> AnomalyConfig:
    rule = dict(metric="cpm", window=7, min_points=5, threshold=3.0, min_volume=0.0, min_relative_scale=0.0)
    rule.update(options)
    return AnomalyConfig(rules=(MetricRule(**rule),))


def scored(spark, rows, cfg):
    return score_all(complete_spine(frame(spark, rows)), cfg).filter(F.col("metric") == cfg.rules[0].metric)


def test_zscore_matches_mean_and_stdev_of_the_seven_days_before(spark):
    cfg = config()
    expected_rows = []
    for i, value in enumerate(SERIES):
        history = SERIES[max(0, i - 7):i]
        is_scored = len(history) >= 5
        z = (value - statistics.mean(history)) / statistics.stdev(history) if is_scored else None
        expected_rows.append((day(i), value, is_scored, z))
    expected = spark.createDataFrame(expected_rows, "metric_date date, value double, is_scored boolean, z_score double")
    actual = scored(spark, series_rows("cpm", SERIES), cfg).select("metric_date", "value", "is_scored", "z_score")
    assert_approx_df_equality(actual, expected, precision=1e-9, ignore_row_order=True, ignore_nullable=True)


def test_current_point_never_leaks_into_its_baseline(spark):
    cfg = config()
    calm = series_rows("cpm", SERIES[:12] + [100.0])
    wild = series_rows("cpm", SERIES[:12] + [1e6])
    pick = lambda rows: scored(spark, rows, cfg).filter(F.col("metric_date") == day(12)).select("expected").first()[0]
    assert pick(calm) == pytest.approx(statistics.mean(SERIES[5:12]))
    assert pick(wild) == pytest.approx(statistics.mean(SERIES[5:12]))


def test_flags_spike_and_drop_with_direction_and_severity(spark):
    # what `creatorlake detect` runs: the spine, the scores, the flags
    anomalies = flag(score_all(complete_spine(frame(spark, series_rows("cpm", SERIES))), config()))
    actual = anomalies.select("metric_date", "metric", "direction", "method")
    expected = spark.createDataFrame(
        [(day(12), "cpm", "spike", "zscore"), (day(14), "cpm", "drop", "zscore")],
        "metric_date date, metric string, direction string, method string",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)
    severities = {r.metric_date: (r.severity, r.z_score) for r in anomalies.collect()}
    assert all(sev == pytest.approx(abs(z)) for sev, z in severities.values())


def test_weekday_baseline_uses_only_the_same_weekday(spark):
    weekly = [100.0, 100.0, 100.0, 100.0, 100.0, 200.0, 210.0] * 5
    weekly = [v + (i % 3) for i, v in enumerate(weekly)]
    cfg = config(window=28, min_points=3, seasonality="weekday")
    result = scored(spark, series_rows("cpm", weekly), cfg)
    row = result.filter(F.col("metric_date") == day(33)).first()
    same_weekday = [weekly[i] for i in (5, 12, 19, 26)]
    assert row.z_score == pytest.approx((weekly[33] - statistics.mean(same_weekday)) / statistics.stdev(same_weekday))
    assert result.filter(F.abs("z_score") >= 3).count() == 0
    plain = scored(spark, series_rows("cpm", weekly), config(window=28, min_points=3, min_relative_scale=0.0))
    assert plain.filter(F.abs("z_score") >= 3).count() > 0


def test_median_baseline_uses_median_and_scaled_mad(spark):
    values = [100.0, 101.0, 99.0, 500.0, 102.0, 98.0, 100.0, 103.0]
    result = scored(spark, series_rows("cpm", values), config(baseline="median", window=7, min_points=5))
    row = result.filter(F.col("metric_date") == day(7)).first()
    history = values[0:7]
    median = statistics.median(history)
    mad = statistics.median([abs(v - median) for v in history])
    assert row.z_score == pytest.approx((values[7] - median) / (1.4826 * mad))
    assert row.method == "mad"
    even = result.filter(F.col("metric_date") == day(6)).first()
    h6 = values[0:6]
    m6 = statistics.median(h6)
    assert even.z_score == pytest.approx((values[6] - m6) / (1.4826 * statistics.median([abs(v - m6) for v in h6])))
