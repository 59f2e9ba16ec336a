"""Benchmark of the bronze generator's `events` table.

Measured side by side in one Spark session, on the same schema and about the
same row count (--rows, default 5M to keep `make bench` to a few minutes):

  generator   creatorlake's events table, generated and written to Delta
  limit       spark.range + random columns of the same number and types, written to Delta
  dbldatagen  dbldatagen producing the same events schema, written to Delta

Each is the median of --runs runs. Targets: generator >= 0.7 x limit and >= 2.5 x
dbldatagen. Then the whole generator (all 13 tables) at --scale 1 and --scale 4
over --growth-days days (default 30): the growth factor of the wall time, target
<= 4 (linear). Everything runs in a throwaway lakehouse.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import traceback

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from creatorlake.core.config import Settings


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=5_000_000, help="events rows per run (default 5,000,000)")
    p.add_argument("--runs", type=int, default=3, help="runs per contender; the median counts (default 3; 0 skips the contenders)")
    p.add_argument("--growth-days", type=int, default=30, help="days of the --scale 1 vs --scale 4 comparison (default 30; 0 skips it)")
    p.add_argument("--lakehouse", help="lakehouse root (default: a temporary directory)")
    return p.parse_args()


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> int:
    args = parse()
    from creatorlake.core.config import load_config
    from creatorlake.core.spark import ensure_schemas, get_spark

    root = args.lakehouse or tempfile.mkdtemp(prefix="creatorlake-bench-")
    settings = load_config(root).with_schemas(bronze="bench_bronze")
    spark = get_spark(settings, app_name="creatorlake-bench")
    ensure_schemas(spark, settings)

    if args.runs > 0:
        throughput(spark, settings, args)
    if args.growth_days > 0:
        growth(spark, settings, args.growth_days)
    spark.stop()
    return 0


def throughput(spark: SparkSession, settings: Settings, args: argparse.Namespace) -> None:
    """Events rows/s of the generator, the write limit and dbldatagen, side by side."""
    from creatorlake.bronze import schemas
    from creatorlake.generator import GeneratorOptions, generate

    # About 230 events per creator per day at the defaults: pick creators so one run lands near --rows.
    days = 30
    n_creators = max(20, round(args.rows / (230 * days)))
    options = GeneratorOptions.from_defaults(settings, days=days, n_creators=n_creators, n_listeners=max(10_000, n_creators * 400), incidents=None)

    results: dict[str, list[float]] = {"generator": [], "limit": [], "dbldatagen": []}
    rows_box: dict[str, int] = {}

    def run_generator() -> None:
        rows_box["rows"] = generate(spark, settings, options, tables=("events",))["events"]

    # Warm-up run (JIT, Delta classes), not counted; it also fixes the row count the others use.
    run_generator()
    rows = rows_box["rows"]
    print(f"events rows per run: {rows:,} ({n_creators} creators x {days} days); runs: {args.runs}", flush=True)
    schema = schemas.EVENTS.schema
    partitions = max(4, spark.sparkContext.defaultParallelism * 2)

    def run_limit() -> None:
        r = F.rand(7)
        cols = []
        for i, field in enumerate(schema.fields):
            t = field.dataType.simpleString()
            if field.name == "event_date":
                expr = F.date_add(F.lit("2026-02-02").cast("date"), (F.col("id") % days).cast("int"))
            elif t == "string":
                expr = F.concat(F.lit(field.name[:2]), F.floor(F.rand(i) * 1e9).cast("string"))
            elif t == "timestamp":
                expr = F.timestamp_seconds((F.lit(1_770_000_000) + F.rand(i) * 86400 * days).cast("long"))
            elif t == "int":
                expr = F.floor(r * 3600).cast("int")
            else:
                expr = F.lit(None).cast(field.dataType)
            cols.append(expr.alias(field.name))
        df = spark.range(0, rows, numPartitions=partitions).select(*cols)
        df.write.format("delta").mode("overwrite").partitionBy("event_date").saveAsTable("bench_bronze.limit_events")

    dbl_error: list[str] = []

    def run_dbldatagen() -> None:
        import dbldatagen as dg

        spec = dg.DataGenerator(spark, name="events", rows=rows, partitions=partitions, randomSeed=7)
        for field in schema.fields:
            t = field.dataType.simpleString()
            if field.name == "event_type":
                spec = spec.withColumn(field.name, "string", values=["listen", "follow", "comment", "share", "analytics_view", "creator_login"],
                                       weights=[90, 3, 2, 1, 2, 2], random=True)
            elif field.name == "event_date":
                spec = spec.withColumn(field.name, "date", data_range=dg.DateRange("2026-02-02 00:00:00", "2026-03-03 00:00:00", "days=1"), random=True)
            elif t == "string":
                spec = spec.withColumn(field.name, "string", template="dddddddddd", random=True)
            elif t == "timestamp":
                spec = spec.withColumn(field.name, "timestamp", data_range=dg.DateRange("2026-02-02 00:00:00", "2026-03-03 00:00:00", "seconds=1"), random=True)
            elif t == "int":
                spec = spec.withColumn(field.name, "int", minValue=0, maxValue=3600, random=True)
        spec.build().write.format("delta").mode("overwrite").partitionBy("event_date").saveAsTable("bench_bronze.dbldatagen_events")

    for _ in range(args.runs):
        results["generator"].append(timed(run_generator))
        results["limit"].append(timed(run_limit))
        if not dbl_error:
            try:
                results["dbldatagen"].append(timed(run_dbldatagen))
            except Exception as exc:  # report exactly why dbldatagen cannot run here, never a made-up number
                dbl_error.append(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
                traceback.print_exc(limit=3)

    def per_second(name: str) -> float | None:
        return rows / statistics.median(results[name]) if results[name] else None

    gen, lim, dbl = per_second("generator"), per_second("limit"), per_second("dbldatagen")
    print(f"{'contender':<12} {'median s':>9} {'rows/s':>12}")
    for name, value in (("generator", gen), ("limit", lim), ("dbldatagen", dbl)):
        if value is None:
            print(f"{name:<12} {'-':>9} {'-':>12}  FAILED: {dbl_error[0] if dbl_error else 'not run'}")
        else:
            print(f"{name:<12} {statistics.median(results[name]):>9.1f} {value:>12,.0f}")
    print(f"generator / limit      = {gen / lim:.2f}  (target >= 0.7)")
    if dbl is not None:
        print(f"generator / dbldatagen = {gen / dbl:.2f}  (target >= 2.5)")
    else:
        print(f"generator / dbldatagen = n/a: dbldatagen failed on this Spark ({dbl_error[0] if dbl_error else 'not run'})")


def growth(spark: SparkSession, settings: Settings, days: int) -> None:
    """Wall time of all 13 tables at --scale 1 and --scale 4: the growth factor."""
    from creatorlake.generator import GeneratorOptions, generate

    times = {}
    for scale in (1, 4):
        # No incidents: the shipped ones lie in March, outside a short growth window.
        scaled = GeneratorOptions.from_defaults(settings, days=days, scale=scale, incidents=None)
        times[scale] = timed(lambda: generate(spark, settings, scaled))
        print(f"--scale {scale} --days {days}: all 13 tables in {times[scale]:.1f}s", flush=True)
    print(f"growth factor scale 4 / scale 1 = {times[4] / times[1]:.2f}  (target <= 4.0, linear)")


if __name__ == "__main__":
    sys.exit(main())
