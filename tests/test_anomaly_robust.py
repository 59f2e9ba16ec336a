"""Robust weekday baselines and the new-normal rule, on hand-built series (numpy only, no Spark).

A planted drop is judged by the kernel detection ships (anomaly.yml's rule for
the metric) and, where a test says so, by the weekday-profile mean kernel beside it.
"""

from __future__ import annotations

import statistics

import numpy as np
import pytest

from creatorlake.anomaly.config import load_anomaly_config
from creatorlake.anomaly.trailing import Layout, Limits, robust_constants, robust_profile_moments, settled, weekday_median_moments, weekday_profile_moments

RULE = load_anomaly_config().rule("ad_revenue_usd")
LIMITS = Limits(RULE.threshold, RULE.min_relative_scale, RULE.new_normal_days)
# The weekday-profile mean kernel shipped with this threshold before baselines left their outliers out.
MEAN_KERNEL_THRESHOLD = 3.5
WEEKLY = np.array([1.0, 1.1, 1.15, 1.1, 1.0, 0.8, 0.75])


def world(days: int, seed: int, noise: float = 0.04) -> np.ndarray:
    """A daily series of level 250 with a weekly pattern and multiplicative noise."""
    rng = np.random.default_rng(seed)
    return 250.0 * WEEKLY[np.arange(days) % 7] * (1 + noise * rng.standard_normal(days))


def moments(x: np.ndarray, robust: bool = True) -> tuple[Layout, np.ndarray, np.ndarray]:
    layout = Layout(np.zeros(len(x), dtype=np.int64))
    weekday = np.arange(len(x)) % 7
    if robust:
        _, expected, scale = robust_profile_moments(x, layout, weekday, RULE.lags, LIMITS)
    else:
        _, expected, scale = weekday_profile_moments(x, layout, weekday, RULE.lags)
    return layout, expected, scale


def z_scores(x: np.ndarray, robust: bool = True) -> np.ndarray:
    _, expected, scale = moments(x, robust)
    return (x - expected) / np.maximum(scale, RULE.min_relative_scale * np.abs(expected))


def flagged(x: np.ndarray) -> np.ndarray:
    """Detection's flags with the shipped rule: |z| at the threshold, outside a settled new normal."""
    layout, expected, scale = moments(x)
    return (np.abs(z_scores(x)) >= RULE.threshold) & ~settled(x, expected, scale, layout, LIMITS)


def brute_force(values: np.ndarray, lags: int) -> list[tuple[int, float, float]]:
    consistency, widening = robust_constants(lags // 7)
    out = []
    for t in range(len(values)):
        window = {j: values[t - j] for j in range(1, lags + 1) if t - j >= 0}
        present = {j: v for j, v in window.items() if not np.isnan(v)}
        same = [v for j, v in present.items() if j % 7 == 0]
        residuals = []
        for j, v in present.items():
            peers = [present[i] for i in present if i % 7 == j % 7]
            residuals.append(abs(v - statistics.median(peers)))
        expected = statistics.median(same) if same else np.nan
        scale = statistics.median(residuals) / consistency * widening if residuals and same else np.nan
        out.append((len(present), expected, scale))
    return out


def test_the_robust_weekday_kernel_matches_a_brute_force_loop_with_gaps():
    rng = np.random.default_rng(11)
    groups = [world(size, seed) for seed, size in enumerate((3, 20, 64, 45))]
    for g in groups:
        g[rng.random(len(g)) < 0.15] = np.nan
    x = np.concatenate(groups)
    layout = Layout(np.repeat(np.arange(len(groups)), [len(g) for g in groups]))
    n, expected, scale = weekday_median_moments(x, layout, 28)
    truth = [row for g in groups for row in brute_force(g, 28)]
    assert n.tolist() == [row[0] for row in truth]
    np.testing.assert_allclose(expected, [row[1] for row in truth], rtol=1e-12)
    np.testing.assert_allclose(scale, [row[2] for row in truth], rtol=1e-12)


def test_the_robust_scale_estimates_the_noise_of_a_normal_series():
    x = 100.0 + np.random.default_rng(2).standard_normal(5000)
    _, expected, scale = weekday_median_moments(x, Layout(np.zeros(len(x), dtype=np.int64)), 28)
    # The spread of value - expected is what the scale must match, so |z| >= 3.5 stays rare.
    errors = (x - expected)[28:]
    assert np.nanmedian(scale) == pytest.approx(np.std(errors), rel=0.1)


def test_a_drop_that_follows_an_earlier_drop_in_the_window_is_flagged():
    x = world(90, seed=4)
    x[40:45] *= 0.5  # the earlier incident: five days at half
    later = slice(58, 62)  # 13 days on: the earlier days are all in the later days' window
    x[later] *= 0.55
    assert flagged(x)[40:45].all()
    assert flagged(x)[later].all()
    # The mean kernel's band, widened by the earlier drop, hides most of the later one.
    assert (np.abs(z_scores(x, robust=False)[later]) < MEAN_KERNEL_THRESHOLD).sum() >= 2


def test_a_persisting_level_shift_stops_alerting_after_new_normal_days():
    x = world(120, seed=6)
    x[50:] *= 0.6
    flags = flagged(x)
    assert flags[50:50 + RULE.new_normal_days].all()
    assert not flags[50 + RULE.new_normal_days:].any()


def test_the_quiet_false_alarm_rate_is_no_higher_than_the_mean_kernels():
    # Heavier tails than a normal (Student t, 5 degrees of freedom), as the daily series have.
    rng = np.random.default_rng(8)
    series = [250.0 * WEEKLY[np.arange(200) % 7] * (1 + 0.05 * rng.standard_t(5, 200)) for _ in range(200)]
    robust = np.concatenate([np.abs(z_scores(s)[28:]) >= RULE.threshold for s in series]).mean()
    mean = np.concatenate([np.abs(z_scores(s, robust=False)[28:]) >= MEAN_KERNEL_THRESHOLD for s in series]).mean()
    assert robust <= mean
