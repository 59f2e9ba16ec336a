"""Propensity-score matched DiD on a staggered adoption, stacked by adoption cohort.

For each cohort (adoption week g) the treated creators are compared with creators not yet treated by
g + horizon (never-adopters included), on covariates measured in the `pre` weeks before g: size, segment,
the pre-period outcome and its trend. A logistic propensity model (scikit-learn) is matched 1:1 nearest
neighbour within cohort (on the continuous covariates, among the controls inside a caliper of `caliper`
standard deviations of the propensity logit), with replacement.
The effect is the matched difference of (post mean - pre mean) outcome changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from creatorlake.impact.lift import Coefficient
from creatorlake.impact.panel import NotEstimable


@dataclass(frozen=True)
class Matched:
    coefficient: Coefficient
    balance: pd.DataFrame        # covariate, smd_before, smd_after
    pairs: pd.DataFrame          # cohort, treated unit, control unit
    n_treated: int
    n_control: int
    n_obs: int


def _slope(y: np.ndarray) -> float:
    x = np.arange(len(y), dtype=float)
    return float(np.polyfit(x, y, 1)[0]) if len(y) >= 2 else 0.0


def stack(df: pd.DataFrame, units: pd.DataFrame, *, pre: int, post: tuple[int, int], horizon: int) -> pd.DataFrame:
    """One row per (cohort, candidate unit): treated flag, pre covariates, outcome change, post intensity.

    df: long panel (unit, t, y, d, G, size); units: one row per unit with categorical covariates and
    optionally `eligible_t` (a control must be eligible by the cohort week).
    """
    last_t = int(df["t"].max())
    wide_y = df.pivot(index="unit", columns="t", values="y")
    wide_d = df.pivot(index="unit", columns="t", values="d")
    wide_s = df.pivot(index="unit", columns="t", values="size")
    G = units.set_index("unit")["G"]
    eligible = units.set_index("unit")["eligible_t"] if "eligible_t" in units else pd.Series(-np.inf, index=G.index)
    rows = []
    for g in sorted(G.dropna().unique()):
        g = int(g)
        if g - pre < 0 or g + post[1] > last_t:
            continue
        pre_cols, post_cols = list(range(g - pre, g)), list(range(g + post[0], g + post[1] + 1))
        treated = G.index[G == g]
        clean = G.index[(G.isna() | (G > g + horizon)) & (eligible.reindex(G.index).fillna(np.inf) <= g)]
        for flag, members in ((True, treated), (False, clean)):
            y_pre = wide_y.loc[members, pre_cols]
            y_post = wide_y.loc[members, post_cols]
            ok = y_pre.notna().all(axis=1) & y_post.notna().all(axis=1)
            for unit in y_pre.index[ok]:
                pre_y = y_pre.loc[unit].to_numpy(float)
                rows.append({
                    "cohort": g, "unit": unit, "treated": flag,
                    "pre_outcome": pre_y.mean(), "pre_trend": _slope(pre_y),
                    "log_size": float(np.log1p(wide_s.loc[unit, pre_cols].mean())),
                    "post_outcome": float(y_post.loc[unit].mean()),
                    "change": float(y_post.loc[unit].mean() - pre_y.mean()),
                    "post_intensity": float(wide_d.loc[unit, post_cols].mean()),
                })
    stacked = pd.DataFrame(rows)
    if stacked.empty:
        return stacked
    cats = [c for c in ("creator_tier", "category", "country_code") if c in units]
    return stacked.merge(units[["unit", *cats]], on="unit", how="left")


NUMERIC = ("log_size", "pre_outcome", "pre_trend")


def covariate_matrix(stacked: pd.DataFrame) -> pd.DataFrame:
    numeric = stacked[list(NUMERIC)]
    cats = [c for c in ("creator_tier", "category", "country_code") if c in stacked]
    dummies = pd.get_dummies(stacked[cats].astype(str), prefix=cats, dtype=float) if cats else pd.DataFrame(index=stacked.index)
    return pd.concat([numeric, dummies], axis=1)


def smd(x: pd.DataFrame, treated: np.ndarray, weights: np.ndarray | None = None) -> pd.Series:
    """Standardized mean differences (treated - control) / pooled SD of the unmatched groups."""
    w = np.ones(len(x)) if weights is None else weights
    t, c = treated, ~treated
    mean_t = np.average(x[t], axis=0, weights=w[t])
    mean_c = np.average(x[c], axis=0, weights=w[c])
    return pd.Series(mean_t - mean_c, index=x.columns)


def match(stacked: pd.DataFrame, caliper: float = 0.2) -> Matched:
    x = covariate_matrix(stacked)
    treated = stacked["treated"].to_numpy(bool)
    cohorts = pd.get_dummies(stacked["cohort"].astype(str), prefix="cohort", dtype=float)
    features = StandardScaler().fit_transform(pd.concat([x, cohorts], axis=1).to_numpy(float))
    model = LogisticRegression(max_iter=2000, C=1.0).fit(features, treated)
    p = np.clip(model.predict_proba(features)[:, 1], 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p))
    width = caliper * float(np.std(logit))
    # Inside the propensity caliper, the nearest control on the standardized continuous covariates
    # (a propensity score alone balances them only on average, and poorly with few controls per cohort).
    numeric = StandardScaler().fit_transform(stacked[list(NUMERIC)].to_numpy(float))
    pairs = []
    for g in stacked["cohort"].unique():
        in_cohort = (stacked["cohort"] == g).to_numpy()
        t_pos = np.flatnonzero(in_cohort & treated)
        c_pos = np.flatnonzero(in_cohort & ~treated)
        if len(c_pos) == 0:
            continue
        for i in t_pos:
            inside = np.abs(logit[c_pos] - logit[i]) <= width
            if not inside.any():
                continue
            candidates = c_pos[inside]
            j = candidates[int(np.argmin(((numeric[candidates] - numeric[i]) ** 2).sum(axis=1)))]
            pairs.append((g, stacked.index[i], stacked.index[j]))
    pair_frame = pd.DataFrame(pairs, columns=["cohort", "treated_row", "control_row"])
    pooled_sd = np.sqrt((x[treated].var(ddof=0) + x[~treated].var(ddof=0)) / 2).replace(0, np.nan)
    before = smd(x, treated) / pooled_sd
    weights = np.zeros(len(stacked))
    for column in ("treated_row", "control_row"):
        counts = pair_frame[column].value_counts()
        weights[stacked.index.get_indexer(counts.index)] += counts.to_numpy()
    used = weights > 0
    after = smd(x[used], treated[used], weights[used]) / pooled_sd
    balance = pd.DataFrame({"covariate": x.columns, "smd_before": before.to_numpy(), "smd_after": after.to_numpy()})
    balance = balance[pooled_sd.notna().to_numpy()]
    if used.sum() <= 2:
        # One matched pair (or none) leaves no degree of freedom: the clustered covariance would divide by zero.
        raise NotEstimable(f"too few creators matched within the caliper ({int(used.sum())})")
    sample = stacked[used].assign(w=weights[used], treat=treated[used].astype(float))
    fit = sm.WLS(sample["change"], sm.add_constant(sample[["treat"]]), weights=sample["w"]).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(sample["unit"])[0]})
    att, se = float(fit.params["treat"]), float(fit.bse["treat"])
    treated_sample = sample[sample["treated"]]
    intensity = float(np.average(treated_sample["post_intensity"], weights=treated_sample["w"]))
    mean_post = float(np.average(treated_sample["post_outcome"], weights=treated_sample["w"]))
    # The matched change is the effect at the post weeks' intensity; per unit of intensity it is att / intensity.
    per_unit = att / intensity if intensity > 0 else float("nan")
    coefficient = Coefficient(per_unit, se / intensity if intensity > 0 else float("nan"), float(fit.pvalues["treat"]), mean_post, intensity)
    named = pair_frame.assign(treated_unit=stacked.loc[pair_frame["treated_row"], "unit"].to_numpy(),
                              control_unit=stacked.loc[pair_frame["control_row"], "unit"].to_numpy())
    return Matched(coefficient, balance.reset_index(drop=True), named[["cohort", "treated_unit", "control_unit"]],
                   int(treated_sample["unit"].nunique()), int(sample.loc[~sample["treated"], "unit"].nunique()), int(len(sample)))
