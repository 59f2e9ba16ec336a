"""STL residual baselines: statsmodels per series, run with `applyInPandas`.

For each day, STL (period 7, robust) is fitted on the trailing window only, so the
day never leaks into its own baseline: expected = last trend + the seasonal
component one week back; scale = stddev of the window's residuals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import types as T

from creatorlake.anomaly.schema import DATE, SEGMENT_KEYS

SERIES_KEYS = ("metric", *SEGMENT_KEYS)
PERIOD = 7

STL_SCHEMA = T.StructType(
    [
        T.StructField(DATE, T.DateType()),
        T.StructField("metric", T.StringType()),
        *[T.StructField(k, T.StringType()) for k in SEGMENT_KEYS],
        T.StructField("value", T.DoubleType()),
        T.StructField("expected", T.DoubleType()),
        T.StructField("scale", T.DoubleType()),
        T.StructField("n_points", T.LongType()),
        T.StructField("baseline_volume", T.DoubleType()),
    ]
)


def stl_baseline(history: np.ndarray) -> tuple[float, float] | None:
    """(expected next value, residual stddev) from an STL fit of `history` (NaN = gap)."""
    # Imported on use (in the executors' Python workers too): statsmodels is slow to import, and
    # only the STL baseline needs it.
    from statsmodels.tsa.seasonal import STL

    filled = pd.Series(history).interpolate(limit_direction="both").to_numpy()
    if np.isnan(filled).any() or len(filled) < 2 * PERIOD:
        return None
    fit = STL(filled, period=PERIOD, robust=True).fit()
    expected = float(fit.trend[-1] + fit.seasonal[-PERIOD])
    return expected, float(np.std(fit.resid, ddof=1))


def _score_series(lags: int, min_points: int):
    def score(pdf: pd.DataFrame) -> pd.DataFrame:
        pdf = pdf.sort_values(DATE).reset_index(drop=True)
        values = pdf["value"].astype("float64").to_numpy()
        nonzero = np.flatnonzero(np.nan_to_num(values, nan=0.0) != 0)
        if len(nonzero):
            values[: nonzero[0]] = np.nan  # new-segment rule: history starts at the first non-zero value
        else:
            values[:] = np.nan
        volume = pdf["volume"].astype("float64").to_numpy()
        expected = np.full(len(pdf), np.nan)
        scale = np.full(len(pdf), np.nan)
        n_points = np.zeros(len(pdf), dtype="int64")
        baseline_volume = np.full(len(pdf), np.nan)
        for i in range(len(pdf)):
            lo = max(0, i - lags)
            history = values[lo:i]
            n_points[i] = int(np.count_nonzero(~np.isnan(history)))
            if i > lo:
                baseline_volume[i] = np.nanmean(volume[lo:i]) if not np.isnan(volume[lo:i]).all() else np.nan
            if n_points[i] < min_points or np.isnan(values[i]):
                continue
            # Trim leading gaps so the fit starts at the series' first real point in the window.
            first = int(np.flatnonzero(~np.isnan(history))[0])
            fitted = stl_baseline(history[first:])
            if fitted is not None:
                expected[i], scale[i] = fitted
        out = pdf[[DATE, *SERIES_KEYS]].copy()
        out["value"] = values
        out["expected"] = expected
        out["scale"] = scale
        out["n_points"] = n_points
        out["baseline_volume"] = baseline_volume
        return out[[f.name for f in STL_SCHEMA.fields]]

    return score


def score_stl(long: DataFrame, lags: int, min_points: int) -> DataFrame:
    """Score each series with STL on its trailing `lags` days (statsmodels, per series)."""
    return long.groupBy(*SERIES_KEYS).applyInPandas(_score_series(lags, min_points), schema=STL_SCHEMA)
