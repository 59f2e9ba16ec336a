"""Rolling z-score anomalies per segment: pure DataFrame -> DataFrame transforms.

The rules, each one tested (tests/test_anomaly_rules.py):

* Baseline: the trailing `window` days before the day, never the day itself; with
  weekday seasonality only the same weekday inside that window; with a weekday
  profile the same weekday's mean as expected value and the spread of the whole
  window around its weekday means as scale (trailing.weekday_profile_moments);
  `baseline: median` with a weekday profile leaves out of every baseline the
  outliers of a median/MAD pre-pass, so an anomaly widens no later band
  (trailing.robust_profile_moments, tests/test_anomaly_robust.py).
* New normal: past the first `new_normal_days` of a run of same-direction
  outliers, a day is not flagged (`settled`): the shift persists.
* Pooled days (`pooled_days`): a day whose z-score and those of the days before it
  combine (Stouffer) to the threshold, and which moved that way, is flagged too, for
  the first `new_normal_days` of such a run (`pooled_flags`, tests/test_anomaly_pooled.py).
* Driver-led revenue: a revenue point whose segment has a flagged driver that day
  is an anomaly when it moved that way by `driver_led_share` of its expected
  value (`driver_led`, tests/test_anomaly_driver_led.py).
* Gaps: a null value (a ratio over a zero denominator, a day missing from the
  spine) is neither scored nor part of any baseline; a day is scored only when its
  baseline holds at least `min_points` non-null values.
* New segments: a series starts on its first non-zero value; the zeros of a
  segment's spine before it ever had activity are not history.
* Zero variance: the scale is never below `min_relative_scale * |expected|`
  (nor 1e-9), so a flat baseline flags a real move and never divides by zero.
* Volume: a day is scored only when its segment's trailing mean of the rule's
  `volume_column` is at least `min_volume`.
* Scheduled payouts (`payouts: scheduled`): partner payouts are monthly
  disbursements known in advance, so they are neither history nor surprise: the
  series scored is the metric without them, and the day's payout is added back to
  both `value` and `expected`. Without this every payout day of a segment with
  one big partner is the most severe "anomaly" of the run, and the payouts'
  lumps inflate the baseline's stddev so real revenue moves go unflagged.

Mean/stddev baselines use no sliding frame: segments are hashed into buckets and
each bucket is scored by a numpy kernel (trailing.py) where every trailing sum is a
difference of two prefix sums, O(1) per point; all metrics of a segment share one row.
"""

from __future__ import annotations

from functools import reduce
from typing import Callable, Iterable, Mapping, Sequence

import pyarrow as pa
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import BooleanType, DateType, DoubleType, LongType, StringType, StructField, StructType

from creatorlake.anomaly.config import REVENUE_DRIVERS, AnomalyConfig, MetricRule
from creatorlake.anomaly.schema import DATE, SEGMENT_KEYS, missing_columns
from creatorlake.anomaly.stl import score_stl
from creatorlake.anomaly.trailing import SCALE_EPSILON, Limits, score_bucket
from creatorlake.core.columns import case
from creatorlake.core.errors import CreatorLakeError
from creatorlake.metrics.catalog import BY_NAME, NORTH_STAR

SERIES_KEYS = ("metric", *SEGMENT_KEYS)
MAD_TO_SIGMA = 1.4826
# What every scoring method returns, one row per series per day.
SCORED_COLUMNS = (DATE, *SERIES_KEYS, "value", "expected", "scale", "n_points", "baseline_volume")


def check_input(daily: DataFrame, columns: Iterable[str]) -> None:
    """Fail with one line when the input misses a column detection needs."""
    needed = (DATE, *SEGMENT_KEYS, *columns)
    missing = missing_columns(daily.columns, needed)
    if missing:
        raise CreatorLakeError(f"segment daily metrics lack column(s) {', '.join(missing)}")


def complete_spine(daily: DataFrame) -> DataFrame:
    """Every segment on every date between the first and last; re-inserted days hold nulls (gaps)."""
    segments = daily.select(*SEGMENT_KEYS).distinct()
    dates = daily.select(F.explode(F.sequence(F.min(DATE), F.max(DATE))).alias(DATE))
    spine = segments.crossJoin(dates)
    keys = [F.col(f"s.{k}").eqNullSafe(F.col(f"d.{k}")) for k in (DATE, *SEGMENT_KEYS)]
    joined = spine.alias("s").join(daily.alias("d"), on=reduce(lambda a, b: a & b, keys), how="left")
    others = [c for c in daily.columns if c not in (DATE, *SEGMENT_KEYS)]
    return joined.select(*[F.col(f"s.{k}").alias(k) for k in (DATE, *SEGMENT_KEYS)], *[F.col(f"d.{c}").alias(c) for c in others])


