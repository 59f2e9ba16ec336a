"""The numpy trailing-window kernel against a brute-force loop over each series."""

from __future__ import annotations

import statistics

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from creatorlake.anomaly.trailing import Layout, score_bucket, trailing_moments, weekday_profile_moments


def brute_force(values: list[float], lags: int) -> list[tuple[int, float, float]]:
    out = []
    for i in range(len(values)):
        history = [v for v in values[max(0, i - lags):i] if not np.isnan(v)]
        mean = statistics.fmean(history) if history else np.nan
        stdev = statistics.stdev(history) if len(history) > 1 else np.nan
        out.append((len(history), mean, stdev))
    return out


def test_moments_match_brute_force_per_group_with_gaps_and_large_values():
    rng = np.random.default_rng(3)
    groups = [rng.normal(1e7, 1e3, size) for size in (1, 5, 40, 33)]  # large level, small spread: precision
    for g in groups:
        g[rng.random(len(g)) < 0.2] = np.nan
    x = np.concatenate(groups)
    layout = Layout(np.repeat(np.arange(len(groups)), [len(g) for g in groups]))
    n, mean, stdev = trailing_moments(x, layout, lags=7)
    expected = [row for g in groups for row in brute_force(list(g), 7)]
    assert n.tolist() == [row[0] for row in expected]
    np.testing.assert_allclose(mean, [row[1] for row in expected], rtol=1e-12)
    np.testing.assert_allclose(stdev, [row[2] for row in expected], rtol=1e-7)


def test_a_series_starts_at_its_first_nonzero_value_in_each_group():
    x = np.array([0.0, np.nan, 0.0, 3.0, 0.0, 5.0, 0.0, 2.0])
    layout = Layout(np.array([1, 1, 1, 1, 1, 2, 2, 2]))
    assert np.array_equal(layout.from_first_nonzero(x), [np.nan, np.nan, np.nan, 3.0, 0.0, 5.0, 0.0, 2.0], equal_nan=True)


def test_bucket_scores_each_series_alone_whatever_the_row_order():
    days = pd.date_range("2026-01-01", periods=10).date
    rows = [
        {"metric_date": d, "country_code": country, "category": None, "creator_tier": None, "volume": 100.0, "cpm": base + i}
        for country, base in (("DE", 10.0), (None, 50.0))
        for i, d in enumerate(days)
    ]
    shuffled = pa.Table.from_pandas(pd.DataFrame(rows).sample(frac=1.0, random_state=1), preserve_index=False)
    scored = score_bucket(shuffled, ["country_code", "category", "creator_tier"], "metric_date", ["cpm"], lags=3).to_pandas()
    platform = scored[scored["country_code"].isna()].reset_index(drop=True)
    assert platform["expected__cpm"].iloc[5] == pytest.approx(statistics.fmean([52.0, 53.0, 54.0]))
    assert platform["n_points__cpm"].tolist() == [0, 1, 2, 3, 3, 3, 3, 3, 3, 3]
    assert scored[scored["country_code"] == "DE"]["expected__cpm"].iloc[1] == 10.0


def test_a_small_series_keeps_its_precision_after_a_huge_one_in_the_same_bucket():
    rng = np.random.default_rng(5)
    huge = rng.normal(0.0, 1e7, 2000)  # wild swings: big sums of squares ahead in the prefix
    small = 10.0 + rng.normal(0.0, 1e-3, 40)
    x = np.concatenate([huge, small])
    _, _, stdev = trailing_moments(x, Layout(np.repeat([0, 1], [len(huge), len(small)])), lags=7)
    expected = [row[2] for row in brute_force(list(small), 7)]
    np.testing.assert_allclose(stdev[len(huge):], expected, rtol=1e-6)


def brute_force_weekday_profile(values: list[float], lags: int) -> list[tuple[int, float, float]]:
    """Expected = same-weekday mean of the window; scale = pooled within-weekday stddev * sqrt(1 + 1/k)."""
    out = []
    for i in range(len(values)):
        window = [(j % 7, values[j]) for j in range(max(0, i - lags), i) if not np.isnan(values[j])]
        same = [v for j, v in ((j, values[j]) for j in range(max(0, i - lags), i)) if (i - j) % 7 == 0 and not np.isnan(v)]
        classes = {}
        for weekday, v in window:
            classes.setdefault(weekday, []).append(v)
        squares = sum(sum((v - statistics.fmean(c)) ** 2 for v in c) for c in classes.values())
        dof = sum(len(c) - 1 for c in classes.values())
        expected = statistics.fmean(same) if same else np.nan
        scale = np.sqrt(squares / dof) * np.sqrt(1 + 1 / len(same)) if dof > 0 and same else np.nan
        out.append((len(window), expected, scale))
    return out


def test_weekday_profile_matches_brute_force_with_gaps_and_large_values():
    rng = np.random.default_rng(11)
    weekly = np.array([1.0, 1.2, 1.1, 0.9, 1.3, 0.6, 0.5])
    groups = [1e6 * np.tile(weekly, 10)[:size] + rng.normal(0, 1e3, size) for size in (3, 9, 70, 45)]
    for g in groups:
        g[rng.random(len(g)) < 0.15] = np.nan
    x = np.concatenate(groups)
    layout = Layout(np.repeat(np.arange(len(groups)), [len(g) for g in groups]))
    # Each series starts on a different weekday: day numbers run on across series.
    weekday = np.arange(len(x)) % 7
    n, expected, scale = weekday_profile_moments(x, layout, weekday, lags=28)
    truth = [row for g in groups for row in brute_force_weekday_profile(list(g), 28)]
    assert n.tolist() == [row[0] for row in truth]
    np.testing.assert_allclose(expected, [row[1] for row in truth], rtol=1e-12)
    np.testing.assert_allclose(scale, [row[2] for row in truth], rtol=1e-6)


def test_weekly_seasonality_leaves_the_weekday_profile_scale_but_not_the_plain_one():
    weekly = np.tile([100.0, 100.0, 100.0, 100.0, 100.0, 40.0, 40.0], 8) + np.tile([0.0, 1.0, -1.0, 0.5], 14)
    layout = Layout(np.zeros(len(weekly), dtype=np.int64))
    _, _, plain = trailing_moments(weekly, layout, lags=28)
    _, expected, profile = weekday_profile_moments(weekly, layout, np.arange(len(weekly)) % 7, lags=28)
    assert plain[-1] > 25
    assert profile[-1] < 1.5
    assert expected[-1] == pytest.approx(statistics.fmean(weekly[-29::7][:4]))
