"""The STL option: statsmodels per series via applyInPandas, fitted on the trailing window only."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pyspark.sql import functions as F

from creatorlake.anomaly.config import AnomalyConfig, MetricRule
from creatorlake.anomaly.detect import complete_spine, score_all
from creatorlake.anomaly.stl import stl_baseline
from segment_daily_rows import day, frame, series_rows


def test_stl_expected_comes_from_the_window_before_the_day(spark):
    values = [100 + 20 * math.sin(2 * math.pi * i / 7) + (i % 3) for i in range(30)]
    values[29] = 400.0
    rule = MetricRule(metric="cpm", window=21, min_points=14, baseline="stl", min_volume=0.0, min_relative_scale=0.0)
    scored = score_all(complete_spine(frame(spark, series_rows("cpm", values))), AnomalyConfig(rules=(rule,)))
    rows = {r.metric_date: r for r in scored.filter(F.col("metric") == "cpm").collect()}
    expected, scale = stl_baseline(np.array(values[8:29]))
    assert rows[day(29)].expected == pytest.approx(expected)
    assert rows[day(29)].z_score == pytest.approx((400.0 - expected) / scale)
    assert rows[day(29)].method == "stl" and rows[day(29)].z_score > 3
    assert not rows[day(12)].is_scored  # 12 points < min_points 14
