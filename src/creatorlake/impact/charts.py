"""Matplotlib figures of the event studies and the Partner Program cohort trajectories (returned, not saved)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # no display: figures are written as PNG files

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


def event_study_figure(es: pd.DataFrame, title: str) -> Figure:
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.axhline(0, color="grey", lw=0.8)
    ax.axvline(-0.5, color="grey", lw=0.8, ls="--")
    ax.errorbar(es["event_week"], es["estimate"], yerr=[es["estimate"] - es["ci_low"], es["ci_high"] - es["estimate"]],
                fmt="o", capsize=3)
    ax.set_xlabel("weeks since adoption (end weeks binned; -1 is the reference)")
    ax.set_ylabel("effect (estimand scale), 95% CI")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def trajectory_figure(tr: pd.DataFrame) -> Figure:
    fig, ax = plt.subplots(figsize=(7, 4))
    pooled = tr.assign(total=tr["creator_revenue_usd_per_creator"] * tr["creators"]).groupby(["group", "weeks_since_activation"]).agg(
        total=("total", "sum"), creators=("creators", "sum")).reset_index()
    for group, rows in pooled.groupby("group"):
        ax.plot(rows["weeks_since_activation"], rows["total"] / rows["creators"], marker="o", label=group)
    ax.set_xlabel("weeks since Partner Program activation")
    ax.set_ylabel("creator revenue per creator-week (USD)")
    ax.set_title("Partner Program: activated creators vs matched eligible creators")
    ax.legend()
    fig.tight_layout()
    return fig
