"""`creatorlake metrics query --metrics rpm --group-by metric_time__week,creator__country_code`."""

from __future__ import annotations

import argparse

from creatorlake.core.config import Settings
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.progress import say
from creatorlake.core.spark import ensure_schemas, get_spark
from creatorlake.core.sql import FORMATS, all_rows, export_lines, first_rows, table_text

STAGE = "metrics"
TABLE_ROWS = 1000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("query",),
                        help="query: compute metrics of the semantic layer (docs/semantic-layer.md); MetricFlow compiles "
                             "the query to Spark SQL from the dbt project's semantic manifest, the local lakehouse runs it")
    parser.add_argument("--metrics", action="append", required=True, metavar="NAMES",
                       help="metric names, comma-separated or repeated, e.g. rpm,cpm")
    parser.add_argument("--group-by", action="append", metavar="ITEMS",
                       help="group-by items, comma-separated or repeated: metric_time__week, creator__country_code, ...")
    parser.add_argument("--where", action="append", metavar="FILTER",
                       help="a MetricFlow filter (repeatable), e.g. \"{{ Dimension('creator__country_code') }} = 'DE'\"")
    parser.add_argument("--order", action="append", metavar="ITEMS",
                       help="order by metrics or group-by items, comma-separated; a leading - sorts descending")
    parser.add_argument("--limit", type=int, metavar="N", help="at most N rows, N >= 1")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.add_argument("--explain", action="store_true", help="print the compiled Spark SQL instead of running it")


def run(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: MetricFlow takes seconds to import, and every command's parser loads this module.
    from creatorlake.metrics.query import MetricQuery, compile_for_lakehouse, parse_list

    if args.limit is not None and args.limit < 1:
        raise CreatorLakeError(f"--limit must be 1 or more, got {args.limit}")
    query = MetricQuery(
        metrics=parse_list(args.metrics),
        group_by=parse_list(args.group_by),
        where=tuple(args.where or ()),
        order=parse_list(args.order),
        limit=args.limit,
    )
    if not query.metrics:
        raise CreatorLakeError("--metrics names no metric")
    sql = compile_for_lakehouse(settings, query)
    if args.explain:
        print(sql)
        return 0
    spark = get_spark(settings)
    ensure_schemas(spark, settings)
    frame = spark.sql(sql)
    if args.format != "table":
        for line in export_lines(frame.columns, all_rows(frame, None), args.format):
            print(line)
        return 0
    rows, left_out = first_rows(frame, TABLE_ROWS)
    print(table_text(frame.columns, rows))
    if left_out:
        say(STAGE, f"{left_out:,} more row(s) not shown: --limit N, or --format csv or json for every row")
    return 0
