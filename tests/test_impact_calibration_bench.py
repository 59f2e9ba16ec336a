"""The pure parts of bench/bench_impact_calibration.py: drawing lifts, truths, coverage and the check (no Spark)."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "bench_impact_calibration.py"
spec = importlib.util.spec_from_file_location("bench_impact_calibration", SCRIPT)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_lifts_are_zero_or_in_their_range_and_a_seed_draws_the_same():
    draws = [bench.draw_lifts(random.Random(seed)) for seed in range(200)]
    for lifts in draws:
        assert set(lifts) == set(bench.LIFT_RANGES)
        for key, value in lifts.items():
            lo, hi = bench.LIFT_RANGES[key]
            assert value == 0.0 or lo <= value <= hi
    zeros = sum(v == 0.0 for lifts in draws for v in lifts.values()) / (200 * len(bench.LIFT_RANGES))
    assert 0.15 < zeros < 0.35
    assert bench.draw_lifts(random.Random(3)) == bench.draw_lifts(random.Random(3))


def test_lifts_are_planted_and_every_other_effect_kept():
    shipped = {"effects": {"comments": {"follow_lift": 0.3, "spam_share": 0.04}, "confounding": {"engagement_drift_per_year": 0.4}}, "seed": 42}
    out = bench.with_lifts(shipped, {("comments", "follow_lift"): 0.12, ("analytics", "weekly_growth_lift"): 0.0})
    assert out["effects"]["comments"] == {"follow_lift": 0.12, "spam_share": 0.04}
    assert out["effects"]["analytics"] == {"weekly_growth_lift": 0.0}
    assert out["effects"]["confounding"] == shipped["effects"]["confounding"] and out["seed"] == 42
    assert shipped["effects"]["comments"]["follow_lift"] == 0.3  # the input is not changed


def test_the_twin_zeroes_only_the_comments_listen_lifts():
    lifts = {key: 0.2 for key in bench.LIFT_RANGES}
    twin = bench.twin_lifts(lifts)
    assert all(twin[key] == 0.0 for key in bench.TWIN_ZEROES)
    assert all(twin[key] == 0.2 for key in lifts if key not in bench.TWIN_ZEROES)


def test_twin_truths_are_ratios_of_the_episode_sums():
    world = {"returning_listeners_7d": 120, "listeners": 1000, "listens": 5500}
    twin = {"returning_listeners_7d": 100, "listeners": 1000, "listens": 5000}
    assert bench.twin_truths(world, twin) == pytest.approx({("comments", "return_rate_7d"): 0.2, ("comments", "listens"): 0.1})


def row(feature, outcome, method, estimate, lo, hi, causal=True):
    return {"feature": feature, "outcome": outcome, "method": method, "estimate": estimate, "ci_low": lo, "ci_high": hi, "is_causal": causal}


def test_coverage_bias_and_not_estimable_over_worlds():
    lifts = {("comments", "follow_lift"): 0.3, ("analytics", "weekly_growth_lift"): 0.0, ("partner_program", "ad_revenue_lift"): 0.1,
             ("comments", "return_listen_lift"): 0.2}
    truth = bench.truths(lifts, None)
    assert truth == {("comments", "follows_per_1k_listens"): 0.3, ("analytics", "creator_growth"): 0.0, ("partner_program", "ad_revenue_usd"): 0.1}
    world_1 = bench.scored([row("comments", "follows_per_1k_listens", "did2s", 0.25, 0.2, 0.4),
                            row("comments", "follows_per_1k_listens", "psm", 0.5, 0.4, 0.6),
                            row("comments", "follows_per_1k_listens", "naive", 0.9, 0.8, 1.0, causal=False),
                            row("comments", "listens", "did2s", 0.05, 0.0, 0.1)], truth)
    world_2 = bench.scored([row("comments", "follows_per_1k_listens", "did2s", 0.35, 0.1, 0.2),
                            row("comments", "follows_per_1k_listens", "naive", 0.7, 0.6, 0.8, causal=False),
                            row("comments", "listens", "did2s", 0.04, 0.0, 0.1)], truth)
    summary = {(s["method"], s["outcome"]): s for s in bench.summarise([world_1, world_2])}
    did2s = summary[("did2s", "follows_per_1k_listens")]
    assert (did2s["worlds"], did2s["with_truth"], did2s["covered"], did2s["coverage"]) == (2, 2, 1, 0.5)
    assert did2s["bias"] == pytest.approx(0.0) and did2s["mean_ci_width"] == pytest.approx(0.15)
    psm = summary[("psm", "follows_per_1k_listens")]
    assert (psm["worlds"], psm["not_estimable"], psm["coverage"]) == (1, 1, 0.0)  # absent in world 2: not estimable, not a miss
    assert summary[("naive", "follows_per_1k_listens")]["bias"] == pytest.approx(0.5)
    listens = summary[("did2s", "listens")]
    assert listens["coverage"] is None and listens["with_truth"] == 0  # no exact truth without a twin
    # The check: causal methods with a truth below the target; the naive one never fails it.
    failing = {(s["method"], s["outcome"]) for s in bench.below_target(list(summary.values()), 0.85)}
    assert failing == {("did2s", "follows_per_1k_listens"), ("psm", "follows_per_1k_listens")}
