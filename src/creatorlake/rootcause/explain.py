"""Week-over-week revenue drivers and anomaly explanations: pure DataFrame -> DataFrame transforms."""

from __future__ import annotations

from functools import reduce
from typing import Sequence

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from creatorlake.anomaly.config import MetricRule
from creatorlake.anomaly.schema import DATE, SEGMENT_KEYS
from creatorlake.core.columns import case
from creatorlake.rootcause.decompose import RAW, STREAM_OF_METRIC, contribution_columns, decompose, stream_changes

SEPARATOR = " · "
METRIC_LABELS = {
    "creator_revenue_usd": "Creator revenue",
    "ad_revenue_usd": "Ad revenue",
    "subscription_revenue_usd": "Subscription revenue",
    "rpm": "RPM",
}
DRIVER_LABELS = {
    "listens": "Listens",
    "ad_load": "Ad load",
    "fill_rate": "Fill rate",
    "cpm": "CPM",
    "active_listeners": "Active listeners",
    "sub_conversion": "Subscription conversion",
    "arppu_usd": "ARPPU",
    "partner_payout_usd": "Partner payouts",
}
WEEK_DAYS = 7


def _label(mapping: dict[str, str], column: str) -> Column:
    return case(F.col(column), {name: F.lit(label) for name, label in mapping.items()}, F.col(column))


def segment_label(prefix: str = "") -> Column:
    """'DE · comedy · star'; the platform total (all keys null) is 'all segments'."""
    parts = [F.col(f"{prefix}{k}") for k in SEGMENT_KEYS]
    label = F.concat_ws(SEPARATOR, *parts)
    return F.when(label == "", F.lit("all segments")).otherwise(label)


def _null_safe_keys(left: str, right: str, keys: Sequence[str]) -> Column:
    return reduce(lambda a, b: a & b, [F.col(f"{left}.{k}").eqNullSafe(F.col(f"{right}.{k}")) for k in keys])


def weekly_changes(daily: DataFrame) -> DataFrame:
    """Each segment's complete Monday weeks, paired with the week before: `<raw>_0`, `<raw>_1`."""
    weekly = (
        daily.withColumn("week_start_date", F.date_trunc("week", F.col(DATE)).cast("date"))
        .groupBy(*SEGMENT_KEYS, "week_start_date")
        .agg(F.countDistinct(DATE).alias("days"), *[F.sum(F.col(c).cast("double")).alias(c) for c in RAW])
        .filter(F.col("days") == WEEK_DAYS)
    )
    ordered = Window.partitionBy(*SEGMENT_KEYS).orderBy("week_start_date")
    paired = weekly.select(
        "*",
        F.lag("week_start_date").over(ordered).alias("previous_week_start_date"),
        *[F.lag(c).over(ordered).alias(f"{c}_0") for c in RAW],
    )
    is_consecutive = F.datediff("week_start_date", "previous_week_start_date") == WEEK_DAYS
    return paired.filter(is_consecutive).select(
        *SEGMENT_KEYS,
        "week_start_date",
        "previous_week_start_date",
        *[F.col(f"{c}_0") for c in RAW],
        *[F.col(c).alias(f"{c}_1") for c in RAW],
    )


def revenue_change_drivers(daily: DataFrame) -> DataFrame:
    """`gold.revenue_change_drivers`: every segment's week-over-week creator revenue change, split exactly."""
    decomposed = decompose(weekly_changes(daily))
    before = F.col("ad_revenue_usd_0") + F.col("subscription_revenue_usd_0") + F.col("partner_payout_usd_0")
    after = F.col("ad_revenue_usd_1") + F.col("subscription_revenue_usd_1") + F.col("partner_payout_usd_1")
    return decomposed.select(
        *SEGMENT_KEYS,
        "week_start_date",
        "previous_week_start_date",
        before.cast("decimal(18,2)").alias("creator_revenue_before_usd"),
        after.cast("decimal(18,2)").alias("creator_revenue_after_usd"),
        "change_usd",
        *contribution_columns(),
        "dominant_driver",
        "dominant_share",
        "decomposition_method",
    )


