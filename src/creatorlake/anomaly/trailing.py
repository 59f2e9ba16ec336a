"""Trailing-window mean and standard deviation per series, vectorised in numpy.

The kernel of the mean/stddev baseline. Spark hands it whole buckets of series
(`applyInArrow` grouped by a hash bucket of the segment, so one call sees
thousands of series and per-call overhead vanishes); inside a bucket every
trailing sum is a difference of two prefix sums that restart at each series, O(1)
per point whatever the window.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pyarrow as pa


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


def _codes(column: pa.ChunkedArray) -> np.ndarray:
    """Integer codes of a column, nulls included (as -1), so equal values get equal codes."""
    return column.combine_chunks().dictionary_encode().indices.fill_null(-1).to_numpy(zero_copy_only=False)


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    return column.to_numpy().astype(np.float64)  # nulls arrive as NaN


def score_bucket(table: pa.Table, series_keys: Sequence[str], date: str, metrics: Sequence[str], lags: int, weekday_profile: bool = False) -> pa.Table:
    """One bucket of segment-day rows -> keys, baseline_volume and value/expected/scale/n_points per metric.

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
        if weekday_profile:
            n, mean, stddev = weekday_profile_moments(value, layout, weekday, lags)
        else:
            n, mean, stddev = trailing_moments(value, layout, lags)
        out.update({f"value__{m}": value, f"expected__{m}": mean, f"scale__{m}": stddev, f"n_points__{m}": n})
    kept = table.select([name for name in table.column_names if name not in ("volume", *metrics)]).take(order)
    for name, values in out.items():
        kept = kept.append_column(name, pa.array(values, from_pandas=True))
    return kept
