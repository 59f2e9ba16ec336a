"""The creator-week panel as the estimators read it: week index, cohort, event time, outcome, checks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from creatorlake.core.errors import CreatorLakeError

EVENT_WINDOW = 8  # event study weeks -8 .. +8; the end bins hold everything beyond


@dataclass(frozen=True)
class Design:
    """One (outcome, treatment) question over a long panel with columns unit, t, y, d (intensity), G (cohort week or NaN)."""

    data: pd.DataFrame
    outcome: str
    scale: str


def week_index(weeks: pd.Series) -> tuple[pd.Series, pd.Timestamp]:
    first = pd.to_datetime(weeks).min()
    return ((pd.to_datetime(weeks) - first).dt.days // 7).astype(int), first


def cohort_index(adoption_week: pd.Series, first: pd.Timestamp) -> pd.Series:
    """The week index of adoption (NaN if never)."""
    return (pd.to_datetime(adoption_week) - first).dt.days / 7.0


def complete_weeks(panel: pd.DataFrame) -> pd.DataFrame:
    """Drop the window's last week: it is partial, and its first listens cannot show a full 7-day return."""
    last = panel["week_start_date"].max()
    return panel[panel["week_start_date"] < last]


MIN_UNTREATED_WEEKS = 2


def drop_always_treated(df: pd.DataFrame, min_untreated: int = MIN_UNTREATED_WEEKS) -> pd.DataFrame:
    """Units with fewer than `min_untreated` untreated weeks have no before to compare with (and a single
    untreated week would be a singleton creator effect in the untreated-only fit)."""
    untreated = (~df["treated"]).groupby(df["unit"]).transform("sum")
    return df[untreated >= min_untreated]


def event_time(df: pd.DataFrame, window: int = EVENT_WINDOW) -> pd.Series:
    """Weeks since adoption, binned at +-window; never-treated units sit in the reference week -1."""
    rel = (df["t"] - df["G"]).clip(-window, window)
    return rel.fillna(-1).astype(int)


class NotEstimable(CreatorLakeError):
    """The data cannot answer one estimate (too few treated creators, no variance): that estimate is skipped."""


def check_design(df: pd.DataFrame, feature: str, outcome: str, min_treated: int) -> None:
    """One-line errors for inputs no estimator can answer."""
    if df.empty:
        raise NotEstimable(f"{feature}: no creator-week with a defined {outcome}")
    if not np.isfinite(df["y"]).all():
        raise NotEstimable(f"{feature}: {outcome} has non-finite values")
    if df["y"].std(ddof=0) <= 1e-12 * max(1.0, abs(df["y"].mean())):
        raise NotEstimable(f"{feature}: outcome {outcome} has no variance (every creator-week is {df['y'].iloc[0]:g})")
    treated = df.loc[df["treated"], "unit"].nunique()
    if treated < min_treated:
        raise NotEstimable(f"{feature}: too few treated creators for {outcome} ({treated}, at least {min_treated} needed)")
    if df.loc[~df["treated"], "unit"].nunique() < min_treated:
        raise NotEstimable(f"{feature}: too few untreated creators for {outcome}")
