"""The one declaration of what detection and root cause read and write.

Input: `gold.fct_segment_daily_metrics`, one row per segment per day on a complete
spine; a null segment key means "all". Outputs: the three gold tables of issue #5.
"""

from __future__ import annotations

from pyspark.sql import types as T

MONEY = T.DecimalType(18, 2)

SEGMENT_KEYS = ("country_code", "category", "creator_tier")
DATE = "metric_date"

COUNT_COLUMNS = (
    "listens",
    "completed_listens",
    "active_listeners",
    "ad_opportunities",
    "filled_impressions",
    "paying_patrons",
    "follows",
    "shares",
    "comments",
    "episodes_published",
)
MONEY_COLUMNS = ("ad_revenue_usd", "subscription_revenue_usd", "partner_payout_usd", "creator_revenue_usd")
RATIO_COLUMNS = (
    "completion_rate",
    "ad_load",
    "fill_rate",
    "cpm",
    "sub_conversion",
    "arppu_usd",
    "rpm",
    "follows_per_listener",
    "shares_per_listener",
    "comments_per_episode",
)
# Every column a metric rule may score.
METRIC_COLUMNS = COUNT_COLUMNS + MONEY_COLUMNS + RATIO_COLUMNS


def _input_type(name: str) -> T.DataType:
    if name in COUNT_COLUMNS:
        return T.LongType()
    if name in MONEY_COLUMNS:
        return MONEY
    return T.DoubleType()


SEGMENT_DAILY_SCHEMA = T.StructType(
    [T.StructField(DATE, T.DateType(), False)]
    + [T.StructField(key, T.StringType(), True) for key in SEGMENT_KEYS]
    + [T.StructField(name, _input_type(name), name in RATIO_COLUMNS) for name in COUNT_COLUMNS + MONEY_COLUMNS + RATIO_COLUMNS]
)

ANOMALY_SCHEMA = T.StructType(
    [
        T.StructField(DATE, T.DateType(), False),
        T.StructField("metric", T.StringType(), False),
        *[T.StructField(key, T.StringType(), True) for key in SEGMENT_KEYS],
        T.StructField("value", T.DoubleType(), True),
        T.StructField("expected", T.DoubleType(), True),
        T.StructField("z_score", T.DoubleType(), True),
        T.StructField("direction", T.StringType(), True),
        T.StructField("severity", T.DoubleType(), True),
        T.StructField("method", T.StringType(), True),
    ]
)

# The drivers of creator revenue, in the order reports list them (METRICS.md section 5).
AD_FACTORS = ("listens", "ad_load", "fill_rate", "cpm")
SUB_FACTORS = ("active_listeners", "sub_conversion", "arppu_usd")
DRIVERS = AD_FACTORS + SUB_FACTORS + ("partner_payout_usd",)


def missing_columns(columns: list[str], needed: tuple[str, ...]) -> list[str]:
    present = set(columns)
    return [name for name in needed if name not in present]
