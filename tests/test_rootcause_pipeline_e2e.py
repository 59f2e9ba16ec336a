"""Generator -> dbt -> detect -> explain on the tiny lakehouse: the outputs' invariants."""

from __future__ import annotations

import argparse

import pytest
from pyspark.sql import functions as F

from creatorlake.anomaly.config import load_anomaly_config
from creatorlake.anomaly.schema import ANOMALY_SCHEMA, DRIVERS, SEGMENT_KEYS
from creatorlake.rootcause.decompose import contribution_columns

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pipeline(spark, settings, tiny_gold):
    from creatorlake.anomaly import command as detect
    from creatorlake.rootcause import command as explain

    args = argparse.Namespace(config=None, evaluate=None, report=None)
    assert detect.run(args, settings) == 0
    first = spark.table(settings.table("gold", "metric_anomalies")).collect()
    assert explain.run(args, settings) == 0
    assert detect.run(args, settings) == 0  # a rerun rewrites the same table
    return first


def contributions_sum() -> F.Column:
    return sum((F.col(c) for c in contribution_columns()[1:]), F.col(contribution_columns()[0]))


def test_anomalies_follow_the_schema_and_thresholds(spark, settings, pipeline):
    anomalies = spark.table(settings.table("gold", "metric_anomalies"))
    assert [(f.name, f.dataType) for f in anomalies.schema] == [(f.name, f.dataType) for f in ANOMALY_SCHEMA]
    config = load_anomaly_config()
    for rule in config.rules:
        rows = anomalies.filter(F.col("metric") == rule.metric)
        assert rows.filter(F.abs("z_score") < rule.threshold).count() == 0
    bad_direction = anomalies.filter(((F.col("z_score") > 0) & (F.col("direction") != "spike")) | ((F.col("z_score") < 0) & (F.col("direction") != "drop")))
    assert bad_direction.count() == 0
    assert sorted(map(repr, pipeline)) == sorted(map(repr, anomalies.collect()))  # a rerun writes the same rows


def test_weekly_drivers_sum_to_the_change_to_the_cent(spark, settings, pipeline):
    drivers = spark.table(settings.table("gold", "revenue_change_drivers"))
    assert drivers.count() > 0
    assert drivers.filter(contributions_sum() != F.col("change_usd")).count() == 0
    assert drivers.filter(F.col("creator_revenue_after_usd") - F.col("creator_revenue_before_usd") != F.col("change_usd")).count() == 0
    assert drivers.filter(~F.col("dominant_driver").isin(*DRIVERS)).count() == 0
    platform = drivers.filter(F.col("country_code").isNull() & F.col("category").isNull() & F.col("creator_tier").isNull())
    assert platform.count() >= 4  # six weeks of data: at least four complete week pairs


def test_explanations_cover_revenue_anomalies_exactly(spark, settings, pipeline):
    explanations = spark.table(settings.table("gold", "anomaly_explanations"))
    anomalies = spark.table(settings.table("gold", "metric_anomalies"))
    revenue = anomalies.filter(F.col("metric").isin(*load_anomaly_config().revenue_metrics))
    keys = ["metric_date", "metric", *SEGMENT_KEYS]
    assert explanations.select(*keys).exceptAll(revenue.select(*keys)).count() == 0
    assert explanations.count() == revenue.count()
    assert explanations.filter(contributions_sum() != F.col("change_usd")).count() == 0
    assert explanations.filter(F.col("why").isNull() | ~F.col("dominant_driver").isin(*DRIVERS)).count() == 0
