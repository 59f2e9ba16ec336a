"""Trailing-window mean and standard deviation per series, vectorised in numpy.

The kernel of the mean/stddev baseline. Spark hands it whole buckets of series
(`applyInArrow` grouped by a hash bucket of the segment, so one call sees
thousands of series and per-call overhead vanishes); inside a bucket every
trailing sum is a difference of two prefix sums that restart at each series, O(1)
per point whatever the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np
import pyarrow as pa

# The scale's floor when everything else is zero (detect.SCALE_EPSILON, which imports this module).
SCALE_EPSILON = 1e-9


@dataclass(frozen=True)
class Limits:
    """What the new-normal rule needs of a metric's rule: its flag threshold, scale floor and run length."""

    threshold: float
    min_relative_scale: float
    new_normal_days: int


class Layout:
    """Rows sorted by series, placed in a (series x longest series + 1) matrix, one series per row.

    Built from the series id of each sorted row. Prefix sums along a matrix row
    restart at every series, so one series' sums never carry another's rounding;
    column 0 stays zero (the empty prefix).
    """

    def __init__(self, series_ids: np.ndarray):
        index = np.arange(len(series_ids))
        is_first = np.ones(len(series_ids), dtype=bool)
        is_first[1:] = series_ids[1:] != series_ids[:-1]
        self.start = np.maximum.accumulate(np.where(is_first, index, 0))  # first row of each row's series
        self.position = index - self.start
        series = np.cumsum(is_first) - 1
        self.shape = (int(series[-1]) + 1 if len(series) else 0, int(self.position.max(initial=0)) + 2)
        self.flat = series * self.shape[1] + self.position + 1

    def prefix(self, x: np.ndarray) -> np.ndarray:
        """The flattened matrix of running sums: at `flat`, x summed over the series up to that row."""
        matrix = np.zeros(self.shape)
        matrix.ravel()[self.flat] = x
        return np.cumsum(matrix, axis=1, out=matrix).ravel()

    def trailing_sum(self, x: np.ndarray, lags: int) -> np.ndarray:
        """Sum of x over the `lags` rows before each row within its series; the row itself never counts."""
        prefix = self.prefix(x)
        row_start = self.flat - self.position - 1
        return prefix[self.flat - 1] - prefix[row_start + np.maximum(self.position - lags, 0)]

    def from_first_nonzero(self, x: np.ndarray) -> np.ndarray:
        """x with NaN before its series' first non-zero value: a series starts when it first has activity."""
        active = ~np.isnan(x) & (x != 0)
        return np.where(self.prefix(active.astype(np.float64))[self.flat] > 0, x, np.nan)

    def first_present(self, present: np.ndarray) -> np.ndarray:
        """Index of the first present value of each row's series (the series' first row when none is)."""
        index = np.arange(len(present))
        next_present = np.minimum.accumulate(np.where(present, index, len(present))[::-1])[::-1]
        first = np.minimum(next_present[self.start], len(present) - 1)
        return np.where(self.start[first] == self.start, first, self.start)


