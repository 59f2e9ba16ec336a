"""Reading and replacing lakehouse tables: the one place the analyses' table I/O happens."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from creatorlake.core.config import Settings
from creatorlake.core.errors import CreatorLakeError


def read_table(spark: SparkSession, settings: Settings, layer: str, name: str, *, made_by: str) -> DataFrame:
    """The table `<layer>.<name>`, or a one-line error naming the command that makes it."""
    table = settings.table(layer, name)
    if not spark.catalog.tableExists(table):
        raise CreatorLakeError(f"table {table} does not exist; run `creatorlake {made_by}` first")
    return spark.table(table)


def replace_table(df: DataFrame, table: str) -> int:
    """Replace the table in one Delta commit; a rerun on the same input writes the same rows."""
    df.write.format("delta").mode("overwrite").option("overwriteSchema", "true").saveAsTable(table)
    return df.sparkSession.table(table).count()
