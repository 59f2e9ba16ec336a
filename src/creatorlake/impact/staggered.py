"""Creator-week estimators of a staggered adoption: naive comparison, TWFE and did2s (with its event study).

did2s is Gardner's two-stage imputation estimator (pyfixest.did2s): creator and week effects are fitted on
untreated creator-weeks only (never-adopters, not-yet adopters and pre-adoption weeks), so already-treated
creators never act as controls and the estimate stays unbiased when effects differ across adoption cohorts
or grow with time since adoption, the case where TWFE's implicit weights go wrong.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyfixest as pf
from scipy import stats

from creatorlake.impact.lift import Coefficient, scale_event_coefficient
from creatorlake.impact.panel import EVENT_WINDOW, event_time

CLUSTER = {"CRV1": "unit"}


def _treated_stats(df: pd.DataFrame) -> tuple[float, float]:
    treated = df[df["treated"]]
    return float(treated["y"].mean()), float(treated["d"].mean())


def _coefficient(fit, name: str, df: pd.DataFrame) -> Coefficient:
    mean, intensity = _treated_stats(df)
    return Coefficient(float(fit.coef()[name]), float(fit.se()[name]), float(fit.pvalue()[name]), mean, intensity)


def naive(df: pd.DataFrame) -> Coefficient:
    """Treated creator-weeks (after adoption) against every other creator-week, no controls: the naive answer."""
    data = df.assign(post=df["treated"].astype(float))
    fit = pf.feols("y ~ post", data=data, vcov=CLUSTER)
    mean = float(data.loc[data["treated"], "y"].mean())
    return Coefficient(float(fit.coef()["post"]), float(fit.se()["post"]), float(fit.pvalue()["post"]), mean, 1.0)


def twfe(df: pd.DataFrame) -> Coefficient:
    """Two-way fixed effects on the treatment intensity, creator-clustered standard errors."""
    # One absorbed fixed effect, the weeks as dummies (the same fit): pyfixest orders several absorbed
    # effects through a set of their names, so their demeaning order, and the last digits, would
    # change with each process's string-hash seed, and a rerun would not write the same table.
    fit = pf.feols("y ~ d + C(t) | unit", data=df, vcov=CLUSTER)
    return _coefficient(fit, "d", df)


def did2s(df: pd.DataFrame) -> Coefficient:
    """Overall effect per unit of treatment intensity by two-stage DiD, creator-clustered."""
    data = df.assign(treat=df["treated"].astype(int))
    fit = pf.did2s(data, yname="y", first_stage="~ 0 | unit + t", second_stage="~ d", treatment="treat", cluster="unit")
    return _coefficient(fit, "d", df)


def _event_of(name: str) -> int | None:
    m = re.search(r"(-?\d+)(?:\.0)?\]?$", name)
    return int(m.group(1)) if m else None


def did2s_event_study(df: pd.DataFrame, scale: str, baseline: float, window: int = EVENT_WINDOW) -> tuple[pd.DataFrame, float]:
    """Event-study estimates for weeks -window..+window (reference -1, end weeks binned) on the estimand's
    scale, and the p-value of the joint Wald test that every pre-adoption week (-window..-2) is zero."""
    data = df.assign(treat=df["treated"].astype(int), rel=event_time(df, window).astype(float))
    fit = pf.did2s(data, yname="y", first_stage="~ 0 | unit + t", second_stage="~ i(rel, ref=-1.0)", treatment="treat", cluster="unit")
    coef, se = fit.coef(), fit.se()
    vcov = pd.DataFrame(np.asarray(fit._vcov), index=coef.index, columns=coef.index)
    rows = [{"event_week": -1, "estimate": 0.0, "ci_low": 0.0, "ci_high": 0.0}]
    pre = []
    for name in coef.index:
        k = _event_of(name)
        if k is None or not -window <= k <= window:
            continue
        est, lo, hi = scale_event_coefficient(float(coef[name]), float(se[name]), scale, baseline)
        rows.append({"event_week": k, "estimate": est, "ci_low": lo, "ci_high": hi})
        if k <= -2:
            pre.append(name)
    pre_p = float("nan")
    if pre:
        b = coef[pre].to_numpy()
        v = vcov.loc[pre, pre].to_numpy()
        wald = float(b @ np.linalg.pinv(v) @ b)
        pre_p = float(stats.chi2.sf(wald, df=len(pre)))
    return pd.DataFrame(rows).sort_values("event_week").reset_index(drop=True), pre_p


def counts(df: pd.DataFrame) -> tuple[int, int, int]:
    """(treated creators, never-treated creators, creator-weeks) of a design."""
    treated = df.loc[df["treated"], "unit"].nunique()
    never = df.loc[df["G"].isna(), "unit"].nunique()
    return int(treated), int(never), int(len(df))
