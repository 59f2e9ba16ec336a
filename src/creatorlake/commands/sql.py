"""`creatorlake sql "<query>"`."""

from __future__ import annotations

import argparse

from creatorlake.core.config import Settings
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.spark import ensure_schemas, get_spark
from creatorlake.core.sql import FORMATS, run_query


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", help="a Spark SQL statement, e.g. \"show tables in bronze\"")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.add_argument("--limit", type=int, default=1000, help="rows to print at most (default: 1000)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.limit < 0:
        raise CreatorLakeError(f"--limit must be 0 or more, got {args.limit}")
    spark = get_spark(settings)
    ensure_schemas(spark, settings)
    from pyspark.errors import AnalysisException, ParseException

    try:
        print(run_query(spark, args.query, args.format, args.limit))
    except ParseException as exc:
        raise CreatorLakeError(f"SQL syntax error: {_first_line(exc)}") from None
    except AnalysisException as exc:
        raise CreatorLakeError(f"SQL error: {_first_line(exc)}") from None
    return 0


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]
