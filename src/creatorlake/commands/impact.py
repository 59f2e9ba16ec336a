"""`creatorlake impact`: causal estimates of the features -> `gold.feature_impact` (+ event study, balance,
Partner Program cohort trajectories) and PNG charts under <lakehouse>/reports/impact/.

The panels are built by dbt; this command collects them, runs `creatorlake.impact` on them and writes the
results. Everything is estimated before the first write, so a bad input leaves every table as it was.
"""

from __future__ import annotations

import argparse

import pandas as pd
from pyspark.sql import SparkSession

from creatorlake.core.config import Settings
from creatorlake.core.progress import say, timed
from creatorlake.core.spark import ensure_schemas, get_spark
from creatorlake.core.tables import read_table, replace_table
from creatorlake.impact import charts
from creatorlake.impact.features import ImpactOptions, estimate_all
from creatorlake.impact.tables import RESULT_SCHEMAS, conformed

STAGE = "impact"
PANEL, EPISODES = "fct_creator_week_panel", "fct_episode_comments_impact"
EPISODE_COLUMNS = ("episode_id", "creator_id", "has_comments_enabled", "publish_week", "listens", "listeners", "follows", "returning_listeners_7d")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--min-treated", type=int, default=ImpactOptions.min_treated, help="fewest treated creators an estimate needs")


def collect(spark: SparkSession, settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    panel = read_table(spark, settings, "gold", PANEL, made_by="transform").toPandas()
    episodes = read_table(spark, settings, "gold", EPISODES, made_by="transform").select(*EPISODE_COLUMNS).toPandas()
    return panel, episodes


def to_spark(spark: SparkSession, name: str, frame: pd.DataFrame):
    schema = RESULT_SCHEMAS[name]
    return spark.createDataFrame(conformed(frame, schema), schema)


def run(args: argparse.Namespace, settings: Settings) -> int:
    spark = get_spark(settings, app_name="creatorlake-impact")
    ensure_schemas(spark, settings)
    with timed(STAGE, f"collect gold.{PANEL} and gold.{EPISODES}") as step:
        panel, episodes = collect(spark, settings)
        step.rows = len(panel) + len(episodes)
    with timed(STAGE, "estimate Comments, Analytics and Partner Program effects") as step:
        results = estimate_all(panel, episodes, ImpactOptions(min_treated=args.min_treated))
        frames = results.frames()
        step.rows = len(frames["feature_impact"])
    for reason in results.skipped:
        say(STAGE, f"not estimated: {reason}")
    for name, frame in frames.items():
        table = settings.table("gold", name)
        if frame.empty:
            # Nothing of it could be estimated: no table, rather than one left from an earlier world.
            spark.sql(f"drop table if exists {table}")
            say(STAGE, f"{table}: nothing to write (dropped if it existed)")
            continue
        with timed(STAGE, f"-> {table}") as step:
            step.rows = replace_table(to_spark(spark, name, frame), table)
    reports = settings.lakehouse_root / "reports" / "impact"
    reports.mkdir(parents=True, exist_ok=True)
    es = frames["feature_impact_event_study"]
    written = []
    for (feature, outcome, method), rows in (es.groupby(["feature", "outcome", "method"]) if not es.empty else ()):
        path = reports / f"event_study_{feature}_{outcome}_{method}.png"
        charts.event_study_figure(rows, f"{feature}: {outcome} ({method})").savefig(path, dpi=110)
        written.append(path)
    if not frames["partner_cohort_trajectory"].empty:
        path = reports / "partner_cohort_trajectory.png"
        charts.trajectory_figure(frames["partner_cohort_trajectory"]).savefig(path, dpi=110)
        written.append(path)
    say(STAGE, f"{len(written)} charts in {reports}")
    print(frames["feature_impact"][["feature", "outcome", "method", "estimate", "ci_low", "ci_high", "is_causal"]].to_string(index=False))
    return 0
