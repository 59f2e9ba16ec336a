"""The three feature questions on the collected panels: designs, estimators, result frames."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyfixest as pf
from scipy import stats

from creatorlake.core.errors import CreatorLakeError
from creatorlake.impact import matching, staggered
from creatorlake.impact.lift import Coefficient, Estimate, Z95, make_estimate
from creatorlake.impact.panel import NotEstimable, check_design, cohort_index, complete_weeks, drop_always_treated, week_index

ESTIMANDS = {
    ("comments", "return_rate_7d"): "relative lift of the 7-day return rate of first listens on comments-enabled episodes",
    ("comments", "follows_per_1k_listens"): "relative lift of follows per 1,000 listens on comments-enabled episodes",
    ("comments", "listens"): "relative lift of a creator's weekly listens with all its listens on comments-enabled episodes",
    ("analytics", "creator_growth"): "change of a creator's week-over-week log growth of listens after adopting Creator Analytics (log points per week)",
    ("partner_program", "ad_revenue_usd"): "relative lift of an active Partner Program creator's weekly ad revenue",
    ("partner_program", "creator_revenue_usd"): "relative lift of an active Partner Program creator's weekly creator revenue (all streams, payouts included)",
}
# (outcome, scale): rates in levels (parallel trends hold in levels), volumes in logs.
COMMENTS_OUTCOMES = (("return_rate_7d", "level"), ("follows_per_1k_listens", "level"), ("listens", "log"))


@dataclass(frozen=True)
class ImpactOptions:
    min_treated: int = 5
    psm_pre_weeks: int = 4
    psm_post_weeks: tuple[int, int] = (2, 5)     # weeks after adoption averaged as "after" (share of comments-on listens has ramped up)
    caliper: float = matching.CALIPER                                  # propensity caliper, SDs of the logit
    psm_controls_per_treated: int = matching.CONTROLS_PER_TREATED      # k of k:1 matching, with replacement
    partner_horizon_weeks: int = 12


@dataclass
class Results:
    estimates: list[Estimate] = field(default_factory=list)
    event_study: list[pd.DataFrame] = field(default_factory=list)
    balance: list[pd.DataFrame] = field(default_factory=list)
    trajectory: pd.DataFrame | None = None
    # "what: why" of every estimate the data could not answer
    skipped: list[str] = field(default_factory=list)

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every result table; an empty frame where nothing of it could be estimated."""
        return {
            "feature_impact": pd.DataFrame([e.row() for e in self.estimates]),
            "feature_impact_event_study": pd.concat(self.event_study, ignore_index=True) if self.event_study else pd.DataFrame(),
            "feature_impact_balance": pd.concat(self.balance, ignore_index=True) if self.balance else pd.DataFrame(),
            "partner_cohort_trajectory": self.trajectory if self.trajectory is not None else pd.DataFrame(),
        }

    def attempt(self, block, *args, **kwargs) -> None:
        """Run one estimation block; if the data cannot answer it, record why and keep none of its rows."""
        sizes = len(self.estimates), len(self.event_study), len(self.balance)
        try:
            block(self, *args, **kwargs)
        except NotEstimable as exc:
            del self.estimates[sizes[0]:], self.event_study[sizes[1]:], self.balance[sizes[2]:]
            self.skipped.append(str(exc))


