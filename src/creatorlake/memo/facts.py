"""Memo facts: every number the memo prints, computed from collected gold frames, each with its source table.

Pure pandas: the command collects small aggregates of the gold tables (`creatorlake.memo.collect`) and
this module turns them into `MemoFacts`; rendering only formats what is here, so a number in the memo
is always one of these values.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import pandas as pd

from creatorlake.core.errors import CreatorLakeError
from creatorlake.metrics.catalog import BY_NAME

WEEK = dt.timedelta(days=7)
# The counts of the Comments and churn guardrails, summed per week beside listens and revenue from the
# platform rows of gold.fct_segment_daily_metrics (their ratios are the catalog's).
GUARDRAIL_COUNTS = ("comments", "spam_comments", "removed_comments", "negative_feedback",
                    "listeners_at_risk", "churned_listeners", "pledges_at_risk", "churned_pledges")


@dataclass(frozen=True)
class Fact:
    """A number and the gold table it was read from (None: the table has no value for it)."""

    value: float | None
    source: str


@dataclass(frozen=True)
class Headline:
    name: str
    unit: str  # "usd", "count", "ratio"
    current: Fact
    previous: Fact

    @property
    def change_pct(self) -> float | None:
        cur, prev = self.current.value, self.previous.value
        if cur is None or prev in (None, 0):
            return None
        return 100 * (cur - prev) / prev


@dataclass(frozen=True)
class AnomalyRun:
    """Consecutive flagged days of one metric in one segment; the numbers are those of its most severe day."""

    metric: str
    segment: str
    keys: tuple[str | None, ...]
    start: dt.date
    end: dt.date
    peak_date: dt.date
    value: float
    expected: float
    severity: float
    direction: str
    source: str = "gold.metric_anomalies"

    @property
    def size_pct(self) -> float | None:
        return 100 * (self.value - self.expected) / self.expected if self.expected else None


@dataclass(frozen=True)
class Explanation:
    metric: str
    segment: str
    date: dt.date
    change_usd: float
    dominant_driver: str | None
    dominant_share: float | None
    drill_down: tuple[tuple[str, float], ...]
    why: str
    contributions: Mapping[str, float]
    source: str = "gold.anomaly_explanations"


@dataclass(frozen=True)
class WeekDrivers:
    week: dt.date
    previous_week: dt.date
    before_usd: float
    after_usd: float
    change_usd: float
    dominant_driver: str | None
    dominant_share: float | None
    contributions: Mapping[str, float]
    source: str = "gold.revenue_change_drivers"


@dataclass(frozen=True)
class Effect:
    feature: str
    outcome: str
    method: str
    estimand: str
    estimate: float
    ci_low: float
    ci_high: float
    is_causal: bool
    n_treated: int | None
    source: str = "gold.feature_impact"

    @property
    def above_zero(self) -> bool:
        return self.ci_low > 0


@dataclass(frozen=True)
class FunnelStep:
    stage: str
    creators_reached: int
    previous_stage_creators: int
    stage_conversion_pct: float | None
    source: str = "gold.fct_partner_funnel"

    @property
    def dropoff_pct(self) -> float | None:
        return None if self.stage_conversion_pct is None else 100 - self.stage_conversion_pct


@dataclass(frozen=True)
class Guardrail:
    """A metric to watch; a value is None when gold has none for its period (a week without comments, say)."""

    name: str
    unit: str  # "pct" (a percentage) or "per_1k"
    current: Fact
    previous: Fact
    # The events the current value counts (its numerator), where it is a ratio of counts: how much of a
    # change chance alone can make.
    current_events: int | None = None

    @property
    def measured(self) -> bool:
        return self.current.value is not None

    @property
    def change(self) -> float | None:
        if not self.measured or self.previous.value is None:
            return None
        return self.current.value - self.previous.value


@dataclass(frozen=True)
class GuardrailTrend:
    """The Comments guardrails over the moderation rule's window: each Guardrail's `current` is the latest complete
    week (`end`) and its `previous` the complete week `rise_window_weeks` before it (`start`; the earliest complete
    week when fewer are there). A week against the week before cannot show spam that grows a point a week: the
    difference of two weeks' shares has a sampling error about as large."""

    start: dt.date
    end: dt.date
    guardrails: tuple[Guardrail, ...]

    @property
    def weeks(self) -> int:
        return (self.end - self.start).days // 7

    def guardrail(self, name: str) -> Guardrail:
        return next(g for g in self.guardrails if g.name == name)


