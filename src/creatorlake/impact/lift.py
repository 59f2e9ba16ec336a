"""One estimate row, and the conversion of a regression coefficient to the estimand's scale."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from scipy import stats

Z95 = stats.norm.ppf(0.975)

# How a coefficient maps to the estimand:
#   level      outcome in levels, coefficient b per unit of treatment intensity: relative lift b / (mean untreated outcome)
#   log        outcome in logs: relative lift exp(b) - 1
#   difference the coefficient is the estimand (a difference of growth rates, log points per week)
SCALES = ("level", "log", "difference")


@dataclass(frozen=True)
class Estimate:
    feature: str
    outcome: str
    method: str
    estimand: str
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float
    n_treated: int
    n_control: int
    n_obs: int
    pre_trend_p_value: float | None
    is_causal: bool

    def row(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Coefficient:
    """A fitted treatment coefficient and what the conversion needs: the treated rows' mean outcome and intensity."""

    b: float
    se: float
    p_value: float
    treated_mean: float = float("nan")
    treated_intensity: float = 1.0


def relative_lift(c: Coefficient, scale: str) -> tuple[float, float, float, float]:
    """(estimate, std_error, ci_low, ci_high) on the estimand's scale, by the delta method.

    level: the treated rows' outcome is y = y0 * (1 + lift * s) at intensity s, so b = lift * mean(y0) and
    mean(y0) = treated_mean - b * treated_intensity; lift = b / mean(y0).
    """
    if scale == "log":
        est = math.expm1(c.b)
        return est, math.exp(c.b) * c.se, math.expm1(c.b - Z95 * c.se), math.expm1(c.b + Z95 * c.se)
    if scale == "difference":
        return c.b, c.se, c.b - Z95 * c.se, c.b + Z95 * c.se
    if scale != "level":
        raise ValueError(f"unknown scale {scale!r}")
    baseline = c.treated_mean - c.b * c.treated_intensity
    if not baseline > 0:
        return float("nan"), float("nan"), float("nan"), float("nan")
    est = c.b / baseline
    se = c.se * c.treated_mean / baseline**2
    return est, se, est - Z95 * se, est + Z95 * se


def scale_event_coefficient(b: float, se: float, scale: str, baseline: float) -> tuple[float, float, float]:
    """An event-study coefficient as (estimate, ci_low, ci_high) on the estimand's scale (level: / the untreated mean)."""
    if scale == "log":
        return math.expm1(b), math.expm1(b - Z95 * se), math.expm1(b + Z95 * se)
    if scale == "difference":
        return b, b - Z95 * se, b + Z95 * se
    return b / baseline, (b - Z95 * se) / baseline, (b + Z95 * se) / baseline


def make_estimate(feature: str, outcome: str, method: str, estimand: str, c: Coefficient, scale: str, *,
                  n_treated: int, n_control: int, n_obs: int, is_causal: bool, pre_trend_p_value: float | None = None) -> Estimate:
    est, se, lo, hi = relative_lift(c, scale)
    return Estimate(feature, outcome, method, estimand, est, se, lo, hi, float(c.p_value), int(n_treated), int(n_control),
                    int(n_obs), pre_trend_p_value, is_causal)