def to_long(daily: DataFrame, metrics: Sequence[str], volume_column: str) -> DataFrame:
    """One row per segment, day and metric: `value`, and the segment's `volume` that day."""
    entries = [F.struct(F.lit(m).alias("metric"), F.col(m).cast("double").alias("value")) for m in metrics]
    return daily.select(
        DATE, *SEGMENT_KEYS, F.col(volume_column).cast("double").alias("volume"), F.explode(F.array(*entries)).alias("m")
    ).select(DATE, "m.metric", *SEGMENT_KEYS, "m.value", "volume")


def _segment_window(by_weekday: bool) -> Window:
    # A 64-bit hash of the segment leads the sort key: Spark's sort prefix then tells
    # segments apart without comparing strings; the keys themselves keep it exact.
    keys = ["segment_hash", *SEGMENT_KEYS] + (["weekday"] if by_weekday else [])
    return Window.partitionBy(*keys).orderBy(DATE)


def _started(wide: DataFrame, metrics: Sequence[str], volume_column: str, by_weekday: bool) -> DataFrame:
    """Hash the segment; each metric's value only from the (sub-)series' first non-zero value on."""
    running = _segment_window(by_weekday).rowsBetween(Window.unboundedPreceding, Window.currentRow)
    hashed = wide.select(
        DATE, *SEGMENT_KEYS,
        F.xxhash64(*SEGMENT_KEYS).alias("segment_hash"),
        F.col(volume_column).cast("double").alias("volume"),
        *[F.col(m).cast("double").alias(m) for m in metrics],
    )
    if by_weekday:
        hashed = hashed.withColumn("weekday", F.dayofweek(DATE))
    first_active = {m: F.first(F.when(F.col(m) != 0, F.col(DATE)), ignorenulls=True).over(running) for m in metrics}
    staged = hashed.select("*", *[expr.alias(f"_first__{m}") for m, expr in first_active.items()])
    return staged.select(
        DATE, *SEGMENT_KEYS, "segment_hash", "volume", *(["weekday"] if by_weekday else []),
        *[F.when(F.col(DATE) >= F.col(f"_first__{m}"), F.col(m)).alias(m) for m in metrics],
    )


def mean_scores_schema(metrics: Sequence[str], settled: Sequence[str] = ()) -> StructType:
    fields = [StructField(DATE, DateType()), *[StructField(k, StringType()) for k in SEGMENT_KEYS], StructField("baseline_volume", DoubleType())]
    for m in metrics:
        fields += [StructField(f"value__{m}", DoubleType()), StructField(f"expected__{m}", DoubleType()),
                   StructField(f"scale__{m}", DoubleType()), StructField(f"n_points__{m}", LongType())]
        if m in settled:
            fields.append(StructField(f"settled__{m}", BooleanType()))
    return StructType(fields)


def score_mean(
    wide: DataFrame, metrics: Sequence[str], lags: int, by_weekday: bool, volume_column: str = "listens",
    weekday_profile: bool = False, robust: bool = False, limits: Mapping[str, Limits] | None = None,
) -> DataFrame:
    """Mean and sample stddev of each metric's trailing `lags` points, per segment.

    Segments are hashed into as many buckets as the shuffle has partitions; each
    bucket is scored in one numpy pass over Arrow columns (creatorlake.anomaly.trailing), so the cost
    is one shuffle plus O(1) work per point (O(window) with `robust` weekday medians),
    with every metric of a segment in one row. `limits` adds each listed metric's
    `settled__` column (the new-normal rule, trailing.settled).
    """
    spark = wide.sparkSession
    buckets = int(spark.conf.get("spark.sql.shuffle.partitions"))
    series_keys = [*SEGMENT_KEYS, *(["weekday"] if by_weekday else [])]
    schema = mean_scores_schema(metrics, tuple(limits or ()))
    columns = schema.fieldNames()
    staged = wide.select(
        DATE, *SEGMENT_KEYS,
        *([F.dayofweek(DATE).alias("weekday")] if by_weekday else []),
        F.pmod(F.xxhash64(*SEGMENT_KEYS), F.lit(buckets)).alias("bucket"),
        F.col(volume_column).cast("double").alias("volume"),
        *[F.col(m).cast("double").alias(m) for m in metrics],
    )

    def score(table: pa.Table) -> pa.Table:
        return score_bucket(table, series_keys, DATE, metrics, lags, weekday_profile, robust, limits).select(columns)

    return staged.groupBy("bucket").applyInArrow(score, schema=schema)


