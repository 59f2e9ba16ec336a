"""`creatorlake explain`: exact revenue driver decompositions -> `gold.revenue_change_drivers`, `gold.anomaly_explanations`."""

from __future__ import annotations

import argparse

from creatorlake.anomaly.config import AnomalyConfig, MetricRule, load_anomaly_config
from creatorlake.anomaly.detect import complete_spine
from creatorlake.core.config import Settings
from creatorlake.core.progress import timed
from creatorlake.core.spark import ensure_schemas, get_spark
from creatorlake.core.tables import read_table, replace_table
from creatorlake.rootcause.explain import explain_anomalies, revenue_change_drivers

STAGE = "explain"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="YML", help="anomaly config (default: anomaly.yml of the config directory)")


def explanation_rule(config: AnomalyConfig) -> MetricRule:
    """Explanations compare a day with the baseline window of the creator revenue rule."""
    metrics = [r.metric for r in config.rules]
    if "creator_revenue_usd" in metrics:
        return config.rule("creator_revenue_usd")
    return config.rules[0]


def run(args: argparse.Namespace, settings: Settings) -> int:
    config = load_anomaly_config(args.config, settings)
    spark = get_spark(settings, app_name="creatorlake-explain")
    ensure_schemas(spark, settings)
    daily = complete_spine(read_table(spark, settings, "gold", config.source_table, made_by="transform")).persist()
    anomalies = read_table(spark, settings, "gold", config.anomalies_table, made_by="detect")
    drivers_table = settings.table("gold", config.drivers_table)
    with timed(STAGE, f"week-over-week creator revenue drivers -> {drivers_table}") as step:
        step.rows = replace_table(revenue_change_drivers(daily), drivers_table)
    explanations_table = settings.table("gold", config.explanations_table)
    with timed(STAGE, f"explain revenue anomalies -> {explanations_table}") as step:
        explained = explain_anomalies(anomalies, daily, explanation_rule(config), config.revenue_metrics, config.drill_down_top)
        step.rows = replace_table(explained, explanations_table)
    daily.unpersist()
    return 0
