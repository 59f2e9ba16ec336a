"""The memo's matplotlib figures (returned, not saved): static PNGs drawn in-process, no browser needed."""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")  # no display: figures are written as PNG files

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from creatorlake.memo.facts import Effect, FunnelStep, MemoFacts  # noqa: E402
from creatorlake.rootcause.explain import DRIVER_LABELS  # noqa: E402


def weekly_revenue_figure(facts: MemoFacts) -> Figure:
    fig, ax = plt.subplots(figsize=(7, 3.2))
    weeks = [w for w, _ in facts.weekly_revenue]
    ax.bar([w.isoformat() for w in weeks], [v for _, v in facts.weekly_revenue],
           color=["tab:blue" if w == facts.week else "tab:gray" for w in weeks])
    ax.set_ylabel("creator revenue, USD")
    ax.set_title("Weekly creator revenue, complete Monday weeks (this week in blue)")
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    fig.tight_layout()
    return fig


def contributions_figure(contributions: Mapping[str, float], title: str) -> Figure:
    fig, ax = plt.subplots(figsize=(7, 3.2))
    names = list(contributions)
    values = [contributions[n] for n in names]
    ax.barh([DRIVER_LABELS.get(n, n) for n in names], values, color=["tab:red" if v < 0 else "tab:green" for v in values])
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xlabel("contribution to the creator revenue change, USD")
    ax.set_title(title, fontsize=10)
    ax.invert_yaxis()
    fig.tight_layout()
    return fig


def effects_figure(effects: Sequence[Effect]) -> Figure:
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(effects) + 1.2))
    labels = [f"{e.feature}: {e.outcome} ({e.method})" for e in effects]
    ys = range(len(effects))
    ax.errorbar([e.estimate for e in effects], list(ys), xerr=[[e.estimate - e.ci_low for e in effects], [e.ci_high - e.estimate for e in effects]],
                fmt="o", capsize=3)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(list(ys), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("estimate (relative lift; Analytics: log points per week), 95% CI")
    ax.set_title("Causal feature effects")
    fig.tight_layout()
    return fig


def funnel_figure(funnel: Sequence[FunnelStep], limits: Mapping[str, float]) -> Figure:
    fig, ax = plt.subplots(figsize=(7, 3.2))
    steps = [s for s in funnel if s.dropoff_pct is not None]
    ax.bar([s.stage for s in steps], [s.dropoff_pct for s in steps], color="tab:orange", label="drop-off")
    ax.scatter([s.stage for s in steps if s.stage in limits], [limits[s.stage] for s in steps if s.stage in limits], color="black", marker="_",
               s=800, label="threshold (memo.yml)")
    ax.set_ylabel("% of the step before not reaching it")
    ax.set_title("Partner Program funnel drop-off by step")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
