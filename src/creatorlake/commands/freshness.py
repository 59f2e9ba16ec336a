"""`creatorlake freshness [--as-of TIMESTAMP]`: `dbt source freshness` on the bronze tables that land
a batch every day, judged by the newest `_ingested_at` of each against a clock.

The clock: `--as-of`; else, for a lakehouse whose bronze `creatorlake generate` wrote, the simulated
moment its last daily batch landed (a generated world's batches land on the days it simulates, not
today); else the wall clock. Exit 0 when every table is fresh or only late (warn), 1 when one is
past the error threshold.
"""

from __future__ import annotations

import argparse
import datetime as dt

from pyspark.sql import SparkSession

from creatorlake.core.config import Settings
from creatorlake.core.dbt import invoke_dbt
from creatorlake.core.errors import CreatorLakeError, WorkFailed
from creatorlake.core.progress import say
from creatorlake.core.spark import get_spark
from creatorlake.generator.run import BATCH_LANDS_AFTER_DAY, stored_options

STAGE = "freshness"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of", metavar="TIMESTAMP",
        help="judge freshness as of this UTC time, e.g. 2026-08-03T06:00 (default: a generated world's simulated clock, else now)",
    )


def parse_as_of(value: str) -> dt.datetime:
    """A naive UTC datetime: an offset, if given, is converted to UTC; none means UTC."""
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CreatorLakeError(f"--as-of must be a timestamp like 2026-08-03T06:00, not {value!r}") from None
    return parsed.astimezone(dt.timezone.utc).replace(tzinfo=None) if parsed.tzinfo else parsed


def simulated_clock(spark: SparkSession, settings: Settings) -> dt.datetime | None:
    """When the last daily batch of a generated world landed; None when bronze was not generated."""
    try:
        options = stored_options(spark, settings)
    except CreatorLakeError:
        return None
    last_day = options.end_date - dt.timedelta(days=1)
    return dt.datetime.combine(last_day, dt.time()) + BATCH_LANDS_AFTER_DAY


def run(args: argparse.Namespace, settings: Settings) -> int:
    as_of = parse_as_of(args.as_of) if args.as_of else None
    settings.dbt_project_dir  # no dbt project (an installed wheel ships none): one line, before Spark starts
    spark = get_spark(settings, app_name="creatorlake-freshness")
    if as_of is None:
        as_of = simulated_clock(spark, settings)
        say(STAGE, f"clock: the generated world's, {as_of}" if as_of else "clock: now (UTC)")
    extra = {"freshness_as_of": as_of.isoformat(sep=" ")} if as_of else {}
    # --quiet: stdout holds this command's result lines only; dbt still prints its errors.
    result = invoke_dbt(spark, settings, ["source", "freshness", "--quiet"], extra_vars=extra)
    if result.exception is not None:
        raise CreatorLakeError(f"dbt source freshness could not run: {result.exception}")
    statuses = []
    # The results hold the project's on-run-start hooks too: only the sources have a freshness.
    checked = [r for r in getattr(result.result, "results", None) or [] if r.node.resource_type == "source"]
    for node in sorted(checked, key=lambda r: r.node.name):
        status = str(node.status)
        statuses.append(status)
        age = f"{node.age / 3600:.1f} h old (newest batch {node.max_loaded_at:%Y-%m-%d %H:%M})" if getattr(node, "age", None) is not None else (node.message or "")
        print(f"{node.node.source_name}.{node.node.name}  {status}  {age}")
    if not statuses:
        raise CreatorLakeError("no bronze table has a freshness check (dbt/models/staging/_bronze__sources.yml)")
    failed = [s for s in statuses if s not in ("pass", "warn")]
    if failed:
        raise WorkFailed(f"{len(failed)} bronze table(s) past the freshness error threshold or not checked (see above)")
    return 0
