"""Benchmark the rolling z-score stage.

On one synthetic panel (default 100,000 series x 365 days), in one run:
  * ours:   `creatorlake.anomaly.detect.score_mean` + `finish_wide` (segments hashed into buckets,
            each scored by a numpy prefix-sum kernel in applyInPandas);
  * naive:  Spark `rowsBetween(-28, -1)` avg + stddev over the same series;
  * pandas: `groupby(...).rolling(28)` mean + std of the shifted series.
Each computes the z-score of every point (trailing 28 days, day itself excluded, >= 14
points) and materialises it (Spark: the `noop` sink; pandas: the column in memory).
Reports medians of --runs runs as points/s, then the time growth of our stage from
1x to 4x the data. Then the shipped detection kernel beside the one it replaced,
both on a weekday profile with the shipped threshold: `profile_mean` (the
weekday-profile mean/stddev) and `profile_robust` (the same without the outliers of a
median/MAD pre-pass, plus the new-normal rule): the robust kernel's cost.

    .venv/bin/python bench/bench_anomaly.py                    # the issue's size
    .venv/bin/python bench/bench_anomaly.py --series 10000     # scaled down
    .venv/bin/python bench/bench_anomaly.py --series 8000 --days 180 --numpy-kernels  # the kernels alone
    .venv/bin/python bench/bench_anomaly.py --series 10000 --kernels-only  # mean vs robust kernel in Spark
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import time

import numpy as np
import pandas as pd
import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from creatorlake.anomaly.config import MetricRule, load_anomaly_config
from creatorlake.anomaly.detect import finish_wide, score_mean
from creatorlake.anomaly.trailing import Limits, score_bucket
from creatorlake.core.progress import say

WINDOW = 28
MIN_POINTS = 14
STAGE = "bench"


def panel(spark: SparkSession, segments: int, days: int, metrics: int) -> DataFrame:
    """The shape of fct_segment_daily_metrics: one row per segment and day, one column per metric.

    Weekly pattern, per-series level and noise, rare spikes; `segments * metrics` series.
    """
    ids = spark.range(segments * days)
    sid = (F.col("id") / days).cast("long")
    d = (F.col("id") % days).cast("int")
    weekly = 1.0 + 0.2 * F.sin(2 * 3.14159 * (d % 7) / 7)

    def series(k: int) -> F.Column:
        noise = (F.hash(F.col("id"), F.lit(k)) % 10000) / 10000.0
        level = 100.0 + (F.hash(sid, F.lit(k)) % 900).cast("double")
        spike = F.when(F.hash(F.col("id"), F.lit(100 + k)) % 1000 == 0, 3.0).otherwise(1.0)
        return (level * weekly * (0.9 + 0.2 * noise) * spike).alias(f"m{k}")

    return ids.select(
        F.date_add(F.lit("2025-01-01").cast("date"), d).alias("metric_date"),
        F.concat(F.lit("c"), (sid % 1000).cast("string")).alias("country_code"),
        (sid / 1000).cast("long").cast("string").alias("category"),
        F.lit(None).cast("string").alias("creator_tier"),
        F.lit(1000.0).alias("volume"),
        *[series(k) for k in range(metrics)],
    )


def metric_names(df: DataFrame) -> list[str]:
    return [c for c in df.columns if c.startswith("m") and c[1:].isdigit()]


def ours(wide: DataFrame) -> DataFrame:
    names = metric_names(wide)
    rules = [MetricRule(metric=m, window=WINDOW, min_points=MIN_POINTS, min_volume=0.0, min_relative_scale=0.0) for m in names]
    scored = finish_wide(score_mean(wide, names, rules[0].lags, by_weekday=False, volume_column="volume"), rules)
    return scored.select("metric_date", "country_code", "category", "creator_tier", *[f"z__{m}" for m in names])


def profile(wide: DataFrame, robust: bool) -> DataFrame:
    """The shipped weekday-profile rule on every metric; `robust`: the shipped baseline, else the mean kernel it replaced."""
    names = metric_names(wide)
    shipped = load_anomaly_config().rule("cpm")
    rules = [dataclasses.replace(shipped, metric=m, baseline="median" if robust else "mean", min_volume=0.0) for m in names]
    limits = {r.metric: Limits(r.threshold, r.min_relative_scale, r.new_normal_days) for r in rules} if robust else None
    wide = score_mean(wide, names, shipped.lags, by_weekday=False, volume_column="volume", weekday_profile=True, robust=robust, limits=limits)
    return finish_wide(wide, rules).select("metric_date", "country_code", "category", "creator_tier", *[f"z__{m}" for m in names])


def numpy_kernels(segments: int, days: int, metrics: int, runs: int) -> dict:
    """The bucket kernel alone (no Spark): one Arrow bucket scored with the weekday-profile mean kernel
    and with the shipped robust one, medians of `runs` after a warm-up of each."""
    rng = np.random.default_rng(0)
    day = np.tile(np.arange(days), segments)
    segment = np.repeat(np.arange(segments), days)
    names = [f"m{k}" for k in range(metrics)]
    table = pa.table({
        "metric_date": pa.array((np.datetime64("2025-01-01") + day).astype("datetime64[D]")),
        "country_code": pa.array(segment.astype(str)), "category": pa.nulls(len(day), pa.string()), "creator_tier": pa.nulls(len(day), pa.string()),
        "volume": pa.array(np.full(len(day), 1000.0)),
        **{m: pa.array(100.0 * (1 + 0.05 * rng.standard_normal(len(day)))) for m in names},
    })
    shipped = load_anomaly_config().rule("cpm")
    limits = {m: Limits(shipped.threshold, shipped.min_relative_scale, shipped.new_normal_days) for m in names}
    keys = ["country_code", "category", "creator_tier"]

    def once(robust: bool) -> float:
        started = time.perf_counter()
        score_bucket(table, keys, "metric_date", names, shipped.lags, True, robust, limits if robust else None)
        return time.perf_counter() - started

    seconds = {}
    for label, robust in (("mean", False), ("robust", True)):
        once(robust)
        seconds[label] = median_time(f"numpy kernel, weekday profile {label}", runs, lambda: once(robust))
    return {"points": len(day) * metrics, "seconds": seconds, "ratio": seconds["robust"] / seconds["mean"]}


def naive(wide: DataFrame) -> DataFrame:
    """The textbook way: a sliding rowsBetween(-28, -1) frame with avg and stddev, per metric."""
    trailing = Window.partitionBy("country_code", "category", "creator_tier").orderBy("metric_date").rowsBetween(-WINDOW, -1)
    names = metric_names(wide)
    zs = []
    for m in names:
        n = F.count(m).over(trailing)
        z = (F.col(m) - F.avg(m).over(trailing)) / F.stddev(m).over(trailing)
        zs.append(F.when(n >= MIN_POINTS, z).alias(f"z__{m}"))
    return wide.select("metric_date", "country_code", "category", "creator_tier", *zs)


def melt(scored: DataFrame) -> pd.DataFrame:
    """Wide z columns -> one row per series and day (for the agreement check only)."""
    pdf = scored.toPandas().melt(id_vars=["metric_date", "country_code", "category", "creator_tier"], var_name="metric", value_name="z_score")
    pdf["metric"] = pdf["metric"].str.removeprefix("z__")
    return pdf


def to_pandas_long(wide: DataFrame) -> pd.DataFrame:
    """The same panel for pandas, one row per series and day, sorted by series and day."""
    names = metric_names(wide)
    long = wide.select(
        "metric_date", "country_code", "category",
        F.explode(F.array(*[F.struct(F.lit(m).alias("metric"), F.col(m).alias("value")) for m in names])).alias("s"),
    ).select(F.concat_ws("|", "s.metric", "country_code", "category").alias("series"), "metric_date", "s.value")
    pdf = long.toPandas()
    return pdf.sort_values(["series", "metric_date"], kind="stable").reset_index(drop=True)


def pandas_zscore(pdf: pd.DataFrame) -> pd.Series:
    """groupby-rolling: mean and std of the 28 values before each day (shifted by one), per series."""
    shifted = pdf.groupby("series", sort=False)["value"].shift(1)
    rolling = shifted.groupby(pdf["series"], sort=False).rolling(WINDOW, min_periods=MIN_POINTS)
    mean = rolling.mean().reset_index(level=0, drop=True)
    std = rolling.std().reset_index(level=0, drop=True)
    return (pdf["value"] - mean) / std


def spark_seconds(df: DataFrame) -> float:
    started = time.perf_counter()
    df.write.format("noop").mode("overwrite").save()
    return time.perf_counter() - started


def median_time(label: str, runs: int, once) -> float:
    times = []
    for n in range(runs):
        seconds = once()
        say(STAGE, f"{label}: run {n + 1}/{runs} {seconds:.1f}s")
        times.append(seconds)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=100_000, help="series = segments x metrics")
    parser.add_argument("--metrics", type=int, default=10, help="metrics per segment, as in the packaged anomaly.yml")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--growth-series", type=int, default=None, help="series of the 1x growth panel (default: --series)")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--skip-growth", action="store_true")
    parser.add_argument("--kernels-only", action="store_true", help="only the shipped kernel beside the one it replaced")
    parser.add_argument("--numpy-kernels", action="store_true", help="only the bucket kernels, mean vs robust, without Spark")
    args = parser.parse_args(argv)
    if args.numpy_kernels:
        segments = args.series // args.metrics
        print(json.dumps(numpy_kernels(segments, args.days, args.metrics, args.runs), indent=2))
        return 0

    from creatorlake.core.config import load_config
    from creatorlake.core.spark import get_spark

    settings = load_config()
    spark = get_spark(settings, app_name="creatorlake-bench-anomaly")
    # Spark's stddev over a one-row frame divides by zero under ANSI mode; the naive baseline needs it off.
    spark.conf.set("spark.sql.ansi.enabled", "false")
    segments = args.series // args.metrics
    points = segments * args.metrics * args.days
    say(STAGE, f"panel: {segments:,} segments x {args.metrics} metrics = {segments * args.metrics:,} series x {args.days} days = {points:,} points, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")

    wide = panel(spark, segments, args.days, args.metrics).cache()
    wide.count()
    pdf = to_pandas_long(wide)

    # Same answers first: the three agree on a sample of series.
    sample = wide.filter((F.col("category") == "0") & F.col("country_code").isin("c1", "c2"))
    order = ["metric", "country_code", "metric_date"]
    a = melt(ours(sample)).sort_values(order).reset_index(drop=True)
    b = melt(naive(sample)).sort_values(order).reset_index(drop=True)
    assert np.allclose(a["z_score"].astype(float), b["z_score"].astype(float), equal_nan=True, rtol=1e-6), "ours and naive disagree"
    a["series"] = a["metric"] + "|" + a["country_code"] + "|0"
    p = pdf[pdf["series"].isin(set(a["series"]))].reset_index(drop=True)
    merged = p.assign(z=pandas_zscore(p).to_numpy()).merge(a, on=["series", "metric_date"])
    assert len(merged) == len(a) and np.allclose(merged["z"].astype(float), merged["z_score"].astype(float), equal_nan=True, rtol=1e-6), "pandas disagrees"

    results = {}
    results["profile_mean"] = median_time("weekday profile, mean kernel", args.runs, lambda: spark_seconds(profile(wide, robust=False)))
    results["profile_robust"] = median_time("weekday profile, robust kernel (shipped)", args.runs, lambda: spark_seconds(profile(wide, robust=True)))
    say(STAGE, f"robust vs mean weekday-profile kernel: time x{results['profile_robust'] / results['profile_mean']:.2f} (target <= 1.3)")
    if args.kernels_only:
        print(json.dumps({"points": points, "runs": args.runs, "seconds": results, "ratio": results["profile_robust"] / results["profile_mean"]}, indent=2))
        spark.stop()
        return 0
    results["ours"] = median_time("ours", args.runs, lambda: spark_seconds(ours(wide)))
    results["pandas"] = median_time("pandas groupby-rolling", args.runs, lambda: _timed(lambda: pandas_zscore(pdf)))
    if not args.skip_naive:
        results["naive"] = median_time("naive rowsBetween(-28,-1)", args.runs, lambda: spark_seconds(naive(wide)))
    wide.unpersist()
    del pdf

    report = {"series": segments * args.metrics, "segments": segments, "metrics": args.metrics, "days": args.days, "points": points, "runs": args.runs, "seconds": results,
              "points_per_s": {k: points / v for k, v in results.items()}}
    report["speedup_vs_pandas"] = results["pandas"] / results["ours"]
    if "naive" in results:
        report["speedup_vs_naive"] = results["naive"] / results["ours"]

    if not args.skip_growth:
        base = args.growth_series or args.series
        growth = {}
        for factor in (1, 4):
            if factor == 1 and base == args.series:
                growth[1] = results["ours"]  # the panel just measured
                continue
            data = panel(spark, base * factor // args.metrics, args.days, args.metrics).cache()
            data.count()
            growth[factor] = median_time(f"ours at {factor}x ({base * factor:,} series)", args.runs, lambda: spark_seconds(ours(data)))
            data.unpersist()
        report["growth"] = {"base_series": base, "seconds_1x": growth[1], "seconds_4x": growth[4], "ratio": growth[4] / growth[1]}

    for name, rate in report["points_per_s"].items():
        say(STAGE, f"{name}: {rate:,.0f} points/s (median {results[name]:.1f}s)")
    say(STAGE, f"ours vs pandas: {report['speedup_vs_pandas']:.2f}x (target >= 1.5x)")
    if "speedup_vs_naive" in report:
        say(STAGE, f"ours vs naive window: {report['speedup_vs_naive']:.2f}x (target >= 2x)")
    if "growth" in report:
        say(STAGE, f"1x -> 4x data: time x{report['growth']['ratio']:.2f} (target <= 4.4)")
    print(json.dumps(report, indent=2))
    spark.stop()
    return 0


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