def prepare(panel: pd.DataFrame) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Week index t, creator as unit, cohorts of the three features as week indices."""
    p = complete_weeks(panel.copy())
    p["week_start_date"] = pd.to_datetime(p["week_start_date"])
    p["t"], first = week_index(p["week_start_date"])
    p["unit"] = p["creator_id"]
    for source, target in (("comments_adoption_week", "G_comments"), ("analytics_adoption_week", "G_analytics"),
                           ("partner_active_week", "G_partner"), ("partner_eligible_week", "E_partner")):
        p[target] = cohort_index(p[source], first)
    return p.sort_values(["unit", "t"]).reset_index(drop=True), first


def outcome_column(p: pd.DataFrame, outcome: str) -> pd.Series:
    if outcome == "return_rate_7d":
        return p["return_rate_7d"].where(p["first_listens"] > 0)
    if outcome == "follows_per_1k_listens":
        return (1000.0 * p["follows"] / p["listens"]).where(p["listens"] > 0)
    if outcome == "listens":
        return np.log(p["listens"].where(p["listens"] > 0))
    if outcome == "creator_growth":
        log_listens = np.log(p["listens"].where(p["listens"] > 0))
        return log_listens - log_listens.groupby(p["unit"]).shift(1)
    return p[outcome].astype(float)


def design(p: pd.DataFrame, feature: str, outcome: str, cohort: str, intensity: str | None, opts: ImpactOptions) -> pd.DataFrame:
    df = p.assign(y=outcome_column(p, outcome).astype(float), G=p[cohort])
    df["treated"] = df["G"].notna() & (df["t"] >= df["G"])
    df["d"] = df[intensity].fillna(0.0).astype(float) if intensity else df["treated"].astype(float)
    df["size"] = df["listens"].astype(float)
    df = df[df["y"].notna()]
    check_design(df, feature, outcome, opts.min_treated)
    return df


def _estimate(feature, outcome, method, c, scale, df, causal, pre_p=None) -> Estimate:
    n_t, n_c, n = staggered.counts(df)
    return make_estimate(feature, outcome, method, ESTIMANDS[(feature, outcome)], c, scale, n_treated=n_t, n_control=n_c,
                         n_obs=n, is_causal=causal, pre_trend_p_value=pre_p)


def staggered_block(res: Results, feature: str, outcome: str, scale: str, df: pd.DataFrame, *, naive_method: str | None) -> None:
    """naive (on every creator-week), twfe and did2s with its event study (on creators with untreated weeks)."""
    if naive_method:
        res.estimates.append(_estimate(feature, outcome, naive_method, staggered.naive(df), scale, df, False))
    core = drop_always_treated(df)
    check_design(core, feature, outcome, 2)
    res.estimates.append(_estimate(feature, outcome, "twfe", staggered.twfe(core), scale, core, True))
    c = staggered.did2s(core)
    baseline = c.treated_mean - c.b * c.treated_intensity
    es, pre_p = staggered.did2s_event_study(core, scale, baseline)
    res.estimates.append(_estimate(feature, outcome, "did2s", c, scale, core, True, pre_p))
    res.event_study.append(es.assign(feature=feature, outcome=outcome, method="did2s"))


def units_of(p: pd.DataFrame, cohort: str, eligible: str | None = None) -> pd.DataFrame:
    cols = {"unit": "first", "creator_tier": "first", "category": "first", "country_code": "first", cohort: "first"}
    if eligible:
        cols[eligible] = "first"
    u = p.groupby("unit", as_index=False).agg({k: v for k, v in cols.items() if k != "unit"})
    u = u.rename(columns={cohort: "G", **({eligible: "eligible_t"} if eligible else {})})
    return u


def psm_block(res: Results, feature: str, outcome: str, scale: str, df: pd.DataFrame, units: pd.DataFrame, opts: ImpactOptions,
              horizon: int, post: tuple[int, int]) -> matching.Matched:
    stacked = matching.stack(df, units, pre=opts.psm_pre_weeks, post=post, horizon=horizon)
    if stacked.empty or stacked["treated"].sum() < opts.min_treated or (~stacked["treated"]).sum() < opts.min_treated:
        raise NotEstimable(f"{feature}: too few treated or clean control creators to match on {outcome}")
    try:
        m = matching.match(stacked, opts.caliper, opts.psm_controls_per_treated)
    except NotEstimable as exc:
        raise NotEstimable(f"{feature}: {exc} on {outcome}") from exc
    if m.n_treated < opts.min_treated:
        raise NotEstimable(f"{feature}: too few treated creators matched within the caliper on {outcome} ({m.n_treated})")
    res.estimates.append(make_estimate(feature, outcome, "psm", ESTIMANDS[(feature, outcome)], m.coefficient, scale,
                                       n_treated=m.n_treated, n_control=m.n_control, n_obs=m.n_obs, is_causal=True))
    res.balance.append(m.balance.assign(feature=feature, outcome=outcome))
    return m


def episode_fe(res: Results, episodes: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp, opts: ImpactOptions) -> None:
    """Comments-on vs comments-off episodes of the same creator, creator and publish-week fixed effects."""
    e = episodes.copy()
    e["publish_week"] = pd.to_datetime(e["publish_week"])
    e = e[(e["publish_week"] >= first) & (e["publish_week"] < last) & (e["listeners"] > 0)]
    e["unit"], e["d"] = e["creator_id"], e["has_comments_enabled"].astype(float)
    e["treated"] = e["has_comments_enabled"].astype(bool)
    outcomes = {
        "return_rate_7d": (e["returning_listeners_7d"] / e["listeners"], "level"),
        "follows_per_1k_listens": (1000.0 * e["follows"] / e["listens"], "level"),
        "listens": (np.log(e["listens"].where(e["listens"] > 0)), "log"),
    }
    for outcome, (y, scale) in outcomes.items():
        df = e.assign(y=y.astype(float)).dropna(subset=["y"])
        df = df.assign(G=np.nan, t=0)
        check_design(df, "comments", outcome, opts.min_treated)
        # One absorbed fixed effect, for the same reason as in staggered.twfe.
        fit = pf.feols("y ~ d + C(publish_week) | unit", data=df, vcov={"CRV1": "unit"})
        c = Coefficient(float(fit.coef()["d"]), float(fit.se()["d"]), float(fit.pvalue()["d"]), float(df.loc[df["treated"], "y"].mean()), 1.0)
        res.estimates.append(make_estimate("comments", outcome, "episode_fe", ESTIMANDS[("comments", outcome)], c, scale,
                                           n_treated=int(df["treated"].sum()), n_control=int((~df["treated"]).sum()),
                                           n_obs=len(df), is_causal=True))


def comments(res: Results, p: pd.DataFrame, episodes: pd.DataFrame, first: pd.Timestamp, opts: ImpactOptions) -> None:
    units = units_of(p, "G_comments")
    for outcome, scale in COMMENTS_OUTCOMES:
        df = design(p, "comments", outcome, "G_comments", "comments_enabled_listen_share", opts)
        res.attempt(staggered_block, "comments", outcome, scale, df, naive_method="naive")
        res.attempt(psm_block, "comments", outcome, scale, df, units, opts, horizon=opts.psm_post_weeks[1], post=opts.psm_post_weeks)
    res.attempt(episode_fe, episodes, first, p["week_start_date"].max(), opts)


def analytics(res: Results, p: pd.DataFrame, opts: ImpactOptions) -> None:
    feature, outcome = "analytics", "creator_growth"
    df = design(p, feature, outcome, "G_analytics", None, opts)
    # Association: adopters' mean weekly growth against non-adopters' (correlation of adoption and growth).
    per_unit = df.groupby("unit").agg(y=("y", "mean"), adopter=("G", lambda g: g.notna().any()), first_t=("t", "min"))
    per_unit["adopter"] |= per_unit.index.isin(df.loc[df["treated"], "unit"])
    r, p_r = stats.pearsonr(per_unit["adopter"].astype(float), per_unit["y"])
    diff = per_unit.loc[per_unit["adopter"], "y"].mean() - per_unit.loc[~per_unit["adopter"], "y"].mean()
    se = float(np.sqrt(per_unit.loc[per_unit["adopter"], "y"].var() / per_unit["adopter"].sum()
                       + per_unit.loc[~per_unit["adopter"], "y"].var() / (~per_unit["adopter"]).sum()))
    res.estimates.append(Estimate(feature, outcome, "association", ESTIMANDS[(feature, outcome)] + "; here adopters minus non-adopters, no controls",
                                  float(diff), se, float(diff - Z95 * se), float(diff + Z95 * se), float(p_r),
                                  int(per_unit["adopter"].sum()), int((~per_unit["adopter"]).sum()), len(df), None, False))
    # Lagged regression with controls: growth on last week's Analytics use, size and segment (still an association).
    lagged = df.assign(used_last_week=df.groupby("unit")["treated"].shift(1).astype(float).fillna(0.0),
                       log_listens_last_week=np.log(df.groupby("unit")["listens"].shift(1).where(lambda s: s > 0)))
    lagged = lagged.dropna(subset=["log_listens_last_week"])
    # One absorbed fixed effect, for the same reason as in staggered.twfe.
    fit = pf.feols("y ~ used_last_week + log_listens_last_week + C(creator_tier) + C(category) + C(country_code) | t", data=lagged, vcov={"CRV1": "unit"})
    c = Coefficient(float(fit.coef()["used_last_week"]), float(fit.se()["used_last_week"]), float(fit.pvalue()["used_last_week"]))
    res.estimates.append(_estimate(feature, outcome, "lagged_regression", c, "difference", lagged, False))
    # An attempt of its own: leaving out the weeks around adoption can leave too few adopters with weeks
    # before and after it, and the association estimates above still stand then.
    res.attempt(staggered_block, feature, outcome, "difference", with_growth_exposure(without_growth_through_week_before_adoption(df)),
                naive_method=None)


def without_growth_through_week_before_adoption(df: pd.DataFrame) -> pd.DataFrame:
    """The growth design without the two weeks whose growth involves the listens of the week before
    adoption: the growth into that week and into the adoption week.

    With creator effects, a creator's growth before adoption is (week before adoption - first week) /
    pre weeks in log listens and its growth after is (last week - week before adoption) / post weeks,
    so a dip in that one week's listens (an episode behind a paywall, a quiet week, a creator turning
    Analytics on after a bad week) reads as growth caused by Analytics, with a weight 1/pre + 1/post
    that is largest for the earliest adopters (in the generated worlds, adopters' listens in that week
    were about 7% below their usual: docs/feature-impact.md). Without these two weeks the before runs
    to two weeks before adoption and the after starts from the adoption week, so that week's level no
    longer enters. The adoption week's own growth goes too: the effect starts on the adoption day, so
    that week carries only part of a week's lift (a sixth with the day spread over the week)."""
    weeks_since = df["t"] - df["G"]
    return df[~weeks_since.between(-1, 0)]


