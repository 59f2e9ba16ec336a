"""The small aggregates of the gold tables the memo's facts are computed from (Spark -> pandas).

Every table is checked before anything is read, so a lakehouse missing one gives one line naming it
(and the command that makes it) and nothing is written.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from creatorlake.anomaly.config import AnomalyConfig
from creatorlake.core.config import Settings
from creatorlake.core.tables import read_table
from creatorlake.metrics.catalog import SEGMENT_DATE, SEGMENT_KEYS
from creatorlake.memo.facts import GUARDRAIL_COUNTS, WEEK, complete_weeks

# Days without a listen after which a listener counts as churned (the data contract's guardrail).
CHURN_DAYS = 28


def required_tables(anomaly: AnomalyConfig) -> tuple[tuple[str, str], ...]:
    """(gold table, the command that makes it), in pipeline order: the first missing one is named."""
    return (
        ("fct_segment_daily_metrics", "transform"),
        ("fct_events", "transform"),
        ("fct_creator_monthly_performance", "transform"),
        ("fct_creator_week_panel", "transform"),
        ("fct_partner_funnel", "transform"),
        (anomaly.anomalies_table, "detect"),
        (anomaly.drivers_table, "explain"),
        (anomaly.explanations_table, "explain"),
        ("feature_impact", "impact"),
    )


def _platform(df: DataFrame) -> DataFrame:
    """The whole-platform rows of a segment table: every segment key null."""
    for key in SEGMENT_KEYS:
        df = df.where(F.col(key).isNull())
    return df


def listener_churn(events: DataFrame, as_of: dt.date) -> tuple[int, int]:
    """(listeners with a listen on or before as_of - 28 days, of them those with no listen in the 28 days up to as_of)."""
    cutoff = as_of - dt.timedelta(days=CHURN_DAYS)
    per_listener = (
        events.where(F.col("is_listen") & (F.col("event_date") <= F.lit(as_of)))
        .groupBy("listener_id")
        .agg(F.max(F.col("event_date") <= F.lit(cutoff)).alias("seen_before"), F.max(F.col("event_date") > F.lit(cutoff)).alias("seen_since"))
    )
    row = per_listener.agg(F.count_if("seen_before").alias("base"), F.count_if(F.col("seen_before") & ~F.col("seen_since")).alias("churned")).first()
    return int(row["base"] or 0), int(row["churned"] or 0)


def collect(spark: SparkSession, settings: Settings, anomaly: AnomalyConfig) -> dict[str, pd.DataFrame]:
    tables = {name: read_table(spark, settings, "gold", name, made_by=made_by) for name, made_by in required_tables(anomaly)}
    daily = _platform(tables["fct_segment_daily_metrics"]).select(SEGMENT_DATE, "listens", "creator_revenue_usd", *GUARDRAIL_COUNTS).toPandas()
    frames: dict[str, pd.DataFrame] = {"platform_daily": daily}
    weeks = complete_weeks(daily) if not daily.empty else daily
    week_starts = [pd.Timestamp(w).date() for w in weeks["week_start_date"].tail(2)] if len(weeks) else []
    events = tables["fct_events"]
    frames["weekly_listeners"] = (
        events.where(F.col("is_listen") & F.col("event_week").isin(week_starts))
        .groupBy(F.col("event_week").alias("week_start_date")).agg(F.countDistinct("listener_id").alias("active_listeners")).toPandas()
    )
    churn = [(w + WEEK - dt.timedelta(days=1), *listener_churn(events, w + WEEK - dt.timedelta(days=1))) for w in week_starts]
    frames["listener_churn"] = pd.DataFrame(churn, columns=["as_of", "base", "churned"])
    frames["monthly"] = (
        tables["fct_creator_monthly_performance"].groupBy("month_start_date")
        .agg(F.sum("gross_mrr_usd").cast("double").alias("gross_mrr_usd"), F.sum("churned_patrons").alias("churned_patrons"),
             F.sum("active_patrons").alias("active_patrons"))
        .toPandas()
    )
    panel = tables["fct_creator_week_panel"].where(F.col("week_start_date") == F.lit(week_starts[-1] if week_starts else None))
    eligible_inactive = F.col("partner_eligible_week").isNotNull() & ~F.coalesce(F.col("is_partner_active"), F.lit(False))
    frames["exposure"] = panel.agg(
        F.sum("listens").cast("double").alias("listens"),
        F.sum(F.col("listens") * F.col("comments_enabled_listen_share")).cast("double").alias("comments_listens"),
        F.sum("first_listens").cast("double").alias("first_listens"),
        F.sum("returning_first_listens_7d").cast("double").alias("returning_first_listens_7d"),
        F.sum(F.when(eligible_inactive, F.col("creator_revenue_usd"))).cast("double").alias("eligible_inactive_revenue_usd"),
        F.count(F.when(eligible_inactive, F.lit(1))).cast("double").alias("eligible_inactive_creators"),
    ).toPandas()
    frames["funnel"] = tables["fct_partner_funnel"].toPandas()
    frames["anomalies"] = tables[anomaly.anomalies_table].select(SEGMENT_DATE, "metric", *SEGMENT_KEYS, "value", "expected", "severity", "direction").toPandas()
    frames["explanations"] = tables[anomaly.explanations_table].withColumn("drill_down_json", F.to_json("drill_down")).drop("drill_down").toPandas()
    frames["platform_drivers"] = _platform(tables[anomaly.drivers_table]).toPandas()
    frames["impact"] = tables["feature_impact"].toPandas()
    return frames