def trailing_baseline(daily: DataFrame, rule: MetricRule) -> DataFrame:
    """Per segment and day: the raw components (`<raw>_1`) and their trailing means over the rule's window (`<raw>_0`).

    The window is the detection rule's (same weekday only with any weekday seasonality),
    never including the day itself; a mean of components keeps the revenue identities.
    With `payouts: scheduled` the day's own payout is its expected payout, as in
    detection, so payouts explain none of the change.
    """
    same_weekday = rule.expected_points < rule.window
    keys = [*SEGMENT_KEYS] + (["weekday"] if same_weekday else [])
    trailing = Window.partitionBy(*keys).orderBy(DATE).rowsBetween(-rule.expected_points, -1)
    staged = daily.withColumn("weekday", F.dayofweek(DATE)) if same_weekday else daily

    def expected(column: str) -> Column:
        if column == "partner_payout_usd" and rule.payouts == "scheduled":
            return F.col(column).cast("double")
        return F.avg(F.col(column).cast("double")).over(trailing)

    return staged.select(
        DATE,
        *SEGMENT_KEYS,
        *[expected(c).alias(f"{c}_0") for c in RAW],
        *[F.col(c).cast("double").alias(f"{c}_1") for c in RAW],
    )


def _children(changes: DataFrame) -> DataFrame:
    """Each segment once per parent: the segment with one of its set keys back to 'all'."""
    rows = []
    for key in SEGMENT_KEYS:
        parent = [F.lit(None).cast("string").alias(f"parent_{k}") if k == key else F.col(k).alias(f"parent_{k}") for k in SEGMENT_KEYS]
        rows.append(changes.filter(F.col(key).isNotNull()).select("*", *parent))
    return reduce(DataFrame.unionByName, rows)


def explain_anomalies(anomalies: DataFrame, daily: DataFrame, rule: MetricRule, revenue_metrics: Sequence[str], top: int = 3) -> DataFrame:
    """`gold.anomaly_explanations`: each revenue anomaly's creator revenue change vs its baseline, split exactly, with a drill-down and a `why`."""
    baseline = trailing_baseline(daily, rule)
    revenue = anomalies.filter(F.col("metric").isin(*revenue_metrics))
    joined = revenue.alias("a").join(baseline.alias("b"), on=_null_safe_keys("a", "b", (DATE, *SEGMENT_KEYS)), how="left")
    decomposed = decompose(joined.select("a.*", *[F.col(f"b.{c}_{p}") for c in RAW for p in (0, 1)]), own_stream())

    # Drill-down: the children of the anomaly's segment that day, by their own revenue change vs baseline.
    total = lambda p: F.col(f"ad_revenue_usd_{p}") + F.col(f"subscription_revenue_usd_{p}") + F.col(f"partner_payout_usd_{p}")
    changes = baseline.select(DATE, *SEGMENT_KEYS, (total(1) - total(0)).alias("child_change_usd"))
    children = _children(changes)
    keys = [F.col(f"d.{DATE}") == F.col(f"c.{DATE}")] + [F.col(f"d.{k}").eqNullSafe(F.col(f"c.parent_{k}")) for k in SEGMENT_KEYS]
    anomaly_keys = (DATE, "metric", *SEGMENT_KEYS)
    movers = (
        decomposed.select(*anomaly_keys, "change_usd").alias("d")
        .join(children.alias("c"), on=reduce(lambda a, b: a & b, keys), how="inner")
        .select(
            *[F.col(f"d.{k}") for k in anomaly_keys],
            F.struct(
                # Sorted ascending: the child that moved most in the parent's direction first.
                (F.when(F.col("d.change_usd") < 0, F.col("c.child_change_usd")).otherwise(-F.col("c.child_change_usd"))).alias("rank"),
                segment_label("c.").alias("segment"),
                F.round(F.col("c.child_change_usd"), 2).alias("change_usd"),
            ).alias("mover"),
        )
        .filter(F.col("mover.change_usd").isNotNull())
        .groupBy(*anomaly_keys)
        .agg(F.slice(F.array_sort(F.collect_list("mover")), 1, top).alias("movers"))
        .select(*anomaly_keys, F.transform("movers", lambda m: F.struct(m["segment"].alias("segment"), m["change_usd"].alias("change_usd"))).alias("drill_down"))
    )
    explained = decomposed.alias("x").join(movers.alias("m"), on=_null_safe_keys("x", "m", anomaly_keys), how="left")
    return explained.select(
        *[F.col(f"x.{k}") for k in anomaly_keys],
        "x.value", "x.expected", "x.z_score", "x.direction",
        "x.change_usd",
        *[F.col(f"x.{c}") for c in contribution_columns()],
        "x.dominant_driver", "x.dominant_share",
        F.col("x.method").alias("detection_method"),
        "x.decomposition_method",
        F.coalesce(F.col("m.drill_down"), F.array().cast("array<struct<segment:string,change_usd:double>>")).alias("drill_down"),
    ).select("*", why().alias("why"))


