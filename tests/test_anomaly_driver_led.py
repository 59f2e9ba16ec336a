"""Revenue follows its drivers: a flagged driver makes its segment's revenue move an explained anomaly."""

from __future__ import annotations

import dataclasses

import numpy as np
from pyspark.sql import functions as F

from creatorlake.anomaly.config import load_anomaly_config
from creatorlake.anomaly.detect import complete_spine, flag, score_all
from creatorlake.rootcause.explain import explain_anomalies
from segment_daily_rows import day, frame, row

SHIPPED = load_anomaly_config()
INCIDENT = range(35, 38)  # three days of CPM down a quarter, after five weeks of baseline


def rows(cpm_change: float) -> list[dict]:
    """One segment whose ad revenue swings with listens (+-30%) while its CPM is nearly flat; on the
    incident days listens are at their usual level and CPM moves by `cpm_change`."""
    rng = np.random.default_rng(1)
    out = []
    for i in range(42):
        listens = 1000.0 if i in INCIDENT else 1000.0 * (1 + 0.3 * rng.standard_normal())
        cpm = 10.0 * (1 + 0.002 * rng.standard_normal()) * (1 + cpm_change if i in INCIDENT else 1)
        opportunities, filled = round(2 * listens), round(1.6 * listens)
        revenue = round(filled * cpm / 1000, 2)
        out.append(row(
            metric_date=day(i), country_code="DE", listens=round(listens), ad_opportunities=opportunities, filled_impressions=filled,
            ad_revenue_usd=revenue, creator_revenue_usd=revenue, ad_load=opportunities / round(listens), fill_rate=filled / opportunities,
            cpm=1000 * revenue / filled,
        ))
    return out


def config():
    rules = tuple(dataclasses.replace(SHIPPED.rule(m), min_volume=0.0, volume_column="listens") for m in ("cpm", "ad_revenue_usd"))
    return dataclasses.replace(SHIPPED, rules=rules)


def anomalies_and_explanations(spark, cpm_change: float):
    cfg = config()
    daily = complete_spine(frame(spark, rows(cpm_change)))
    scored = score_all(daily, cfg)
    anomalies = flag(scored, cfg.driver_led_share)
    explained = explain_anomalies(anomalies, daily, cfg.rule("ad_revenue_usd"), ["ad_revenue_usd"])
    return scored, anomalies.collect(), {r.metric_date: r for r in explained.collect()}


def test_a_revenue_move_led_by_a_flagged_driver_is_an_anomaly_explained_by_it(spark):
    scored, anomalies, explained = anomalies_and_explanations(spark, -0.25)
    revenue = [a for a in anomalies if a.metric == "ad_revenue_usd" and a.metric_date in {day(i) for i in INCIDENT}]
    assert {a.metric_date for a in anomalies if a.metric == "cpm"} >= {day(i) for i in INCIDENT}
    assert {a.metric_date for a in revenue} == {day(i) for i in INCIDENT}
    assert all(a.method.endswith("+driver_led:cpm") and a.direction == "drop" for a in revenue)
    # Its own z-score would not have flagged it: the listens swings make revenue's band wide.
    own = scored.filter((F.col("metric") == "ad_revenue_usd") & F.col("metric_date").isin([day(i) for i in INCIDENT])).collect()
    assert all(abs(r.z_score) < r.threshold for r in own)
    for i in INCIDENT:
        assert explained[day(i)].dominant_driver == "cpm", explained[day(i)].why
        assert "CPM explains" in explained[day(i)].why


def test_no_revenue_anomaly_when_revenue_moved_less_than_the_share(spark):
    # CPM down 5% is still flagged on its flat series, but revenue moved under 20% of expected.
    _, anomalies, _ = anomalies_and_explanations(spark, -0.05)
    assert {a.metric_date for a in anomalies if a.metric == "cpm"} >= {day(i) for i in INCIDENT}
    assert not [a for a in anomalies if a.metric == "ad_revenue_usd" and a.metric_date in {day(i) for i in INCIDENT}]
