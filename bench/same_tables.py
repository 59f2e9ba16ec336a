"""Are two lakehouses' silver and gold the same? Every table and view of both layers, compared as multisets of rows:
EXCEPT ALL both ways, and 0 rows each way means identical. It checks that a change of the dbt project (a table
turned into a view, a rewritten aggregation) leaves every result as it was: build the same bronze twice, once with
each version, and compare.

Each lakehouse keeps its views in its own metastore, which one Spark session cannot open beside another, so this
runs in two steps, each in its own session:

    .venv/bin/python bench/same_tables.py export LAKEHOUSE DIR   # every silver and gold relation as Parquet under DIR
    .venv/bin/python bench/same_tables.py compare DIR_A DIR_B    # EXCEPT ALL both ways, per relation

`compare` prints one line per relation and exits 1 when any differs, has other columns, or exists on one side only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

from creatorlake.core.config import load_config
from creatorlake.core.spark import get_spark

LAYERS = ("silver", "gold")


def export(lakehouse: Path, out: Path) -> int:
    settings = load_config(lakehouse)
    spark = get_spark(settings, app_name="same-tables-export")
    for layer in LAYERS:
        schema = settings.schema(layer)
        for row in spark.sql(f"show tables in {schema}").collect():
            if row.isTemporary:
                continue
            started = time.perf_counter()
            table = spark.table(f"{schema}.{row.tableName}")
            table.write.mode("overwrite").parquet(str(out / layer / row.tableName))
            print(f"[export] {layer}.{row.tableName} in {time.perf_counter() - started:.1f}s", flush=True)
    print(f"[export] {lakehouse} -> {out}")
    return 0


def relations(root: Path) -> set[str]:
    return {f"{layer}/{path.name}" for layer in LAYERS for path in (root / layer).glob("*") if path.is_dir()}


def differing_rows(left: DataFrame, right: DataFrame) -> tuple[int, int]:
    """Rows of left missing from right and the reverse, duplicates counted (EXCEPT ALL)."""
    return left.exceptAll(right).count(), right.exceptAll(left).count()


def compare(spark: SparkSession, a: Path, b: Path) -> int:
    names_a, names_b = relations(a), relations(b)
    problems = 0
    for name in sorted(names_a ^ names_b):
        print(f"{name:<50} only in {a if name in names_a else b}")
        problems += 1
    for name in sorted(names_a & names_b):
        left, right = spark.read.parquet(str(a / name)), spark.read.parquet(str(b / name))
        if sorted(left.dtypes) != sorted(right.dtypes):
            print(f"{name:<50} columns differ: {sorted(set(left.dtypes) ^ set(right.dtypes))}")
            problems += 1
            continue
        columns = sorted(left.columns)
        only_left, only_right = differing_rows(left.select(columns), right.select(columns))
        verdict = "same" if only_left == only_right == 0 else "DIFFERENT"
        print(f"{name:<50} {left.count():>12,} rows  {only_left} only in A, {only_right} only in B  {verdict}", flush=True)
        problems += verdict != "same"
    print(f"{len(names_a & names_b)} relations compared, {problems} differ or are missing")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    exporting = commands.add_parser("export", help="write every silver and gold relation of a lakehouse as Parquet")
    exporting.add_argument("lakehouse", type=Path)
    exporting.add_argument("out", type=Path)
    comparing = commands.add_parser("compare", help="EXCEPT ALL both ways between two exports")
    comparing.add_argument("a", type=Path)
    comparing.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.command == "export":
        return export(args.lakehouse, args.out)
    for root in (args.a, args.b):
        if not all((root / layer).is_dir() for layer in LAYERS):
            parser.error(f"{root} is not an export (no silver/ and gold/ in it)")
    # Plain Parquet on both sides: no lakehouse, so no metastore to open.
    spark = SparkSession.builder.master("local[2]").appName("same-tables-compare").config("spark.driver.memory", "4g").getOrCreate()
    return compare(spark, args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
