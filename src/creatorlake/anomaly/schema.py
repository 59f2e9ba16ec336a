"""The one declaration of what detection and root cause read and write.

Input: `gold.fct_segment_daily_metrics`, one row per segment per day on a complete
spine; a null segment key means "all". Outputs: the anomaly, driver and explanation
gold tables. The metric columns, segment keys and drivers come from the metric
catalog (creatorlake.metrics.catalog).
"""

from __future__ import annotations

from pyspark.sql import types as T

from creatorlake.metrics import catalog

MONEY = T.DecimalType(18, 2)

SEGMENT_KEYS = catalog.SEGMENT_KEYS
DATE = catalog.SEGMENT_DATE

COUNT_COLUMNS = catalog.names("count", "distinct")
MONEY_COLUMNS = catalog.names("money", "total")
RATIO_COLUMNS = catalog.names("ratio")
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

# The drivers of creator revenue, in the order reports list them.
DRIVERS = catalog.drivers()


def missing_columns(columns: list[str], needed: tuple[str, ...]) -> list[str]:
    present = set(columns)
    return [name for name in needed if name not in present]