def _array_median(sorted_values: Column) -> Column:
    """Median of a sorted, null-free array (mean of the two middle values when even), as statistics.median."""
    size = F.size(sorted_values)
    upper = F.element_at(sorted_values, (F.floor(size / 2) + 1).cast("int"))
    lower = F.element_at(sorted_values, (F.floor((size - 1) / 2) + 1).cast("int"))
    return F.when(size > 0, (upper + lower) / 2)


def score_median(wide: DataFrame, metrics: Sequence[str], lags: int, by_weekday: bool, volume_column: str = "listens") -> DataFrame:
    """Median and 1.4826 * MAD of each metric's trailing `lags` points (robust to outliers in the baseline)."""
    trailing = _segment_window(by_weekday).rowsBetween(-lags, -1)
    staged = _started(wide, metrics, volume_column, by_weekday)
    windowed = staged.select(
        DATE, *SEGMENT_KEYS,
        F.avg("volume").over(trailing).alias("baseline_volume"),
        *[F.col(m).alias(f"value__{m}") for m in metrics],
        *[F.array_sort(F.collect_list(m).over(trailing)).alias(f"history__{m}") for m in metrics],
    )
    medians = windowed.select("*", *[_array_median(F.col(f"history__{m}")).alias(f"expected__{m}") for m in metrics])
    out = [DATE, *SEGMENT_KEYS, "baseline_volume"]
    for m in metrics:
        deviations = F.array_sort(F.transform(f"history__{m}", lambda x: F.abs(x - F.col(f"expected__{m}"))))
        out += [
            f"value__{m}",
            f"expected__{m}",
            F.when(F.size(f"history__{m}") > 1, F.lit(MAD_TO_SIGMA) * _array_median(deviations)).alias(f"scale__{m}"),
            F.size(f"history__{m}").cast("long").alias(f"n_points__{m}"),
        ]
    return medians.select(*out)


def _is_scored(rule: MetricRule, value: Column, scale: Column, n_points: Column, baseline_volume: Column) -> Column:
    return (
        value.isNotNull()
        & scale.isNotNull()
        & (n_points >= rule.min_points)
        & (F.coalesce(baseline_volume, F.lit(0.0)) >= float(rule.min_volume))
    )


def _z(rule: MetricRule, value: Column, expected: Column, scale: Column) -> Column:
    floored = F.greatest(scale, F.lit(float(rule.min_relative_scale)) * F.abs(expected), F.lit(SCALE_EPSILON))
    return (value - expected) / floored


def finish_wide(wide: DataFrame, rules: Sequence[MetricRule]) -> DataFrame:
    """Per metric: the scale floor, the min-points and min-volume rules, `z__<metric>` (null when not scored)
    and `settled__<metric>` (the new-normal rule; false when the kernel did not apply it)."""
    out = [DATE, *SEGMENT_KEYS]
    for rule in rules:
        m = rule.metric
        value, expected, scale = F.col(f"value__{m}"), F.col(f"expected__{m}"), F.col(f"scale__{m}")
        is_scored = _is_scored(rule, value, scale, F.col(f"n_points__{m}"), F.col("baseline_volume"))
        settled = F.coalesce(F.col(f"settled__{m}"), F.lit(False)) if f"settled__{m}" in wide.columns else F.lit(False)
        out += [value.alias(f"value__{m}"), expected.alias(f"expected__{m}"), is_scored.alias(f"is_scored__{m}"),
                F.when(is_scored, _z(rule, value, expected, scale)).alias(f"z__{m}"), settled.alias(f"settled__{m}")]
    return wide.select(*out)