# The share of a full week's lift in the growth of the week after the adoption week: the effect grows from
# the adoption day, so a week's log listens carry the lift times the week's mean weeks since that day,
# (1 - f)^2 / 2 in the adoption week and 1.5 - f in the next, f the day's place in its week; their
# difference 1 - f^2 / 2 is 5/6 on average over an adoption day spread evenly over the week.
WEEK_AFTER_ADOPTION_EXPOSURE = 5.0 / 6.0


def with_growth_exposure(df: pd.DataFrame) -> pd.DataFrame:
    """Treatment intensity d of the growth design: the share of a full week's lift each treated week's
    growth carries (WEEK_AFTER_ADOPTION_EXPOSURE in the week after the adoption week, 1 from then on),
    so the coefficient is the lift per full week."""
    week_after_adoption = df["t"] == df["G"] + 1
    return df.assign(d=np.where(week_after_adoption, WEEK_AFTER_ADOPTION_EXPOSURE, df["treated"].astype(float)))


def partner_program(res: Results, p: pd.DataFrame, opts: ImpactOptions) -> None:
    feature = "partner_program"
    units = units_of(p, "G_partner", "E_partner")
    first_matched: matching.Matched | None = None
    for outcome in ("ad_revenue_usd", "creator_revenue_usd"):
        df = design(p, feature, outcome, "G_partner", None, opts)
        # Eligible-but-not-yet-active creators are the comparison: drop creators never eligible.
        df = df[df["E_partner"].notna()]
        m = psm_block(res, feature, outcome, "level", df, units, opts, horizon=opts.partner_horizon_weeks, post=(1, 4))
        res.estimates[-1] = _rename_method(res.estimates[-1], "matched_did")
        first_matched = first_matched or m
    res.trajectory = cohort_trajectory(p, first_matched.pairs, opts.partner_horizon_weeks)


