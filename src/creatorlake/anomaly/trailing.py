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


def _codes(column: pa.ChunkedArray) -> np.ndarray:
    """Integer codes of a column, nulls included (as -1), so equal values get equal codes."""
    return column.combine_chunks().dictionary_encode().indices.fill_null(-1).to_numpy(zero_copy_only=False)


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    return column.to_numpy().astype(np.float64)  # nulls arrive as NaN


def score_bucket(table: pa.Table, series_keys: Sequence[str], date: str, metrics: Sequence[str], lags: int) -> pa.Table:
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
    for m in metrics:
        value = layout.from_first_nonzero(_floats(table.column(m))[order])
        n, mean, stddev = trailing_moments(value, layout, lags)
        out.update({f"value__{m}": value, f"expected__{m}": mean, f"scale__{m}": stddev, f"n_points__{m}": n})
    kept = table.select([name for name in table.column_names if name not in ("volume", *metrics)]).take(order)
    for name, values in out.items():
        kept = kept.append_column(name, pa.array(values, from_pandas=True))
    return kept