def long_scores(finished: DataFrame, rules: Sequence[MetricRule]) -> DataFrame:
    """Wide scores -> one row per series and day, carrying the rule's threshold and method."""
    entries = [
        F.struct(
            F.lit(r.metric).alias("metric"),
            F.col(f"value__{r.metric}").alias("value"),
            F.col(f"expected__{r.metric}").alias("expected"),
            F.lit(float(r.threshold)).alias("threshold"),
            F.lit(r.method).alias("method"),
            F.col(f"is_scored__{r.metric}").alias("is_scored"),
            F.col(f"z__{r.metric}").alias("z_score"),
            F.col(f"settled__{r.metric}").alias("settled"),
        )
        for r in rules
    ]
    return finished.select(DATE, *SEGMENT_KEYS, F.explode(F.array(*entries)).alias("s")).select(
        DATE, "s.metric", *SEGMENT_KEYS, "s.value", "s.expected", "s.threshold", "s.method", "s.is_scored", "s.z_score", "s.settled"
    )


def finish_long(scored: DataFrame, rules: Sequence[MetricRule]) -> DataFrame:
    """`finish_wide` for one-row-per-series-and-day scores (the STL option)."""
    parts = []
    for rule in rules:
        one = scored.filter(F.col("metric") == rule.metric)
        value, expected, scale = F.col("value"), F.col("expected"), F.col("scale")
        is_scored = _is_scored(rule, value, scale, F.col("n_points"), F.col("baseline_volume"))
        parts.append(one.select(
            DATE, "metric", *SEGMENT_KEYS, "value", "expected",
            F.lit(float(rule.threshold)).alias("threshold"), F.lit(rule.method).alias("method"),
            is_scored.alias("is_scored"), F.when(is_scored, _z(rule, value, expected, scale)).alias("z_score"),
            F.lit(False).alias("settled"),
        ))
    return reduce(DataFrame.unionByName, parts)


def _without_payouts(metric: str) -> Column:
    """The metric as it would be without partner payouts (PAYOUT_METRICS of the config):
    the North Star net of payouts, or the catalog's ratio over it (rpm)."""
    unscheduled = F.col(NORTH_STAR).cast("double") - F.col("partner_payout_usd").cast("double")
    ratio = BY_NAME[metric]
    if ratio.kind == "ratio":
        return F.try_divide(F.lit(float(ratio.scale)) * unscheduled, F.col(ratio.denominator).cast("double"))
    return unscheduled


def without_scheduled_payouts(daily: DataFrame, rules: Sequence[MetricRule]) -> tuple[DataFrame, DataFrame | None]:
    """(daily with each `payouts: scheduled` metric net of payouts, the payout part per day and metric in long form).

    The second frame is None when no rule schedules payouts.
    """
    metrics = [r.metric for r in rules if r.payouts == "scheduled"]
    if not metrics:
        return daily, None
    parts = {m: F.col(m).cast("double") - _without_payouts(m) for m in metrics}
    entries = [F.struct(F.lit(m).alias("metric"), part.alias("scheduled")) for m, part in parts.items()]
    scheduled = daily.select(DATE, *SEGMENT_KEYS, F.explode(F.array(*entries)).alias("s")).select(DATE, "s.metric", *SEGMENT_KEYS, "s.scheduled")
    return daily.withColumns({m: _without_payouts(m) for m in metrics}), scheduled


def add_back_scheduled(scored: DataFrame, scheduled: DataFrame, metrics: Sequence[str]) -> DataFrame:
    """Each scheduled metric's points with the day's scheduled part added to `value` and `expected`
    (the z-score stays the net one); the other metrics' points pass untouched, unjoined."""
    is_scheduled = F.col("metric").isin(*metrics)
    keys = [F.col(f"p.{k}").eqNullSafe(F.col(f"s.{k}")) for k in (DATE, "metric", *SEGMENT_KEYS)]
    joined = scored.filter(is_scheduled).alias("p").join(scheduled.alias("s"), on=reduce(lambda a, b: a & b, keys), how="left")
    part = F.coalesce(F.col("s.scheduled"), F.lit(0.0))
    added = joined.select(
        *[(F.col(f"p.{c}") + part).alias(c) if c in ("value", "expected") else F.col(f"p.{c}") for c in scored.columns]
    )
    return scored.filter(~is_scheduled).unionByName(added)


