"""Exact decomposition of a creator-revenue change into its eight drivers (docs/root-cause.md).

    creator revenue = listens * ad_load * fill_rate * cpm / 1000        (ads)
                    + active_listeners * sub_conversion * arppu_usd     (subscriptions)
                    + partner_payout_usd                                (partner program)

Each product stream is split with LMDI-I (log-mean Divisia) when every factor is
positive in both periods, else with the Shapley value over its factors; both are
exact. Factor rules that keep the identity exact:

* a ratio that is 0/0 in one period takes the other period's value (it was not
  observable, so it carries no change); the stream is 0 in that period anyway;
* a stream with revenue over a zero denominator (say ad revenue on a day without
  filled impressions) cannot be written as the product: its whole change goes to
  its rate factor (cpm, arppu_usd);
* the partner stream is additive and contributes its own change.

Contributions are then rounded to cents by largest remainder, so they add up to the
change in cents exactly.

Input columns: for each raw component `c` in RAW, `c_0` (before) and `c_1` (after).
"""

from __future__ import annotations

import itertools
import math
from functools import reduce
from typing import Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from creatorlake.anomaly.schema import DRIVERS
from creatorlake.core.columns import case
from creatorlake.metrics.catalog import BY_NAME, STREAM_BY_NAME, STREAMS, Stream


def _chain(stream: Stream) -> tuple[tuple[str, str, str | None], ...]:
    """(factor, numerator, denominator) along a product stream of the catalog; the first factor is a plain count.

    The ratios are taken unscaled (cpm as revenue per impression): the scale of the
    last ratio is the stream's divisor, so the product is the stream's value either way.
    """
    metrics = [BY_NAME[f] for f in stream.factors]
    return tuple((m.name, m.numerator, m.denominator) if m.kind == "ratio" else (m.name, m.name, None) for m in metrics)


AD_CHAIN = _chain(STREAM_BY_NAME["ads"])
SUB_CHAIN = _chain(STREAM_BY_NAME["subscriptions"])
STREAM_VALUE = {s.name: s.value for s in STREAMS if s.factors}
# A metric that is a stream's own revenue (ad or subscription revenue) -> that stream.
STREAM_OF_METRIC = {s.value: s.name for s in STREAMS}
# Raw components the factors are built from: each chain's numerators, then the additive streams.
RAW = tuple(num for chain in (AD_CHAIN, SUB_CHAIN) for _, num, _ in chain) + tuple(s.value for s in STREAMS if not s.factors)
CONTRIBUTION = "contribution_{}"


def contribution_columns() -> list[str]:
    return [CONTRIBUTION.format(d) for d in DRIVERS]


def _raw(name: str, period: int) -> Column:
    return F.coalesce(F.col(f"{name}_{period}").cast("double"), F.lit(0.0))


def _ratio(num: str, den: str, period: int) -> Column:
    return F.when(_raw(den, period) != 0, _raw(num, period) / _raw(den, period))


def _factors(chain, period: int) -> list[Column]:
    """Factor values with the 0/0 rule: an undefined ratio takes the other period's value, else 0."""
    out = []
    for _, num, den in chain:
        if den is None:
            out.append(_raw(num, period))
        else:
            out.append(F.coalesce(_ratio(num, den, period), _ratio(num, den, 1 - period), F.lit(0.0)))
    return out


def _broken(chain) -> Column:
    """Some period has a non-zero numerator over a zero denominator: the product cannot represent it."""
    tests = [(_raw(den, p) == 0) & (_raw(num, p) != 0) for _, num, den in chain if den is not None for p in (0, 1)]
    return reduce(lambda a, b: a | b, tests)


def _log_mean(a: Column, b: Column) -> Column:
    # Two unequal doubles can share a logarithm; the log mean of such a pair is a itself
    # (its limit), never an ANSI division by zero.
    return F.coalesce(F.when(a == b, a), F.try_divide(a - b, F.log(a) - F.log(b)), a)


def _lmdi(before: Sequence[Column], after: Sequence[Column], v0: Column, v1: Column) -> list[Column]:
    weight = _log_mean(v1, v0)
    return [weight * F.log(x1 / x0) for x0, x1 in zip(before, after)]


def _shapley(before: Sequence[Column], after: Sequence[Column]) -> list[Column]:
    """Shapley value of each factor of a product: exact for any real values, zeros included."""
    k = len(before)
    out = []
    for i in range(k):
        others = [j for j in range(k) if j != i]
        terms = []
        for size in range(k):
            for subset in itertools.combinations(others, size):
                weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
                rest = [after[j] if j in subset else before[j] for j in others]
                terms.append(F.lit(weight) * reduce(lambda a, b: a * b, rest, F.lit(1.0)))
        out.append(reduce(lambda a, b: a + b, terms) * (after[i] - before[i]))
    return out


