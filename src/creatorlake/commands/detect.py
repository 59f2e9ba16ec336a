"""`creatorlake detect`: rolling z-score anomalies per segment -> `gold.metric_anomalies`.

I/O lives here; the transforms are in `creatorlake.anomaly.detect`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

from creatorlake.anomaly.config import AnomalyConfig, load_anomaly_config
from creatorlake.anomaly.detect import complete_spine, flag, score_all
from creatorlake.core.config import Settings
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.progress import say, timed
from creatorlake.core.spark import ensure_schemas, get_spark
from creatorlake.core.tables import read_table, replace_table

STAGE = "detect"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="YML", help="anomaly config (default: conf/anomaly.yml)")
    parser.add_argument("--evaluate", metavar="INCIDENTS.yml", help="after detecting, score against the planted incidents in this file ('none' for a clean run)")
    parser.add_argument("--report", metavar="JSON", help="with --evaluate: also write the scores and per-incident detail to this file")


def read_source(spark: SparkSession, settings: Settings, config: AnomalyConfig) -> DataFrame:
    return read_table(spark, settings, "gold", config.source_table, made_by="transform")


def run(args: argparse.Namespace, settings: Settings) -> int:
    config = load_anomaly_config(args.config)
    if args.report and not args.evaluate:
        raise CreatorLakeError("--report needs --evaluate INCIDENTS.yml (or --evaluate none)")
    incidents = None
    if args.evaluate:
        from creatorlake.anomaly.evaluate import load_incidents

        incidents = load_incidents(args.evaluate)
    spark = get_spark(settings, app_name="creatorlake-detect")
    ensure_schemas(spark, settings)
    daily = complete_spine(read_source(spark, settings, config))
    target = settings.table("gold", config.anomalies_table)
    with timed(STAGE, f"score {len(config.rules)} metrics per segment and day") as step:
        scored = score_all(daily, config).persist()
        step.rows = scored.count()
    with timed(STAGE, f"write {target}") as step:
        step.rows = replace_table(flag(scored), target)
    if incidents is not None:
        result = evaluate_run(spark, settings, config, daily, scored, incidents)
        if args.report:
            Path(args.report).write_text(json.dumps(result, indent=2, default=str) + "\n")
            say(STAGE, f"evaluation written to {args.report}")
    scored.unpersist()
    return 0


def evaluate_run(spark, settings, config, daily, scored, incidents) -> dict:
    from creatorlake.anomaly.evaluate import evaluate, report_lines
    from creatorlake.commands.explain import explanation_rule
    from creatorlake.rootcause.explain import explain_anomalies

    with timed(STAGE, f"evaluate against {len(incidents)} planted incident(s)"):
        anomalies = spark.table(settings.table("gold", config.anomalies_table))
        explanations = explain_anomalies(anomalies, daily, explanation_rule(config), config.revenue_metrics)
        scored_points = scored.filter("is_scored").count()
        result = evaluate(
            [r.asDict() for r in anomalies.collect()],
            scored_points,
            [r.asDict() for r in explanations.select("metric_date", "metric", "country_code", "category", "creator_tier", "z_score", "dominant_driver").collect()],
            incidents,
        )
    for line in report_lines(result):
        print(line)
    return result