def score_rule_group(daily: DataFrame, rules: Sequence[MetricRule]) -> DataFrame:
    """Score every series of the rules sharing one `group` (baseline, seasonality, window, volume column)."""
    rule = rules[0]
    volume_column = rule.volume_column
    metrics = [r.metric for r in rules]
    by_weekday = rule.seasonality == "weekday"
    profile = rule.seasonality == "weekday_profile"
    if rule.baseline == "mean" or (rule.baseline == "median" and profile):
        limits = {r.metric: Limits(r.threshold, r.min_relative_scale, r.new_normal_days) for r in rules}
        robust = rule.baseline == "median"
        wide = score_mean(daily, metrics, rule.lags, by_weekday, volume_column, profile, robust, limits)
        return long_scores(finish_wide(wide, rules), rules)
    if rule.baseline == "median":
        return long_scores(finish_wide(score_median(daily, metrics, rule.lags, by_weekday, volume_column), rules), rules)
    return finish_long(score_stl(to_long(daily, metrics, volume_column), rule.lags, min(r.min_points for r in rules)), rules)


def score_all(daily: DataFrame, config: AnomalyConfig) -> DataFrame:
    """Every series point with its baseline, `is_scored` and `z_score` (null when not scored)."""
    needed = {c for rule in config.rules for c in (rule.metric, rule.volume_column)}
    if any(rule.payouts == "scheduled" for rule in config.rules):
        needed |= {NORTH_STAR, "partner_payout_usd", *BY_NAME["rpm"].needs}
    check_input(daily, sorted(needed))
    net, scheduled = without_scheduled_payouts(daily, config.rules)
    groups: dict[tuple, list[MetricRule]] = {}
    for rule in config.rules:
        groups.setdefault(rule.group, []).append(rule)
    scored = reduce(DataFrame.unionByName, [score_rule_group(net, rules) for rules in groups.values()])
    if scheduled is None:
        return scored
    return add_back_scheduled(scored, scheduled, [r.metric for r in config.rules if r.payouts == "scheduled"])


# Each revenue metric with the drivers it is a product of, in long form for a join.
_DRIVEN = [(revenue, driver) for revenue, drivers in REVENUE_DRIVERS.items() for driver in drivers]


def _per_metric(rules: Sequence[MetricRule], value: Callable[[MetricRule], Column]) -> Column:
    """Each rule's `value` on the points of its metric; null on other metrics' points."""
    return case(F.col("metric"), {rule.metric: value(rule) for rule in rules}, F.lit(None))


def _own_flag() -> Column:
    return F.col("is_scored") & ~F.col("settled") & (F.abs(F.col("z_score")) >= F.col("threshold"))


def pooled_flags(scored: DataFrame, rules: Sequence[MetricRule]) -> DataFrame:
    """The points of the rules' metrics flagged by pooling days, not by their own z-score: the scored columns with
    `pooled_z`, Stouffer's combination of the z-scores of the day and the `pooled_days` - 1 days before it (their
    sum over the square root of their number), where all of them were scored.

    A day is flagged when |pooled_z| reaches its threshold and the day moved the pooled way, outside a settled
    new normal, and among the first `new_normal_days` of the run of such days. Why: a series counting a few dozen
    events a day (paying patrons) has a wide day-to-day band, and a cut that halves it for a week is z -2 to -3 on
    each day but -4 to -6 over four; a run of moderate days in one direction is as unlikely as one day at the
    pooled z.
    """
    day = F.unix_date(F.col(DATE))
    series = Window.partitionBy(*SERIES_KEYS).orderBy(day)

    def combined(rule: MetricRule) -> Column:
        frame = series.rangeBetween(-(rule.pooled_days - 1), 0)
        return F.when(F.count("z_score").over(frame) == rule.pooled_days, F.sum("z_score").over(frame) / F.lit(rule.pooled_days ** 0.5))

    pooled_z = _per_metric(rules, combined)
    new_normal = _per_metric(rules, lambda rule: F.lit(rule.new_normal_days))
    points = scored.filter(F.col("metric").isin(*[r.metric for r in rules])).withColumn("pooled_z", pooled_z)
    beyond = F.col("is_scored") & (F.abs(F.col("pooled_z")) >= F.col("threshold")) & (F.signum("pooled_z") == F.signum("z_score"))
    # Runs of consecutive days beyond, one direction each: a run starts where the side changes.
    side = F.when(beyond, F.signum("pooled_z")).otherwise(F.lit(0.0))
    points = points.withColumn("_side", side).withColumn("_starts", (F.col("_side") != F.lag("_side", 1, 0.0).over(series)).cast("int"))
    points = points.withColumn("_run", F.sum("_starts").over(series.rowsBetween(Window.unboundedPreceding, 0)))
    position = F.row_number().over(Window.partitionBy(*SERIES_KEYS, "_run").orderBy(day))
    flagged = points.filter((F.col("_side") != 0) & ~F.col("settled") & ~_own_flag()).withColumn("_position", position)
    return flagged.filter(F.col("_position") <= new_normal).select(*scored.columns, "pooled_z")