def _factor_columns(stream: str, chain) -> dict[str, Column]:
    """The stream's factors in both periods and its broken flag, as named columns.

    Materialised once (below a barrier) so each Shapley and LMDI term reads a column
    instead of repeating the factor's ratio and 0/0 rule: inlined, the repeated
    expressions outgrow the JVM's 64 KB method limit and Spark's codegen gives up.
    """
    named = {f"_{stream}_{period}_{i}": factor for period in (0, 1) for i, factor in enumerate(_factors(chain, period))}
    named[f"_{stream}_broken"] = _broken(chain)
    return named


def _stream(stream: str, chain, value: str) -> tuple[list[Column], Column]:
    """Exact contributions of one product stream (its `_factor_columns` present), and the method used for it."""
    before, after = ([F.col(f"_{stream}_{period}_{i}") for i in range(len(chain))] for period in (0, 1))
    v0, v1 = _raw(value, 0), _raw(value, 1)
    positive = reduce(lambda a, b: a & b, [x > 0 for x in (*before, *after)])
    broken = F.col(f"_{stream}_broken")
    lmdi, shapley = _lmdi(before, after, v0, v1), _shapley(before, after)
    rate_index = len(chain) - 1
    contributions = []
    for i, (lm, sh) in enumerate(zip(lmdi, shapley)):
        rate_rule = (v1 - v0) if i == rate_index else F.lit(0.0)
        contributions.append(F.when(broken, rate_rule).when(positive, lm).otherwise(sh))
    method = F.when(broken, "rate").when(positive, "lmdi").otherwise("shapley")
    return contributions, method


def _cents(column: Column) -> Column:
    return F.round(column.cast("decimal(20,2)") * 100).cast("long")


def round_to_cents(raw: Sequence[Column], total_cents: Column) -> list[Column]:
    """Largest-remainder rounding: the cents add up to `total_cents` exactly."""
    units = F.array(*[
        F.struct(F.lit(i).alias("i"), F.floor(c * 100).cast("long").alias("base"), (c * 100 - F.floor(c * 100)).alias("frac"))
        for i, c in enumerate(raw)
    ])
    remainder = total_cents - F.aggregate(units, F.lit(0).cast("long"), lambda acc, u: acc + u["base"])
    k = len(raw)
    handed = F.least(F.greatest(remainder, F.lit(0)), F.lit(k))
    ranked = F.transform(
        units,
        lambda u: u["base"] + F.when(
            F.size(F.filter(units, lambda v: (v["frac"] > u["frac"]) | ((v["frac"] == u["frac"]) & (v["i"] < u["i"])))) < handed, 1
        ).otherwise(0),
    )
    # Only float noise can leave a remainder outside [0, k]; it goes to the largest contribution.
    leftover = remainder - handed
    largest = F.array_position(F.transform(F.array(*raw), lambda c: F.abs(c)), F.array_max(F.transform(F.array(*raw), lambda c: F.abs(c))))
    return [F.element_at(ranked, i + 1) + F.when(largest == i + 1, leftover).otherwise(0) for i in range(k)]


def _most_moved(named: Sequence[tuple[str, Column]], sign: Column) -> Column:
    """The name whose value moved most in the direction `sign` (largest |value| when flat); ties go to the first."""
    if len(named) == 1:
        return F.lit(named[0][0])
    ranked = [
        F.struct(F.when(sign == 0, F.abs(c)).otherwise(c * sign).alias("score"), F.lit(-i).alias("order"), F.lit(name).alias("name"))
        for i, (name, c) in enumerate(named)
    ]
    return F.greatest(*ranked)["name"]


def _sign(change: Column) -> Column:
    return F.when(change > 0, 1.0).when(change < 0, -1.0).otherwise(0.0)


def stream_changes(contributions: Sequence[Column]) -> dict[str, Column]:
    """Each revenue stream's change: the sum of its drivers' contributions."""
    by_driver = dict(zip(DRIVERS, contributions))
    return {s.name: reduce(lambda a, b: a + b, [by_driver[f] for f in s.factors or (s.value,)]) for s in STREAMS}


