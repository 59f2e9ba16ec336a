"""Reading and replacing lakehouse tables: the one place the analyses' table I/O happens."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Sequence

from pyspark.sql import DataFrame, SparkSession
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
    """Rows the table's latest commit wrote (inserted or updated), from Delta's own operation metrics.

    Table I/O here is SQL and DataFrame calls only, never `delta.tables.DeltaTable`: on a Spark
    Connect session (Databricks serverless) that API needs Delta's Connect plugin on the server."""
    metrics = spark.sql(f"describe history {table} limit 1").select("operationMetrics").first()[0] or {}
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


def merge_rows(df: DataFrame, table: str, key: Sequence[str], *, unchanged_if_equal_except: Sequence[str] = (),
               delete_unmatched_where: tuple[str, str] | None = None) -> None:
    """Upsert `df` into `table` on `key` in one Delta commit (SQL MERGE, as on any Spark session).

    A matched row is rewritten only when a column other than `unchanged_if_equal_except`
    differs, so replaying a batch commits no change. `delete_unmatched_where=(column, value)`
    deletes, in the same commit, the target rows with that value that no source row matches
    (e.g. an earlier version of the same batch).
    """
    compared = [c for c in df.columns if c not in unchanged_if_equal_except]
    changed = " AND ".join(f"t.`{c}` <=> s.`{c}`" for c in compared)
    on = " AND ".join(f"t.`{k}` = s.`{k}`" for k in key)
    statement = [
        f"MERGE INTO {table} t USING {{source}} s ON {on}",
        f"WHEN MATCHED AND NOT ({changed}) THEN UPDATE SET *",
        "WHEN NOT MATCHED THEN INSERT *",
    ]
    values = {}
    if delete_unmatched_where is not None:
        column, values["unmatched"] = delete_unmatched_where
        statement.append(f"WHEN NOT MATCHED BY SOURCE AND t.`{column}` = {{unmatched}} THEN DELETE")
    # pyspark's SQL formatter puts the source in as a DataFrame and a str as a quoted, escaped SQL
    # literal (Delta's MERGE does not bind parameter markers), so no data is spliced into the text.
    df.sparkSession.sql("\n".join(statement), source=df, **values).collect()
