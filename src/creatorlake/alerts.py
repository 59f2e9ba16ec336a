"""Alerts: the anomalies of the latest day scored and the creator health statuses of the latest
month that reach a level (anomaly.yml `alerts`), each raised once: pure DataFrame transforms.

An alert is identified by its key, `<kind>:<metric>:<subject>:<for_date>:<level>`: the same
anomaly or health status at the same level is the same alert however often detection runs,
and a move that worsens (warning -> critical) is a new alert. The alert history table
(`gold.alert_history`) holds every alert raised; an alert whose key it holds is not new.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from typing import Sequence

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from creatorlake.anomaly.config import ALERT_LEVELS, AlertConfig
from creatorlake.anomaly.schema import DATE, SEGMENT_KEYS

ALERT_SCHEMA = T.StructType(
    [
        T.StructField("alert_key", T.StringType(), False),
        T.StructField("kind", T.StringType(), False),
        T.StructField("level", T.StringType(), False),
        T.StructField("for_date", T.DateType(), False),
        T.StructField("metric", T.StringType(), False),
        T.StructField("subject", T.StringType(), False),
        T.StructField("value", T.DoubleType(), True),
        T.StructField("z_score", T.DoubleType(), True),
        T.StructField("details", T.StringType(), True),
        T.StructField("raised_for_date", T.DateType(), False),
    ]
)
ALERT_COLUMNS = tuple(ALERT_SCHEMA.fieldNames())

# The health columns of the creator-month mart: each rate with its healthy/warning/critical status.
HEALTH_CHECKS = (
    ("patron_churn_rate_pct", "patron_churn_health_status"),
    ("collection_rate_pct", "collection_health_status"),
    ("decline_rate_pct", "decline_health_status"),
)
HEALTH_MONTH = "month_start_date"


def level_rank(level: Column) -> Column:
    """0 for no level (healthy, null), then 1, 2, ... in ALERT_LEVELS' order."""
    return F.coalesce(F.array_position(F.array(*[F.lit(name) for name in ALERT_LEVELS]), level).cast("int"), F.lit(0))


def severity_level(severity: Column, alerts: AlertConfig) -> Column:
    """The alert level of an anomaly's |z| (its `severity` column); null under the mildest bound."""
    level = F.lit(None).cast("string")
    for name in ALERT_LEVELS:
        level = F.when(severity >= F.lit(alerts.bound(name)), F.lit(name)).otherwise(level)
    return level


def segment_subject() -> Column:
    """A segment as text: its non-null keys as `key=value`, joined by `/`; `platform` when all are null."""
    parts = F.concat_ws("/", *[F.when(F.col(k).isNotNull(), F.concat(F.lit(f"{k}="), F.col(k))) for k in SEGMENT_KEYS])
    return F.when(parts == "", F.lit("platform")).otherwise(parts)


def _key(kind: str) -> Column:
    return F.concat_ws(":", F.lit(kind), F.col("metric"), F.col("subject"), F.col("for_date").cast("string"), F.col("level"))


def anomaly_alerts(anomalies: DataFrame, latest_date: dt.date, alerts: AlertConfig) -> DataFrame:
    """The anomalies dated `latest_date` (the latest day scored) that reach a level, as alerts raised for it."""
    leveled = anomalies.where(F.col(DATE) == F.lit(latest_date)).select(
        "*", severity_level(F.col("severity"), alerts).alias("level"), segment_subject().alias("subject"),
        F.col(DATE).alias("for_date"),
    ).where(F.col("level").isNotNull())
    details = F.format_string("%s, expected %.4g (%s)", F.col("direction"), F.col("expected"), F.col("method"))
    return leveled.select(
        _key("anomaly").alias("alert_key"), F.lit("anomaly").alias("kind"), "level", "for_date", "metric", "subject",
        F.col("value").cast("double").alias("value"), F.col("z_score").cast("double").alias("z_score"),
        details.alias("details"), F.lit(latest_date).alias("raised_for_date"),
    )


def health_alerts(monthly: DataFrame, latest_date: dt.date, alerts: AlertConfig) -> DataFrame:
    """Creators whose health status in the latest month of the mart is a level worse than the month
    before (healthy, no status or no row that month count as no level), among creators with at
    least `min_active_patrons` active patrons that month: one alert per creator and health metric,
    raised for `latest_date` (the latest day scored)."""
    latest = monthly.agg(F.max(HEALTH_MONTH).alias("latest_month"))
    checks = [
        monthly.select(
            "creator_id", HEALTH_MONTH, "active_patrons", F.lit(rate).alias("metric"),
            F.col(rate).cast("double").alias("value"), F.col(status).alias("level"),
        )
        for rate, status in HEALTH_CHECKS
    ]
    statuses = reduce(DataFrame.unionByName, checks)
    by_metric = Window.partitionBy("creator_id", "metric").orderBy(HEALTH_MONTH)
    is_next_month = F.lag(HEALTH_MONTH).over(by_metric) == F.add_months(F.col(HEALTH_MONTH), -1)
    prior_level = F.when(is_next_month, F.lag("level").over(by_metric))
    ranked = statuses.select("*", prior_level.alias("prior_level"))
    is_worse = level_rank(F.col("level")) > level_rank(F.col("prior_level"))
    is_big_enough = F.col("active_patrons") >= F.lit(alerts.min_active_patrons)
    newly = ranked.crossJoin(latest).where(
        (F.col(HEALTH_MONTH) == F.col("latest_month")) & F.col("level").isin(*ALERT_LEVELS) & is_worse & is_big_enough
    ).select("*", F.concat(F.lit("creator_id="), F.col("creator_id")).alias("subject"), F.col(HEALTH_MONTH).alias("for_date"))
    details = F.format_string("%s (the month before: %s), %d active patrons", F.col("level"),
                              F.coalesce(F.col("prior_level"), F.lit("no status")), F.col("active_patrons"))
    return newly.select(
        _key("health").alias("alert_key"), F.lit("health").alias("kind"), "level", "for_date", "metric", "subject",
        "value", F.lit(None).cast("double").alias("z_score"), details.alias("details"), F.lit(latest_date).alias("raised_for_date"),
    )


def new_alerts(current: DataFrame, history: DataFrame) -> DataFrame:
    """The current alerts whose key the history does not hold."""
    return current.join(history.select("alert_key"), on="alert_key", how="left_anti").select(*ALERT_COLUMNS)


def at_or_worse(alerts: DataFrame, level: str, config: AlertConfig) -> DataFrame:
    return alerts.where(F.col("level").isin(*config.levels_from(level)))


def alert_line(row: dict) -> str:
    """One printed line: date, metric, subject, z (or the health rate), level."""
    measure = f"z={row['z_score']:+.1f}" if row["z_score"] is not None else f"value={row['value']:.2f}"
    return f"{row['for_date']}  {row['kind']:<7}  {row['metric']}  {row['subject']}  {measure}  {row['level'].upper()}"


def sort_for_display(rows: Sequence[dict]) -> list[dict]:
    """Worst level first, then date, kind, metric, subject: a stable order for the same alerts."""
    rank = {name: i for i, name in enumerate(ALERT_LEVELS)}
    return sorted(rows, key=lambda r: (-rank[r["level"]], r["for_date"], r["kind"], r["metric"], r["subject"]))