@dataclass(frozen=True)
class Exposure:
    """What the expected-impact sentences scale by, for the memo's week."""

    weekly_listens: Fact
    comments_listen_share: Fact
    return_rate_7d: Fact
    eligible_inactive_revenue_usd: Fact
    eligible_inactive_creators: Fact


@dataclass(frozen=True)
class MemoFacts:
    week: dt.date
    previous_week: dt.date
    month: dt.date
    previous_month: dt.date
    headlines: tuple[Headline, ...]
    weekly_revenue: tuple[tuple[dt.date, float], ...]
    anomalies: tuple[AnomalyRun, ...]
    explanations: tuple[Explanation, ...]
    week_drivers: WeekDrivers | None
    effects: tuple[Effect, ...]
    funnel: tuple[FunnelStep, ...]
    guardrails: tuple[Guardrail, ...]
    comments_trend: GuardrailTrend
    exposure: Exposure
    notes: tuple[str, ...] = field(default=())

    def effect(self, feature: str, outcome: str, method: str) -> Effect | None:
        return next((e for e in self.effects if (e.feature, e.outcome, e.method) == (feature, outcome, method)), None)

    def guardrail(self, name: str) -> Guardrail:
        return next(g for g in self.guardrails if g.name == name)


def _num(value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _date(value) -> dt.date:
    return pd.Timestamp(value).date()


def complete_weeks(daily: pd.DataFrame) -> pd.DataFrame:
    """Platform daily rows summed per Monday week, complete (7-day) weeks only, oldest first."""
    frame = daily.assign(metric_date=pd.to_datetime(daily["metric_date"]))
    frame["week_start_date"] = frame["metric_date"] - pd.to_timedelta(frame["metric_date"].dt.weekday, unit="D")
    counts = {c: (c, "sum") for c in GUARDRAIL_COUNTS}
    weeks = frame.groupby("week_start_date").agg(days=("metric_date", "nunique"), listens=("listens", "sum"),
                                                 creator_revenue_usd=("creator_revenue_usd", lambda s: float(s.astype(float).sum())), **counts)
    return weeks[weeks["days"] == 7].reset_index().sort_values("week_start_date")


def weekly_guardrail(name: str, unit: str, metric: str, current: Mapping, previous: Mapping, source: str) -> Guardrail:
    """A catalog ratio of the two weeks' summed counts; a percentage when `unit` is "pct" (100 * a share; a
    catalog ratio already scaled by 100 is one)."""
    ratio = BY_NAME[metric]
    scale = 100 if unit == "pct" and ratio.scale == 1 else 1

    def value(row: Mapping) -> float | None:
        share = ratio.ratio_of(row)
        return None if share is None else scale * share

    events = current.get(ratio.numerator)
    return Guardrail(name, unit, Fact(value(current), source), Fact(value(previous), source), None if events is None else int(events))


def segment_of(row: Mapping, keys: Sequence[str]) -> str:
    """'DE · comedy' as the root-cause tables write it; all keys null is the platform."""
    parts = [str(row[k]) for k in keys if row.get(k) is not None and not (isinstance(row[k], float) and math.isnan(row[k]))]
    return " · ".join(parts) if parts else "all segments"


def anomaly_runs(anomalies: pd.DataFrame, keys: Sequence[str], top: int) -> tuple[AnomalyRun, ...]:
    """The `top` most severe runs of consecutive flagged days (same metric, segment and direction)."""
    if anomalies.empty:
        return ()
    frame = anomalies.assign(metric_date=pd.to_datetime(anomalies["metric_date"]), segment=[segment_of(r, keys) for r in anomalies.to_dict("records")])
    runs = []
    for (metric, segment, direction), group in frame.groupby(["metric", "segment", "direction"], sort=False):
        group = group.sort_values("metric_date")
        run_id = (group["metric_date"].diff() != pd.Timedelta(days=1)).cumsum()
        for _, run in group.groupby(run_id):
            peak = run.loc[run["severity"].astype(float).idxmax()]
            runs.append(AnomalyRun(metric, segment, tuple(None if pd.isna(peak[k]) else peak[k] for k in keys),
                                   _date(run["metric_date"].min()), _date(run["metric_date"].max()), _date(peak["metric_date"]),
                                   float(peak["value"]), float(peak["expected"]), float(peak["severity"]), str(direction)))
    runs.sort(key=lambda r: (-r.severity, r.peak_date, r.metric, r.segment))
    return tuple(runs[:top])


def explanations_of(runs: Sequence[AnomalyRun], explanations: pd.DataFrame, keys: Sequence[str], drivers: Sequence[str]) -> tuple[Explanation, ...]:
    """The explanation of each run's most severe day, for runs on an explained (revenue) metric."""
    out = []
    if explanations.empty:
        return ()
    frame = explanations.assign(metric_date=pd.to_datetime(explanations["metric_date"]).dt.date)
    for run in runs:
        match = frame[(frame["metric"] == run.metric) & (frame["metric_date"] == run.peak_date)]
        match = match[[all((r[k] is None or (isinstance(r[k], float) and math.isnan(r[k]))) if v is None else r[k] == v
                           for k, v in zip(keys, run.keys)) for r in match.to_dict("records")]]
        if match.empty:
            continue
        row = match.iloc[0]
        drill = tuple((d["segment"], float(d["change_usd"])) for d in json.loads(row["drill_down_json"] or "[]"))
        out.append(Explanation(run.metric, run.segment, run.peak_date, float(row["change_usd"]), row["dominant_driver"],
                               _num(row["dominant_share"]), drill, str(row["why"]),
                               {d: float(row[f"contribution_{d}"]) for d in drivers}))
    return tuple(out)


def week_drivers_of(drivers_frame: pd.DataFrame, week: dt.date, drivers: Sequence[str]) -> WeekDrivers | None:
    rows = drivers_frame[pd.to_datetime(drivers_frame["week_start_date"]).dt.date == week]
    if rows.empty:
        return None
    row = rows.iloc[0]
    return WeekDrivers(week, _date(row["previous_week_start_date"]), float(row["creator_revenue_before_usd"]), float(row["creator_revenue_after_usd"]),
                       float(row["change_usd"]), row["dominant_driver"], _num(row["dominant_share"]),
                       {d: float(row[f"contribution_{d}"]) for d in drivers})


def effects_of(impact: pd.DataFrame) -> tuple[Effect, ...]:
    """The estimates in a fixed order (feature, outcome, method): a table's rows come back in no order of their own."""
    impact = impact.sort_values(["feature", "outcome", "method"], kind="stable")
    return tuple(Effect(r["feature"], r["outcome"], r["method"], str(r["estimand"]), float(r["estimate"]), float(r["ci_low"]),
                        float(r["ci_high"]), bool(r["is_causal"]), None if pd.isna(r["n_treated"]) else int(r["n_treated"]))
                 for r in impact.to_dict("records") if _num(r["ci_low"]) is not None and _num(r["ci_high"]) is not None)


def funnel_of(funnel: pd.DataFrame) -> tuple[FunnelStep, ...]:
    rows = funnel[funnel["stage"] != "rejected"].sort_values("stage_order")
    return tuple(FunnelStep(r["stage"], int(r["creators_reached"]), int(r["previous_stage_creators"] or 0), _num(r["stage_conversion_pct"]))
                 for r in rows.to_dict("records") if r["stage"] != "eligible")


# The Comments guardrails: (memo name, unit, catalog ratio).
SPAM_SHARE = ("Spam share of comments", "pct", "spam_share_of_comments")
REMOVED_SHARE = ("Comments removed by moderation", "pct", "removed_share_of_comments")
NEGATIVE_FEEDBACK = ("Negative feedback per 1,000 listens", "per_1k", "negative_feedback_per_1k_listens")
# The churn guardrails per creator: the share of those at risk that churn on a day, over the week's days.
CREATOR_LISTENER_CHURN = ("Listener churn from a creator (daily, of listeners at risk)", "pct", "listener_churn_pct")
PLEDGE_CHURN = ("Pledge churn (daily, of active pledges)", "pct", "pledge_churn_pct")


def compute_facts(frames: Mapping[str, pd.DataFrame], keys: Sequence[str], drivers: Sequence[str], top: int, trend_weeks: int) -> MemoFacts:
    """Every number of the memo, from the collected frames (`creatorlake.memo.collect.FRAMES` names them);
    `trend_weeks` is the Comments rule's window (GuardrailTrend)."""
    weeks = complete_weeks(frames["platform_daily"])
    if len(weeks) < 2:
        raise CreatorLakeError("gold.fct_segment_daily_metrics holds fewer than two complete weeks: nothing to compare")
    current, previous = weeks.iloc[-1], weeks.iloc[-2]
    week, previous_week = _date(current["week_start_date"]), _date(previous["week_start_date"])
    daily = "gold.fct_segment_daily_metrics"

    listeners = frames["weekly_listeners"].assign(week_start_date=lambda f: pd.to_datetime(f["week_start_date"]).dt.date).set_index("week_start_date")["active_listeners"]
    months = frames["monthly"].assign(month_start_date=lambda f: pd.to_datetime(f["month_start_date"]).dt.date).sort_values("month_start_date")
    if len(months) < 2:
        raise CreatorLakeError("gold.fct_creator_monthly_performance holds fewer than two months: nothing to compare")
    month, previous_month = months.iloc[-1], months.iloc[-2]
    monthly = "gold.fct_creator_monthly_performance"
    events = "gold.fct_events"
    headlines = (
        Headline("Weekly creator revenue", "usd", Fact(float(current["creator_revenue_usd"]), daily), Fact(float(previous["creator_revenue_usd"]), daily)),
        Headline("RPM (creator revenue per 1,000 listens)", "usd", Fact(BY_NAME["rpm"].ratio_of(current), daily), Fact(BY_NAME["rpm"].ratio_of(previous), daily)),
        Headline("MRR (end of month)", "usd", Fact(float(month["gross_mrr_usd"]), monthly), Fact(float(previous_month["gross_mrr_usd"]), monthly)),
        Headline("Weekly active listeners", "count", Fact(_num(listeners.get(week)), events), Fact(_num(listeners.get(previous_week)), events)),
    )

    def patron_churn(row, before) -> Fact:
        base = float(before["active_patrons"])
        return Fact(100 * float(row["churned_patrons"]) / base if base else None, monthly)

    churn = frames["listener_churn"].set_index("as_of")
    listener_churn = [Fact(100 * churn.loc[d, "churned"] / churn.loc[d, "base"] if d in churn.index and churn.loc[d, "base"] else None, events)
                      for d in (week + WEEK - dt.timedelta(days=1), previous_week + WEEK - dt.timedelta(days=1))]
    guardrails = (
        Guardrail("Listener churn (no listen for 28 days)", "pct", listener_churn[0], listener_churn[1]),
        Guardrail("Patron churn", "pct", patron_churn(month, previous_month),
                  patron_churn(previous_month, months.iloc[-3]) if len(months) >= 3 else Fact(None, monthly)),
        *(weekly_guardrail(*g, current, previous, daily)
          for g in (SPAM_SHARE, REMOVED_SHARE, NEGATIVE_FEEDBACK, CREATOR_LISTENER_CHURN, PLEDGE_CHURN)),
    )
    trend_start = weeks.iloc[max(0, len(weeks) - 1 - trend_weeks)]
    comments_trend = GuardrailTrend(_date(trend_start["week_start_date"]), week,
                                    tuple(weekly_guardrail(*g, current, trend_start, daily) for g in (SPAM_SHARE, NEGATIVE_FEEDBACK)))
    runs = anomaly_runs(frames["anomalies"], keys, top)
    # "Why" explains the largest anomalies the root-cause stage split into drivers (revenue metrics), which need
    # not be among the largest of all metrics.
    explained_metrics = set(frames["explanations"]["metric"]) if not frames["explanations"].empty else set()
    anomalies = frames["anomalies"]
    revenue_runs = anomaly_runs(anomalies[anomalies["metric"].isin(explained_metrics)], keys, top) if not anomalies.empty else ()
    exposure_row = {k: _num(v) for k, v in frames["exposure"].iloc[0].items()}
    panel = "gold.fct_creator_week_panel"

    def share(num: str, den: str) -> float | None:
        return exposure_row[num] / exposure_row[den] if exposure_row[num] is not None and exposure_row[den] else None

    exposure = Exposure(
        Fact(exposure_row["listens"], panel),
        Fact(share("comments_listens", "listens"), panel),
        Fact(share("returning_first_listens_7d", "first_listens"), panel),
        Fact(exposure_row["eligible_inactive_revenue_usd"] or 0.0, panel),
        Fact(exposure_row["eligible_inactive_creators"] or 0.0, panel),
    )
    return MemoFacts(
        week=week, previous_week=previous_week, month=month["month_start_date"], previous_month=previous_month["month_start_date"],
        headlines=headlines,
        weekly_revenue=tuple((_date(r["week_start_date"]), float(r["creator_revenue_usd"])) for r in weeks.to_dict("records")),
        anomalies=runs,
        explanations=explanations_of(revenue_runs, frames["explanations"], keys, drivers),
        week_drivers=week_drivers_of(frames["platform_drivers"], week, drivers),
        effects=effects_of(frames["impact"]),
        funnel=funnel_of(frames["funnel"]),
        guardrails=guardrails,
        comments_trend=comments_trend,
        exposure=exposure,
    )