def trailing_moments(x: np.ndarray, layout: Layout, lags: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n, mean, sample stddev) of the non-null values among the `lags` rows before each row.

    mean is NaN when n = 0 and stddev NaN when n < 2. Values are first shifted by their
    series' first value, so sums of squares keep their precision on large values and a
    flat window gives exactly its value and a zero stddev.
    """
    present = ~np.isnan(x)
    centre = np.nan_to_num(x[layout.first_present(present)], nan=0.0)
    d = np.where(present, x - centre, 0.0)
    n = layout.trailing_sum(present.astype(np.float64), lags)
    s1 = layout.trailing_sum(d, lags)
    s2 = layout.trailing_sum(d * d, lags)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, s1 / n + centre, np.nan)
        variance = np.maximum((s2 - s1 * s1 / n) / (n - 1), 0.0)
        stddev = np.where(n > 1, np.sqrt(variance), np.nan)
    return n.round().astype(np.int64), mean, stddev


def weekday_profile_moments(x: np.ndarray, layout: Layout, weekday: np.ndarray, lags: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n, expected, scale) of each row against the weekday profile of the `lags` days before it.

    Rows are whole days in date order within each series (a complete spine), and
    `lags` is a whole number of weeks. `expected` is the mean of the same weekday's
    points in the window; `scale` is the spread of all the window's points around
    their own weekday's mean (pooled over the seven weekdays, n - 7 degrees of
    freedom), widened by sqrt(1 + 1/k) for the error of a k-point mean. Weekly
    seasonality so leaves both the expected value and the scale, and the scale
    still rests on the whole window, not on four points. `n` counts the
    window's non-null points.
    """
    weeks = lags // 7
    present = ~np.isnan(x)
    centre = np.nan_to_num(x[layout.first_present(present)], nan=0.0)
    d = np.where(present, x - centre, 0.0)
    # The same rows regrouped by (series, weekday), dates still in order.
    order = np.lexsort([np.arange(len(x)), weekday, layout.start])
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    classes = Layout(layout.start[order] * 7 + weekday[order])
    p, dw = present[order].astype(np.float64), d[order]
    n_same, s_same = classes.trailing_sum(p, weeks)[inverse], classes.trailing_sum(dw, weeks)[inverse]
    # Each row's weekday class over the `weeks` points ending at the row itself:
    # the window of day t holds exactly the classes ending at t-1 .. t-7.
    n_class = classes.trailing_sum(p, weeks - 1) + p
    s_class = classes.trailing_sum(dw, weeks - 1) + dw
    q_class = classes.trailing_sum(dw * dw, weeks - 1) + dw * dw
    with np.errstate(invalid="ignore", divide="ignore"):
        within = np.where(n_class > 0, np.maximum(q_class - s_class * s_class / n_class, 0.0), 0.0)
        squares = layout.trailing_sum(within[inverse], 7)
        dof = layout.trailing_sum(np.maximum(n_class - 1, 0.0)[inverse], 7)
        expected = np.where(n_same > 0, s_same / n_same + centre, np.nan)
        scale = np.where((dof > 0) & (n_same > 0), np.sqrt(squares / dof) * np.sqrt(1 + 1 / n_same), np.nan)
    n = layout.trailing_sum(present.astype(np.float64), lags)
    return n.round().astype(np.int64), expected, scale


