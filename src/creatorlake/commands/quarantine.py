"""`creatorlake quarantine list|show|retry`: inspect the rows ingestion set aside, and re-ingest their files."""

from __future__ import annotations

import argparse
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from creatorlake.bronze.schemas import TABLES
from creatorlake.core.config import Settings
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.spark import get_spark
from creatorlake.core.tables import read_table
from creatorlake.ingest import QUARANTINE_TABLE
from creatorlake.ingest.land import ingest_files, read_all, summary


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("list", "show", "retry"),
                        help="list: counts per file and reason; show: the bad rows; retry: re-ingest the files they came from")
    parser.add_argument("--entity", help="only this bronze table's rows")
    parser.add_argument("--reason", help="only rows with this reason code")
    parser.add_argument("--file", help="only rows from this source file (its path as ingested)")
    parser.add_argument("--limit", type=int, default=50, help="rows shown by `show` (default 50)")


def _filtered(df: DataFrame, args: argparse.Namespace) -> DataFrame:
    for column, value in (("entity", args.entity), ("reason_code", args.reason), ("source_file", args.file)):
        if value is not None:
            df = df.where(F.col(column) == F.lit(value))
    return df


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.limit <= 0:
        raise CreatorLakeError(f"--limit must be a positive integer, not {args.limit}")
    spark = get_spark(settings)
    rows = _filtered(read_table(spark, settings, "bronze", QUARANTINE_TABLE, made_by="ingest"), args)
    if args.action == "list":
        counts = rows.groupBy("entity", "source_file", "reason_code").agg(F.count(F.lit(1)).alias("rows")).orderBy("entity", "source_file", "reason_code").collect()
        print(f"{'entity':<18} {'reason':<17} {'rows':>7}  file")
        for r in counts:
            print(f"{r['entity']:<18} {r['reason_code']:<17} {r['rows']:>7,}  {r['source_file']}")
        return 0
    if args.action == "show":
        total = rows.count()
        for r in rows.orderBy("source_file", "line_number").limit(args.limit).collect():
            print(f"{r['source_file']}:{r['line_number']}  {r['reason_code']}: {r['message']}\n    {r['raw_line']!r}")
        if total > args.limit:
            print(f"(showing {args.limit} of {total:,} rows; raise --limit for more)")
        return 0
    return _retry(spark, settings, rows)


def _retry(spark: SparkSession, settings: Settings, rows: DataFrame) -> int:
    """Re-ingest the files the rows came from, fixed in place or with their parents landed since."""
    files = sorted({(r["source_file"], r["entity"]) for r in rows.select("source_file", "entity").distinct().collect()})
    if not files:
        print("no quarantined rows match; nothing to retry")
        return 0
    missing = [f for f, _ in files if not Path(f).is_file()]
    if missing:
        raise CreatorLakeError(f"cannot retry: {missing[0]} no longer exists")
    config = settings.ingest
    order = {t.name: i for i, t in enumerate(TABLES)}
    raws = sorted((r for f, e in files for r in read_all([f], e, config.max_file_mb * 1024 * 1024)), key=lambda r: order[r.entity])
    results = ingest_files(spark, settings, raws, config.max_bad_ratio, force=True)
    print(summary(results))
    return 1 if any(r.status == "rejected" for r in results) else 0