def driver_led(scored: DataFrame, share: float, flagged: DataFrame) -> DataFrame:
    """Revenue points led by a flagged driver: the segment has a driver of the revenue metric among `flagged`
    (anomalies' date, metric, segment and z_score) that day, and the revenue moved in the driver's direction by
    at least `share` of its expected value.

    The revenue point's own z-score may stay under its threshold: a segment's
    revenue holds other streams and noise the driver's own series does not, so a
    real driver move can sit inside revenue's band. Points already among `flagged`
    are not repeated. Columns: the scored columns, with `driver`.
    """
    pairs = scored.sparkSession.createDataFrame(_DRIVEN, "revenue string, driver string")
    drivers = (
        flagged.join(F.broadcast(pairs), F.col("metric") == F.col("driver"))
        .select(DATE, *SEGMENT_KEYS, F.col("revenue").alias("metric"), "driver", F.signum("z_score").alias("side"))
    )
    moved = F.col("value") - F.col("expected")
    moving = scored.filter(
        F.col("metric").isin(*REVENUE_DRIVERS) & F.col("is_scored")
        & (F.abs(moved) >= F.lit(float(share)) * F.abs(F.col("expected"))) & (F.col("expected") != 0)
    )
    revenue = moving.alias("r").join(flagged.alias("f"), on=_same_point("r", "f"), how="left_anti")
    joined = revenue.alias("r").join(drivers.alias("d"), on=_same_point("r", "d") & (F.signum(moved) == F.col("d.side")))
    # One row per revenue point: its first flagged driver in the catalog's order names it.
    order = F.array_position(F.array(*[F.lit(d) for _, d in _DRIVEN]), F.col("d.driver"))
    first = joined.groupBy(*[F.col(f"r.{c}") for c in scored.columns]).agg(F.min(F.struct(order.alias("o"), F.col("d.driver").alias("driver"))).alias("led"))
    return first.select(*scored.columns, F.col("led.driver").alias("driver"))


def _same_point(left: str, right: str) -> Column:
    """The same point of one series in two aliased frames (a null segment key, "all", matches null)."""
    return reduce(lambda a, b: a & b, [F.col(f"{left}.{k}").eqNullSafe(F.col(f"{right}.{k}")) for k in (DATE, "metric", *SEGMENT_KEYS)])


def _anomaly_columns(method: Column, severity: Column | None = None) -> list[Column]:
    return [
        F.col(DATE), F.col("metric"), *[F.col(k) for k in SEGMENT_KEYS], F.col("value"), F.col("expected"), F.col("z_score"),
        F.when(F.col("value") > F.col("expected"), "spike").otherwise("drop").alias("direction"),
        (F.abs(F.col("z_score")) if severity is None else severity).alias("severity"), method.alias("method"),
    ]


def flag(scored: DataFrame, driver_led_share: float | None = None, pooled_rules: Sequence[MetricRule] = ()) -> DataFrame:
    """The anomalies, in the `metric_anomalies` schema: scored points at or beyond their threshold, outside
    a settled new normal; the points of `pooled_rules`' metrics flagged by pooling days (`pooled_flags`), whose
    method is the scoring method with `+pooled:<n>d` and whose severity is |pooled z|; with `driver_led_share`,
    also the driver-led revenue points (`driver_led`) of either, whose method is the scoring method with
    `+driver_led:<driver>`."""
    own = scored.filter(_own_flag())
    anomalies = own.select(*_anomaly_columns(F.col("method")))
    flagged = own.select(DATE, "metric", *SEGMENT_KEYS, "z_score")
    if pooled_rules:
        pooled = pooled_flags(scored, pooled_rules)
        suffix = _per_metric(pooled_rules, lambda rule: F.lit(f"+pooled:{rule.pooled_days}d"))
        anomalies = anomalies.unionByName(pooled.select(*_anomaly_columns(F.concat(F.col("method"), suffix), F.abs(F.col("pooled_z")))))
        flagged = flagged.unionByName(pooled.select(DATE, "metric", *SEGMENT_KEYS, "z_score"))
    if driver_led_share is None:
        return anomalies
    led = driver_led(scored, driver_led_share, flagged)
    return anomalies.unionByName(led.select(*_anomaly_columns(F.concat(F.col("method"), F.lit("+driver_led:"), F.col("driver")))))