def _sorted_median(values: np.ndarray, in_place: bool = False) -> np.ndarray:
    """Median along the last axis ignoring NaN (sorting puts NaN last); NaN where no value is present.

    `in_place` sorts `values` itself (each last-axis row is permuted), saving a copy of a big window array.
    """
    n = np.count_nonzero(~np.isnan(values), axis=-1)
    if in_place:
        values.sort(axis=-1)
        ordered = values
    else:
        ordered = np.sort(values, axis=-1)
    low = np.take_along_axis(ordered, np.maximum((n - 1) // 2, 0)[..., None], axis=-1)[..., 0]
    high = np.take_along_axis(ordered, np.maximum(n // 2, 0)[..., None], axis=-1)[..., 0]
    return np.where(n > 0, (low + high) / 2, np.nan)


@lru_cache(maxsize=None)
def robust_constants(weeks: int) -> tuple[float, float]:
    """(consistency, widening) of the weekday-median scale for `weeks` points per weekday, from normal noise.

    The pooled median absolute residual around each weekday's own k-point median is
    smaller than a MAD around the true level (the median sits among its points), so
    it is divided by its value on unit normal noise; the error of the k-point median
    itself then widens the scale by sqrt(1 + var(median)). A fixed generator keeps
    both deterministic.
    """
    rng = np.random.default_rng(0)
    noise = rng.standard_normal((20000, 7, weeks))
    medians = _sorted_median(noise)
    pooled = _sorted_median(np.abs(noise - medians[..., None]).reshape(len(noise), -1))
    return float(np.median(pooled)), float(np.sqrt(1 + np.var(medians)))


def weekday_median_moments(x: np.ndarray, layout: Layout, lags: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n, expected, scale) of each row against robust weekday baselines of the `lags` days before it.

    Rows are whole days in date order within each series (a complete spine) and
    `lags` is a whole number of weeks (k points per weekday). `expected` is the
    median of the same weekday's k points in the window; `scale` the median, over
    all the window's points, of their absolute residual around their own weekday's
    median, made consistent with a standard deviation and widened for the median's
    own error (robust_constants). An anomalous day is one of k points of its
    weekday and one of `lags` residuals, so it moves neither the median nor the
    scale that judge the days after it: a later incident cannot hide behind an
    earlier one. Vectorised over a (series x day x window) array: no loop over rows.
    """
    weeks = lags // 7
    matrix = np.full(layout.shape, np.nan)
    matrix.ravel()[layout.flat] = x
    rows, width = matrix.shape
    padded = np.concatenate([np.full((rows, lags + 7), np.nan), matrix], axis=1)

    def back(days: int) -> np.ndarray:
        """The matrix shifted `days` columns right (the value `days` days earlier), NaN before the start."""
        return padded[:, lags + 7 - days: lags + 7 - days + width]

    # Each column's weekday class over the k points ending at the column itself.
    same_weekday = np.stack([back(7 * i) for i in range(weeks)], axis=-1)
    # Sorting a class's points in place leaves the set of its residuals as it is.
    class_median = _sorted_median(same_weekday, in_place=True)
    residuals = np.abs(same_weekday - class_median[..., None])
    padded_residuals = np.concatenate([np.full((rows, 7, weeks), np.nan), residuals], axis=1)
    # The window of day t holds exactly the classes ending at t-1 .. t-7.
    window = np.concatenate([padded_residuals[:, 7 - j: 7 - j + width] for j in range(1, 8)], axis=-1)
    consistency, widening = robust_constants(weeks)
    expected = np.concatenate([np.full((rows, 7), np.nan), class_median], axis=1)[:, :width]
    with np.errstate(invalid="ignore"):
        scale = _sorted_median(window, in_place=True) / consistency * widening
    n = layout.trailing_sum((~np.isnan(x)).astype(np.float64), lags)
    expected, scale = expected.ravel()[layout.flat], scale.ravel()[layout.flat]
    return n.round().astype(np.int64), expected, np.where(np.isnan(expected), np.nan, scale)


def _settled_runs(side: np.ndarray, layout: Layout, new_normal_days: int) -> np.ndarray:
    """Rows past the first `new_normal_days` of a run of consecutive equal non-zero `side` within a series."""
    index = np.arange(len(side))
    starts = (side != 0) & ((layout.position == 0) | (side != np.roll(side, 1)))
    run_start = np.maximum.accumulate(np.where(starts, index, 0))
    return (side != 0) & (index - run_start >= new_normal_days)


def settled(value: np.ndarray, expected: np.ndarray, scale: np.ndarray, layout: Layout, limits: Limits) -> np.ndarray:
    """Rows past the first `limits.new_normal_days` days of a run of consecutive same-direction
    outliers: a level shift that has lasted that long is the series' new normal, not news.

    A day that is not an outlier, or is one in the other direction, ends the run.
    """
    return _settled_runs(outliers(value, expected, scale, limits), layout, limits.new_normal_days)


def outliers(value: np.ndarray, expected: np.ndarray, scale: np.ndarray, limits: Limits) -> np.ndarray:
    """-1 / +1 where the value is a drop / spike at or beyond the threshold (the scale floored as in detect._z), else 0."""
    floored = np.maximum(np.nan_to_num(scale, nan=np.inf), np.maximum(limits.min_relative_scale * np.abs(expected), SCALE_EPSILON))
    with np.errstate(invalid="ignore"):
        z = (value - expected) / floored
    return np.where(np.abs(z) >= limits.threshold, np.sign(z), 0.0)


def robust_profile_moments(x: np.ndarray, layout: Layout, weekday: np.ndarray, lags: int, limits: Limits) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """weekday_profile_moments over the series without its outliers: an anomalous day widens no band.

    A robust pre-pass (weekday_median_moments, which no earlier anomaly moves)
    marks each day beyond the threshold; those days are left out of every
    baseline, and the profile's mean and pooled stddev are computed on the rest,
    so the days after an incident are judged against the normal days only. The
    first `new_normal_days` of a run of outliers are left out; from then on the
    run is a new normal (`settled`) and its days enter the baselines, which so
    follow a persisting level shift. Two vectorised passes, no loop over rows.
    """
    _, expected, scale = weekday_median_moments(x, layout, lags)
    side = outliers(x, expected, scale, limits)
    excluded = (side != 0) & ~_settled_runs(side, layout, limits.new_normal_days)
    return weekday_profile_moments(np.where(excluded, np.nan, x), layout, weekday, lags)


def _codes(column: pa.ChunkedArray) -> np.ndarray:
    """Integer codes of a column, nulls included (as -1), so equal values get equal codes."""
    return column.combine_chunks().dictionary_encode().indices.fill_null(-1).to_numpy(zero_copy_only=False)


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    return column.to_numpy().astype(np.float64)  # nulls arrive as NaN


def score_bucket(
    table: pa.Table, series_keys: Sequence[str], date: str, metrics: Sequence[str], lags: int,
    weekday_profile: bool = False, robust: bool = False, limits: Mapping[str, Limits] | None = None,
) -> pa.Table:
    """One bucket of segment-day rows -> keys, baseline_volume and value/expected/scale/n_points per metric,
    plus settled__<metric> (the new-normal rule, `settled`) for each metric `limits` holds.

    `robust` with `weekday_profile`: the weekday profile without the outliers of a robust
    pre-pass (robust_profile_moments; `limits` must then hold every metric).

    Arrow in, Arrow out (Spark's applyInArrow): no pandas frames are built; rows are
    ordered by integer codes of the series keys, then by date, with one lexsort.
    """
    codes = [_codes(table.column(k)) for k in series_keys]
    days = table.column(date).cast(pa.int32()).to_numpy()
    order = np.lexsort([days, *reversed(codes)])
    # One id per series: the sorted rows' key codes change exactly where a new series begins.
    changes = np.zeros(table.num_rows, dtype=bool)
    for key_codes in codes:
        ordered = key_codes[order]
        changes[1:] |= ordered[1:] != ordered[:-1]
    layout = Layout(np.cumsum(changes))
    volume_n, volume_mean, _ = trailing_moments(_floats(table.column("volume"))[order], layout, lags)
    out = {"baseline_volume": np.where(volume_n > 0, volume_mean, np.nan)}
    weekday = (days[order] % 7).astype(np.int64)
    for m in metrics:
        value = layout.from_first_nonzero(_floats(table.column(m))[order])
        if weekday_profile and robust:
            n, mean, stddev = robust_profile_moments(value, layout, weekday, lags, limits[m])
        elif weekday_profile:
            n, mean, stddev = weekday_profile_moments(value, layout, weekday, lags)
        else:
            n, mean, stddev = trailing_moments(value, layout, lags)
        out.update({f"value__{m}": value, f"expected__{m}": mean, f"scale__{m}": stddev, f"n_points__{m}": n})
        if limits and m in limits:
            out[f"settled__{m}"] = settled(value, mean, stddev, layout, limits[m])
    kept = table.select([name for name in table.column_names if name not in ("volume", *metrics)]).take(order)
    for name, values in out.items():
        kept = kept.append_column(name, pa.array(values, from_pandas=True))
    return kept
