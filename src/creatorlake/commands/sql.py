"""`creatorlake sql "<query>"`."""

from __future__ import annotations

import argparse

from creatorlake.core.config import Settings
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.progress import say
from creatorlake.core.spark import ensure_schemas, get_spark
from creatorlake.core.sql import FORMATS, all_rows, export_lines, first_rows, table_text

STAGE = "sql"
# The table format is for reading on a screen: it shows this many rows unless --limit says otherwise.
TABLE_ROWS = 1000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", help="a Spark SQL statement, e.g. \"show tables in bronze\"")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.add_argument(
        "--limit", type=int, metavar="N",
        help=f"print at most N rows, N >= 1 (default: every row in csv and json; {TABLE_ROWS} in the table, "
             "which says on stderr how many it left out)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.limit is not None and args.limit < 1:
        raise CreatorLakeError(f"--limit must be 1 or more, got {args.limit} (leave it out for every row in csv and json)")
    spark = get_spark(settings)
    ensure_schemas(spark, settings)
    frame = spark.sql(args.query)
    if args.format != "table":
        for line in export_lines(frame.columns, all_rows(frame, args.limit), args.format):
            print(line)
        return 0
    rows, left_out = first_rows(frame, args.limit or TABLE_ROWS)
    print(table_text(frame.columns, rows))
    if left_out:
        say(STAGE, f"{left_out:,} more row(s) not shown: --limit N shows more, --format csv or json every row")
    return 0