def own_stream() -> Column:
    """The revenue stream an anomaly's metric is the revenue of (ad or subscription revenue), else null:
    its dominant driver is one of that stream's factors."""
    return case(F.col("metric"), {metric: F.lit(stream) for metric, stream in STREAM_OF_METRIC.items()}, F.lit(None).cast("string"))


def why() -> Column:
    """'Creator revenue in DE · comedy fell 31% below expected on 2026-03-11; CPM explains 92% of the drop; biggest mover: DE · comedy · star.'"""
    pct = F.abs(F.round(100 * (F.col("value") - F.col("expected")) / F.col("expected"), 0)).cast("long")
    moved = F.when(F.col("value") < F.col("expected"), F.lit("fell ")).otherwise(F.lit("rose "))
    side = F.when(F.col("value") < F.col("expected"), F.lit("% below")).otherwise(F.lit("% above"))
    headline = F.concat(
        _label(METRIC_LABELS, "metric"), F.lit(" in "), segment_label(), F.lit(" "), moved,
        F.when(F.col("expected") != 0, F.concat(pct.cast("string"), side)).otherwise(F.lit("from zero,")),
        F.lit(" expected on "), F.date_format(DATE, "yyyy-MM-dd"),
    )
    headline = F.regexp_replace(headline, "from zero, expected", "from an expected zero")
    # The change the dominant share is of: the anomaly's own stream's, else creator revenue's.
    moved = case(own_stream(), stream_changes([F.col(c) for c in contribution_columns()]), F.col("change_usd"))
    revenue_move = F.when(moved < 0, F.lit("drop")).otherwise(F.lit("rise"))
    whose = case(F.col("metric"), {m: F.lit(f"{METRIC_LABELS[m].lower()} ") for m in STREAM_OF_METRIC if m in METRIC_LABELS}, F.lit("creator revenue "))
    subject = F.when(F.col("metric") == "creator_revenue_usd", revenue_move).otherwise(F.concat(whose, revenue_move))
    share = F.round(100 * F.col("dominant_share"), 0).cast("long")
    driver = F.concat(
        F.lit("; "), _label(DRIVER_LABELS, "dominant_driver"), F.lit(" explains "), share.cast("string"), F.lit("% of the "), subject
    )
    mover = F.when(F.size("drill_down") > 0, F.concat(F.lit("; biggest mover: "), F.col("drill_down")[0]["segment"])).otherwise(F.lit(""))
    return F.concat(headline, F.when(moved != 0, driver).otherwise(F.lit("")), mover, F.lit("."))
