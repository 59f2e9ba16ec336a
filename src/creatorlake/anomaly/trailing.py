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


def group_starts(group_ids: np.ndarray) -> np.ndarray:
    """For rows sorted by group: the index of the first row of each row's group."""
    index = np.arange(len(group_ids))
    is_first = np.ones(len(group_ids), dtype=bool)
    is_first[1:] = group_ids[1:] != group_ids[:-1]
    return np.maximum.accumulate(np.where(is_first, index, 0))


def _prefix(x: np.ndarray) -> np.ndarray:
    """prefix[i] = x[0] + ... + x[i - 1] (so prefix[0] = 0 and len(prefix) = len(x) + 1)."""
    out = np.zeros(len(x) + 1)
    np.cumsum(x, out=out[1:])
    return out


class Layout:
    """Rows sorted by group, placed in a (groups x longest group + 1) matrix, one group per row.

    Prefix sums along a matrix row restart at every group, so one series' sums never
    carry another's rounding; column 0 stays zero (the empty prefix).
    """

    def __init__(self, starts: np.ndarray):
        position = np.arange(len(starts)) - starts
        self.group = np.cumsum(position == 0) - 1
        self.position = position
        self.shape = (int(self.group[-1]) + 1 if len(starts) else 0, int(position.max(initial=0)) + 2)
        self.flat = self.group * self.shape[1] + position + 1

    def prefix(self, x: np.ndarray) -> np.ndarray:
        matrix = np.zeros(self.shape)
        matrix.ravel()[self.flat] = x
        return np.cumsum(matrix, axis=1, out=matrix).ravel()

    def trailing_sum(self, x: np.ndarray, lags: int) -> np.ndarray:
        """Sum of x over the `lags` rows before each row within its group; the row itself never counts."""
        prefix = self.prefix(x)
        row_start = self.flat - self.position - 1
        return prefix[self.flat - 1] - prefix[row_start + np.maximum(self.position - lags, 0)]


def from_first_nonzero(x: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """x with NaN before each group's first non-zero value: a series starts when it first has activity."""
    active = ~np.isnan(x) & (x != 0)
    seen = _prefix(active.astype(np.float64))
    index = np.arange(len(x))
    return np.where(seen[index + 1] - seen[starts] > 0, x, np.nan)


def _first_present(present: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Index of the first present value of each row's group (any index of the group when none is)."""
    index = np.arange(len(present))
    next_present = np.minimum.accumulate(np.where(present, index, len(present))[::-1])[::-1]
    first = np.minimum(next_present[starts], len(present) - 1)
    return np.where(starts[first] == starts, first, starts)


def trailing_moments(x: np.ndarray, starts: np.ndarray, lags: int, layout: Layout | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n, mean, sample stddev) of the non-null values among the `lags` rows before each row.

    mean is NaN when n = 0 and stddev NaN when n < 2. Values are first shifted by their
    group's first value, so sums of squares keep their precision on large values and a
    flat window gives exactly its value and a zero stddev.
    """
    present = ~np.isnan(x)
    centre = np.nan_to_num(x[_first_present(present, starts)], nan=0.0)
    d = np.where(present, x - centre, 0.0)
    layout = layout or Layout(starts)
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
    changes = np.zeros(table.num_rows, dtype=bool)
    changes[:1] = True
    for key_codes in codes:
        ordered = key_codes[order]
        changes[1:] |= ordered[1:] != ordered[:-1]
    starts = group_starts(np.cumsum(changes))
    layout = Layout(starts)
    volume_n, volume_mean, _ = trailing_moments(_floats(table.column("volume"))[order], starts, lags, layout)
    out = {"baseline_volume": np.where(volume_n > 0, volume_mean, np.nan)}
    for m in metrics:
        value = from_first_nonzero(_floats(table.column(m))[order], starts)
        n, mean, stddev = trailing_moments(value, starts, lags, layout)
        out.update({f"value__{m}": value, f"expected__{m}": mean, f"scale__{m}": stddev, f"n_points__{m}": n})
    kept = table.select([name for name in table.column_names if name not in ("volume", *metrics)]).take(order)
    for name, values in out.items():
        kept = kept.append_column(name, pa.array(values, from_pandas=True))
    return kept
