"""Reading and replacing lakehouse tables: the one place the analyses' table I/O happens."""

from __future__ import annotations

import os
from dataclasses import replace

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


# The catalog of a Unity Catalog workspace: the job's `--catalog` (or `catalog:` in
# the config), else this variable; none means the local session's spark_catalog.
CATALOG_ENV = "CREATORLAKE_CATALOG"
LOCAL_CATALOG = "spark_catalog"


def catalog_of(settings: Settings) -> str | None:
    return settings.raw.get("catalog") or os.environ.get(CATALOG_ENV) or None


def qualified_name(settings: Settings, layer: str, name: str) -> str:
    """`<catalog>.<schema>.<table>` when a catalog is configured, `<schema>.<table>` locally."""
    catalog = catalog_of(settings)
    table = settings.table(layer, name)
    return table if catalog in (None, LOCAL_CATALOG) else f"{catalog}.{table}"


def with_catalog(settings: Settings, catalog: str | None) -> Settings:
    """The same settings naming their tables in `catalog`."""
    return replace(settings, raw={**settings.raw, "catalog": catalog})
