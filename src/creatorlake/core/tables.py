"""Reading and replacing lakehouse tables: the one place the analyses' table I/O happens."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Sequence

from delta.tables import DeltaTable
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql.types import StructType

from creatorlake.core.config import Settings
from creatorlake.core.errors import CreatorLakeError


def read_table(spark: SparkSession, settings: Settings, layer: str, name: str, *, made_by: str) -> DataFrame:
    """The table `<layer>.<name>`, or a one-line error naming the command that makes it."""
    table = settings.table(layer, name)
    if not spark.catalog.tableExists(table):
        raise CreatorLakeError(f"table {table} does not exist; run `creatorlake {made_by}` first")
    return spark.table(table)


def replace_table(df: DataFrame, table: str, partition_by: str | None = None) -> int:
    """Replace the table in one Delta commit; a rerun on the same input writes the same rows."""
    writer = df.write.format("delta").mode("overwrite").option("overwriteSchema", "true")
    if partition_by:
        writer = writer.partitionBy(partition_by)
    writer.saveAsTable(table)
    return df.sparkSession.table(table).count()


def replace_rows_where(df: DataFrame, table: str, where: str) -> None:
    """Replace the table's rows matching `where` by `df` in one Delta commit (so re-running the same
    write replaces instead of duplicating)."""
    df.write.format("delta").mode("overwrite").option("replaceWhere", where).saveAsTable(table)


def rows_written(spark: SparkSession, table: str) -> int:
    """Rows the table's latest commit wrote (inserted or updated), from Delta's own operation metrics."""
    metrics = DeltaTable.forName(spark, table).history(1).select("operationMetrics").collect()[0][0] or {}
    if "numOutputRows" in metrics:
        return int(metrics["numOutputRows"])
    return int(metrics.get("numTargetRowsInserted", 0)) + int(metrics.get("numTargetRowsUpdated", 0))


# The catalog of a Unity Catalog workspace: the job's `--catalog` (or `catalog:` in
# the config), else this variable; none means the local session's spark_catalog.
CATALOG_ENV = "CREATORLAKE_CATALOG"
LOCAL_CATALOG = "spark_catalog"


def catalog_of(settings: Settings) -> str | None:
    return settings.catalog or os.environ.get(CATALOG_ENV) or None


def qualified_name(settings: Settings, layer: str, name: str) -> str:
    """`<catalog>.<schema>.<table>` when a catalog is configured, `<schema>.<table>` locally."""
    catalog = catalog_of(settings)
    table = settings.table(layer, name)
    return table if catalog in (None, LOCAL_CATALOG) else f"{catalog}.{table}"


def with_catalog(settings: Settings, catalog: str | None) -> Settings:
    """The same settings naming their tables in `catalog`."""
    return replace(settings, catalog=catalog)


def table_exists(spark: SparkSession, table: str) -> bool:
    return spark.catalog.tableExists(table)


def ensure_table(spark: SparkSession, table: str, schema: StructType, partition_by: str | None = None) -> None:
    """Create an empty Delta table with this schema unless it exists (so concurrent first writers merge, not race to create)."""
    if table_exists(spark, table):
        return
    writer = spark.createDataFrame([], schema).write.format("delta").mode("ignore")
    if partition_by:
        writer = writer.partitionBy(partition_by)
    writer.saveAsTable(table)


def merge_rows(df: DataFrame, table: str, key: Sequence[str], *, unchanged_if_equal_except: Sequence[str] = (), delete_unmatched: Column | None = None) -> None:
    """Upsert `df` into `table` on `key` in one Delta commit.

    A matched row is rewritten only when a column other than `unchanged_if_equal_except`
    differs, so replaying a batch commits no change; target rows that no source row
    matches and that satisfy `delete_unmatched` (e.g. an earlier version of the same
    batch) are deleted in the same commit.
    """
    spark = df.sparkSession
    compared = [c for c in df.columns if c not in unchanged_if_equal_except]
    changed = "NOT (" + " AND ".join(f"t.`{c}` <=> s.`{c}`" for c in compared) + ")"
    cond = " AND ".join(f"t.`{k}` = s.`{k}`" for k in key)
    merge = (
        DeltaTable.forName(spark, table).alias("t").merge(df.alias("s"), cond)
        .whenMatchedUpdateAll(condition=changed)
        .whenNotMatchedInsertAll()
    )
    if delete_unmatched is not None:
        merge = merge.whenNotMatchedBySourceDelete(condition=delete_unmatched)
    merge.execute()
