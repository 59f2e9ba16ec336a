"""`creatorlake databricks stage`: what the bundle's Python tasks run, on local Spark.

The stage writes to the catalog and prefixed schemas it is given, here the local
spark_catalog and a `stage_` prefix, instead of the configured bronze/silver/gold.
"""

from __future__ import annotations

import pytest

from creatorlake.bronze.schemas import TABLES
from creatorlake.cli import run_here

PREFIX = "stage_"
# Smaller than the suite's tiny world: this checks where the tables go, not what they hold.
WORLD = ["--days", "7", "--n-creators", "4", "--n-listeners", "200", "--seed", "7", "--incidents", "none"]


def test_an_unknown_stage_is_refused_in_one_line(capsys):
    assert run_here(["databricks", "stage", "--catalog", "spark_catalog", "sql", "select 1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("creatorlake: error: unknown stage 'sql' (known: generate,") and "\n" not in err


@pytest.mark.slow
def test_generate_through_stage_writes_bronze_into_the_prefixed_schema(spark, lakehouse):
    code = run_here(["databricks", "stage", "--catalog", "spark_catalog", "--schema-prefix", PREFIX, "generate", *WORLD])
    assert code == 0
    assert spark.catalog.currentCatalog() == "spark_catalog"
    written = {t.name for t in spark.catalog.listTables(f"{PREFIX}bronze")}
    assert {t.name for t in TABLES} <= written
    assert spark.table(f"{PREFIX}bronze.creators").count() > 0
