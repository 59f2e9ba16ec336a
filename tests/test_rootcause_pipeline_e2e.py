"""Generator -> dbt -> detect -> explain on the tiny lakehouse, run as the CLI runs them: the outputs' invariants."""

from __future__ import annotations

import argparse
import datetime as dt
import operator
from functools import reduce

import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from conftest import TINY_BRONZE
from creatorlake.anomaly.config import load_anomaly_config
from creatorlake.anomaly.schema import ANOMALY_SCHEMA, DRIVERS, SEGMENT_KEYS
from creatorlake.commands import detect, explain
from creatorlake.generator import GeneratorOptions
from creatorlake.rootcause.decompose import contribution_columns

pytestmark = pytest.mark.slow


def _run(command, settings) -> int:
    """The command's `run` with the arguments its own parser gives an empty command line."""
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    return command.run(parser.parse_args([]), settings)


@pytest.fixture(scope="module")
def pipeline(spark, settings, tiny_gold) -> dict:
    """Exit codes of detect, explain and a second detect, and the first detect's anomalies (checked by the tests)."""
    codes = [_run(detect, settings)]
    first = spark.table(settings.table("gold", "metric_anomalies")).localCheckpoint()
    codes += [_run(explain, settings), _run(detect, settings)]  # the rerun rewrites the same table
    return {"codes": codes, "first_anomalies": first}


def _gold(spark, settings, name: str) -> DataFrame:
    return spark.table(settings.table("gold", name))


def contributions_sum() -> F.Column:
    return sum((F.col(c) for c in contribution_columns()[1:]), F.col(contribution_columns()[0]))


def test_every_command_succeeds(pipeline):
    assert pipeline["codes"] == [0, 0, 0]


def test_anomalies_follow_the_schema_and_thresholds(spark, settings, pipeline):
    anomalies = _gold(spark, settings, "metric_anomalies")
    assert [(f.name, f.dataType) for f in anomalies.schema] == [(f.name, f.dataType) for f in ANOMALY_SCHEMA]
    assert anomalies.count() > 0
    config = load_anomaly_config()
    # A driver-led revenue point may sit under its threshold; it needs a driver flagged on its own that day.
    led = F.col("method").contains("+driver_led:")
    for rule in config.rules:
        rows = anomalies.filter((F.col("metric") == rule.metric) & ~led)
        assert rows.filter(F.abs("z_score") < rule.threshold).count() == 0
    keys = ("metric_date", *SEGMENT_KEYS, "driver")
    drivers = anomalies.filter(~led).select(*keys[:-1], F.col("metric").alias("driver")).alias("d")
    led_rows = anomalies.filter(led).select(*keys[:-1], F.element_at(F.split("method", ":"), -1).alias("driver")).alias("l")
    same = reduce(operator.and_, [F.col(f"l.{k}").eqNullSafe(F.col(f"d.{k}")) for k in keys])
    assert led_rows.join(drivers, on=same, how="left_anti").count() == 0
    bad_direction = anomalies.filter(((F.col("z_score") > 0) & (F.col("direction") != "spike")) | ((F.col("z_score") < 0) & (F.col("direction") != "drop")))
    assert bad_direction.count() == 0
    assert_df_equality(anomalies, pipeline["first_anomalies"], ignore_row_order=True)  # a rerun writes the same rows


def test_planted_incidents_are_flagged_inside_their_windows(spark, settings, pipeline):
    """Each planted incident has an anomaly in its window, in a segment overlapping its own
    (each key the incident names is the incident's value or "all")."""
    incidents = GeneratorOptions.from_defaults(settings, **TINY_BRONZE).incidents
    assert incidents
    anomalies = _gold(spark, settings, "metric_anomalies")
    missed = []
    for incident in incidents:
        segment = dict(incident.segment)
        in_window = F.col("metric_date").between(incident.start, incident.start + dt.timedelta(days=incident.days - 1))
        overlaps = [F.col(k).isNull() | (F.col(k) == value) for k, value in segment.items()]
        if anomalies.filter(_all([in_window, *overlaps])).count() == 0:
            missed.append(incident.name)
    assert not missed, f"planted incidents without an anomaly in their window: {missed}"


def _all(conditions: list[F.Column]) -> F.Column:
    return reduce(operator.and_, conditions)


def test_weekly_drivers_sum_to_the_change_to_the_cent(spark, settings, pipeline):
    drivers = _gold(spark, settings, "revenue_change_drivers")
    assert drivers.count() > 0
    assert drivers.filter(contributions_sum() != F.col("change_usd")).count() == 0
    assert drivers.filter(F.col("creator_revenue_after_usd") - F.col("creator_revenue_before_usd") != F.col("change_usd")).count() == 0
    assert drivers.filter(~F.col("dominant_driver").isin(*DRIVERS)).count() == 0
    platform = drivers.filter(_all([F.col(k).isNull() for k in SEGMENT_KEYS]))
    assert platform.count() >= 4  # six weeks of data: at least four complete week pairs


def test_explanations_cover_revenue_anomalies_exactly(spark, settings, pipeline):
    explanations = _gold(spark, settings, "anomaly_explanations")
    revenue = _gold(spark, settings, "metric_anomalies").filter(F.col("metric").isin(*load_anomaly_config().revenue_metrics))
    assert revenue.count() > 0  # the planted incidents move revenue: there is something to explain
    keys = ["metric_date", "metric", *SEGMENT_KEYS]
    assert_df_equality(explanations.select(*keys), revenue.select(*keys), ignore_row_order=True, ignore_nullable=True)
    assert explanations.filter(contributions_sum() != F.col("change_usd")).count() == 0
    assert explanations.filter(F.col("why").isNull() | ~F.col("dominant_driver").isin(*DRIVERS)).count() == 0
