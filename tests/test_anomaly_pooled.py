"""Pooled days: a run of moderate same-direction days of a noisy count series (subscription conversion, a few
dozen paying patrons a day) is flagged when its days' z-scores combine to the threshold, though no day alone
reaches it; subscription revenue follows it; a cut that persists stops being flagged; a quiet series is not."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from pyspark.sql import functions as F

from creatorlake.anomaly.config import load_anomaly_config, parse_rule
from creatorlake.core.errors import ConfigError
from creatorlake.anomaly.detect import complete_spine, flag, score_all
from segment_daily_rows import day, frame, row

SHIPPED = load_anomaly_config()
CUT_FROM = 42  # six weeks of baseline first
PATRONS_A_DAY = 20
PRICE_USD = 5.0


def rows(cut: float, cut_days: int, seed: int = 4, patrons_a_day: int = PATRONS_A_DAY) -> list[dict]:
    """One segment: Poisson paying patrons (`patrons_a_day`) over about 7,000 active listeners; from day CUT_FROM,
    for `cut_days` days, payments fall by `cut`."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(CUT_FROM + 21):
        rate = patrons_a_day * (1 - cut if CUT_FROM <= i < CUT_FROM + cut_days else 1)
        patrons, active = int(rng.poisson(rate)), int(7000 * (1 + 0.03 * rng.standard_normal()))
        revenue = round(patrons * PRICE_USD, 2)
        out.append(row(metric_date=day(i), category="business", listens=3 * active, active_listeners=active, paying_patrons=patrons,
                       subscription_revenue_usd=revenue, creator_revenue_usd=revenue, sub_conversion=patrons / active))
    return out


def config(new_normal_days: int | None = None):
    rules = tuple(dataclasses.replace(SHIPPED.rule(m), min_volume=0.0) for m in ("sub_conversion", "subscription_revenue_usd"))
    if new_normal_days is not None:
        rules = tuple(dataclasses.replace(r, new_normal_days=new_normal_days) for r in rules)
    return dataclasses.replace(SHIPPED, rules=rules)


def detected(spark, cut: float, cut_days: int, seed: int = 4, patrons_a_day: int = PATRONS_A_DAY, new_normal_days: int | None = None):
    cfg = config(new_normal_days)
    scored = score_all(complete_spine(frame(spark, rows(cut, cut_days, seed, patrons_a_day))), cfg)
    return scored, flag(scored, cfg.driver_led_share, cfg.pooled_rules).collect(), cfg


def test_the_shipped_rules_pool_conversion():
    assert SHIPPED.rule("sub_conversion").pooled_days == 4
    assert [r.metric for r in SHIPPED.pooled_rules] == ["sub_conversion"]


def test_a_week_long_conversion_cut_no_day_of_which_reaches_the_threshold_is_flagged_pooled(spark):
    scored, anomalies, cfg = detected(spark, cut=0.7, cut_days=7)
    cut = {day(i) for i in range(CUT_FROM, CUT_FROM + 7)}
    threshold = cfg.rule("sub_conversion").threshold
    own = scored.filter((F.col("metric") == "sub_conversion") & F.col("metric_date").isin(list(cut))).collect()
    assert len(own) == 7 and all(r.is_scored and abs(r.z_score) < threshold for r in own)
    pooled = [a for a in anomalies if a.metric == "sub_conversion"]
    assert pooled and {a.metric_date for a in pooled} <= cut
    assert all(a.method.endswith("+pooled:4d") and a.direction == "drop" and a.severity >= threshold > abs(a.z_score) for a in pooled)
    # Subscription revenue moved with it, by more than the driver-led share: led by conversion on those days.
    revenue = [a for a in anomalies if a.metric == "subscription_revenue_usd"]
    assert {a.metric_date for a in revenue} == {a.metric_date for a in pooled}
    assert all(a.method.endswith("+driver_led:sub_conversion") for a in revenue)


def test_a_conversion_cut_that_persists_is_flagged_pooled_for_its_first_new_normal_days_only(spark):
    def pooled_days(new_normal_days: int) -> list:
        _, anomalies, _ = detected(spark, cut=0.6, cut_days=21, patrons_a_day=40, new_normal_days=new_normal_days)
        return sorted(a.metric_date for a in anomalies if a.metric == "sub_conversion" and "+pooled:" in a.method)

    # Left alone, the pooled run of this cut lasts more than three days (until the baseline takes the new level in).
    assert len(pooled_days(50)) > 3
    # A new normal after three days: the run's first three days only, all inside its first week.
    flagged = pooled_days(3)
    assert len(flagged) == 3 and (flagged[-1] - day(CUT_FROM)).days < 7


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_quiet_conversion_series_has_no_pooled_flag(spark, seed):
    _, anomalies, _ = detected(spark, cut=0.0, cut_days=0, seed=seed)
    assert [a for a in anomalies if "+pooled:" in a.method] == []


@pytest.mark.parametrize("days", [1, 0, "two"])
def test_pooled_days_under_two_is_a_one_line_config_error(days):
    with pytest.raises(ConfigError, match="pooled_days"):
        parse_rule("sub_conversion", {"pooled_days": days}, "anomaly.yml: metrics.sub_conversion")
