"""`creatorlake explain`: exact revenue driver decompositions -> `gold.revenue_change_drivers`, `gold.anomaly_explanations`."""

from __future__ import annotations

import argparse

from creatorlake.commands.detect import read_source
from creatorlake.core.tables import replace_table
from creatorlake.anomaly.config import AnomalyConfig, MetricRule, load_anomaly_config
from creatorlake.anomaly.detect import complete_spine
from creatorlake.core.config import Settings
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.progress import timed
from creatorlake.rootcause.explain import explain_anomalies, revenue_change_drivers
from creatorlake.core.spark import ensure_schemas, get_spark

STAGE = "explain"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="YML", help="anomaly config (default: conf/anomaly.yml)")


def explanation_rule(config: AnomalyConfig) -> MetricRule:
    """Explanations compare a day with the baseline window of the creator revenue rule."""
    metrics = [r.metric for r in config.rules]
    if "creator_revenue_usd" in metrics:
        return config.rule("creator_revenue_usd")
    return config.rules[0]


def run(args: argparse.Namespace, settings: Settings) -> int:
    config = load_anomaly_config(args.config)
    spark = get_spark(settings, app_name="creatorlake-explain")
    ensure_schemas(spark, settings)
    daily = complete_spine(read_source(spark, settings, config)).persist()
    anomalies_table = settings.table("gold", config.anomalies_table)
    if not spark.catalog.tableExists(anomalies_table):
        raise CreatorLakeError(f"table {anomalies_table} does not exist; run `creatorlake detect` first")
    drivers_table = settings.table("gold", config.drivers_table)
    with timed(STAGE, f"week-over-week creator revenue drivers -> {drivers_table}") as step:
        step.rows = replace_table(revenue_change_drivers(daily), drivers_table)
    explanations_table = settings.table("gold", config.explanations_table)
    with timed(STAGE, f"explain revenue anomalies -> {explanations_table}") as step:
        explained = explain_anomalies(spark.table(anomalies_table), daily, explanation_rule(config), config.revenue_metrics, config.drill_down_top)
        step.rows = replace_table(explained, explanations_table)
    daily.unpersist()
    return 0