def dominant_driver(contributions: Sequence[Column], change: Column, own_stream: Column | None = None) -> Column:
    """The metric tree's answer: the revenue stream (ads, subscriptions, partner payouts)
    that moved most in the direction of the change, then the factor within it that did.

    Factors of different streams never compete: when a listens drop also lowers
    active listeners while paying patrons stay, active_listeners and sub_conversion
    offset each other inside subscriptions, and the answer is the listens drop
    that moved ad revenue, not a factor whose effect the same stream cancelled.

    `own_stream` (a stream name, or null) fixes the stream: an anomaly on ad revenue is
    answered by the ad factor that moved most in the direction of ad revenue's change,
    whatever subscriptions did that day, since no subscription factor moves ad revenue.
    """
    by_driver = dict(zip(DRIVERS, contributions))
    streams = {s.name: s.factors or (s.value,) for s in STREAMS}
    changes = stream_changes(contributions)
    sign = _sign(change)
    stream = _most_moved(list(changes.items()), sign)
    if own_stream is not None:
        stream = F.coalesce(own_stream, stream)
        sign = case(own_stream, {name: _sign(c) for name, c in changes.items()}, sign)
    within = {name: _most_moved([(f, by_driver[f]) for f in factors], sign) for name, factors in streams.items()}
    return F.when(stream == "ads", within["ads"]).when(stream == "subscriptions", within["subscriptions"]).otherwise(within["partner"])


def _barrier(df: DataFrame) -> DataFrame:
    """Stop the planner from inlining the stages below into one giant expression.

    The contributions feed the rounding, which feeds the dominant driver; collapsing
    those projections substitutes each large expression wherever it is referenced,
    and planning time explodes. A one-element `inline` is a Generate, which no
    projection collapses through.
    """
    return df.select(F.inline(F.array(F.struct(*[F.col(f"`{c}`") for c in df.columns]))))


def decompose(changes: DataFrame, own_stream: Column | None = None) -> DataFrame:
    """Add `change_usd`, one exact `contribution_<driver>` per driver (decimal cents), `dominant_driver`, `dominant_share`, `decomposition_method`.

    `own_stream` (a column of `changes`: a stream name or null) fixes the stream the dominant driver is taken
    from (dominant_driver); `dominant_share` is then the driver's share of that stream's change, else of
    `change_usd`."""
    factors = {**_factor_columns("ad", AD_CHAIN), **_factor_columns("sub", SUB_CHAIN)}
    factored = _barrier(changes.select("*", *[column.alias(name) for name, column in factors.items()]))
    ad, ad_method = _stream("ad", AD_CHAIN, STREAM_VALUE["ads"])
    sub, sub_method = _stream("sub", SUB_CHAIN, STREAM_VALUE["subscriptions"])
    partner = [_raw("partner_payout_usd", 1) - _raw("partner_payout_usd", 0)]
    raw = [*ad, *sub, *partner]
    total = [_raw(v, p) for v in ("ad_revenue_usd", "subscription_revenue_usd", "partner_payout_usd") for p in (0, 1)]
    before_cents = _cents(total[0] + total[2] + total[4])
    after_cents = _cents(total[1] + total[3] + total[5])
    staged = _barrier(factored.select("*", *[c.alias(f"_raw_{i}") for i, c in enumerate(raw)], (after_cents - before_cents).alias("_change_cents"), ad_method.alias("_ad_method"), sub_method.alias("_sub_method")))
    raws = [F.col(f"_raw_{i}") for i in range(len(raw))]
    cents = round_to_cents(raws, F.col("_change_cents"))
    money = [(c / 100).cast("decimal(18,2)") for c in cents]
    rounded = _barrier(staged.select(
        *changes.columns,
        (F.col("_change_cents") / 100).cast("decimal(18,2)").alias("change_usd"),
        *[m.alias(CONTRIBUTION.format(d)) for d, m in zip(DRIVERS, money)],
        F.concat(F.lit("ads "), F.col("_ad_method"), F.lit(", subscriptions "), F.col("_sub_method")).alias("decomposition_method"),
    ))
    contributions = [F.col(CONTRIBUTION.format(d)) for d in DRIVERS]
    dominant = dominant_driver(contributions, F.col("change_usd"), own_stream)
    share = case(dominant, dict(zip(DRIVERS, contributions)), F.lit(None))
    whole = F.col("change_usd") if own_stream is None else case(own_stream, stream_changes(contributions), F.col("change_usd"))
    return rounded.select(
        "*",
        dominant.alias("dominant_driver"),
        F.when(whole != 0, (share / whole).cast("double")).alias("dominant_share"),
    )