def _rename_method(e: Estimate, method: str) -> Estimate:
    row = e.row()
    row["method"] = method
    return Estimate(**row)


STREAMS = ("creator_revenue_usd", "ad_revenue_usd", "subscription_revenue_usd", "partner_payout_usd")


def cohort_trajectory(p: pd.DataFrame, pairs: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Per activation-month cohort and week 0..horizon after activation: creators and revenue per creator by
    stream, for the activated creators and for their nearest matched eligible-not-yet-active creator (at the
    same weeks): one control per activated creator, as `creators` counts creators."""
    activated = p[p["G_partner"].notna()]
    act = activated.groupby("unit")["partner_active_week"].first()
    cohort_month = pd.to_datetime(act).dt.to_period("M").dt.to_timestamp()
    g = activated.groupby("unit")["G_partner"].first()
    nearest = pairs[pairs["rank"] == 1]
    frames = []
    for group, members in (("activated", pd.DataFrame({"unit": g.index, "anchor": g.values, "treated_unit": g.index})),
                           ("matched_control", nearest.rename(columns={"control_unit": "unit", "cohort": "anchor"})[["unit", "anchor", "treated_unit"]])):
        x = p.merge(members, on="unit")
        x["weeks_since_activation"] = (x["t"] - x["anchor"]).astype(int)
        x = x[(x["weeks_since_activation"] >= 0) & (x["weeks_since_activation"] <= horizon)]
        x["cohort_month"] = x["treated_unit"].map(cohort_month)
        agg = x.groupby(["cohort_month", "weeks_since_activation"]).agg(
            creators=("unit", "size"), **{f"{s}_per_creator": (s, "mean") for s in STREAMS}).reset_index()
        frames.append(agg.assign(group=group))
    out = pd.concat(frames, ignore_index=True)
    for s in STREAMS:
        out[f"{s}_per_creator"] = out[f"{s}_per_creator"].astype(float).round(2)
    return out[["cohort_month", "group", "weeks_since_activation", "creators", *[f"{s}_per_creator" for s in STREAMS]]]


def estimate_all(panel: pd.DataFrame, episodes: pd.DataFrame, opts: ImpactOptions | None = None) -> Results:
    opts = opts or ImpactOptions()
    for column in ("creator_id", "week_start_date", "comments_adoption_week", "comments_enabled_listen_share", "listens"):
        if column not in panel:
            raise CreatorLakeError(f"creator-week panel lacks column {column}")
    # Rows in key order: the fits' floating-point sums follow row order down to the last digit, and
    # Spark returns a rebuilt table's rows in another order, so the same rows must give the same numbers.
    panel = panel.sort_values(["creator_id", "week_start_date"], kind="stable", ignore_index=True)
    if "episode_id" in episodes:
        episodes = episodes.sort_values("episode_id", kind="stable", ignore_index=True)
    p, first = prepare(panel)
    res = Results()
    comments(res, p, episodes, first, opts)
    res.attempt(analytics, p, opts)
    res.attempt(partner_program, p, opts)
    if not res.estimates:
        raise CreatorLakeError(f"no feature effect can be estimated from this lakehouse: {res.skipped[0]}")
    return res
