"""`creatorlake transform`: `dbt build` on the local target."""

from __future__ import annotations

import argparse

from creatorlake.core.config import Settings
from creatorlake.core.spark import get_spark
from creatorlake.core.dbt import transform


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--select", help="dbt node selection, e.g. +fct_creator_monthly_performance")
    parser.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch and restart the snapshots' history")


def run(args: argparse.Namespace, settings: Settings) -> int:
    settings.dbt_project_dir  # no dbt project (an installed wheel ships none): one line, before Spark starts
    spark = get_spark(settings, app_name="creatorlake-transform")
    transform(spark, settings, select=args.select, full_refresh=args.full_refresh)
    return 0
