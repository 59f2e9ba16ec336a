"""`creatorlake memo [--out DIR]`: the product memo from the gold tables -> memo.md, memo.html (charts embedded) and PNGs
under <lakehouse>/reports/memo/.

Facts are computed first (every number with the gold table it comes from), the memo.yml rules decide the
recommendations, and only then is anything written; a lakehouse missing a table gives one line naming it.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from creatorlake.anomaly.config import load_anomaly_config
from creatorlake.anomaly.schema import DRIVERS, SEGMENT_KEYS
from creatorlake.core.config import Settings
from creatorlake.core.progress import say, timed
from creatorlake.core.spark import get_spark
from creatorlake.memo import charts
from creatorlake.memo.collect import collect
from creatorlake.memo.config import load_memo_config
from creatorlake.memo.facts import MemoFacts, compute_facts
from creatorlake.memo.render import memo_blocks, to_html, to_markdown
from creatorlake.memo.rules import recommend

STAGE = "memo"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="DIR", help="directory for memo.md, memo.html and the charts (default <lakehouse>/reports/memo)")


def figures(facts: MemoFacts, limits) -> dict[str, Figure]:
    out = {"weekly_revenue.png": charts.weekly_revenue_figure(facts)}
    if facts.week_drivers is not None:
        out["week_drivers.png"] = charts.contributions_figure(facts.week_drivers.contributions, f"Week of {facts.week} against the week before")
    for i, e in enumerate(facts.explanations):
        out[f"anomaly_{i + 1}.png"] = charts.contributions_figure(e.contributions, f"{e.metric} in {e.segment} on {e.date}")
    causal = [e for e in facts.effects if e.is_causal]
    if causal:
        out["effects.png"] = charts.effects_figure(causal)
    if facts.funnel:
        out["partner_funnel.png"] = charts.funnel_figure(facts.funnel, limits)
    return out


def png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def run(args: argparse.Namespace, settings: Settings) -> int:
    config = load_memo_config(settings=settings)
    anomaly = load_anomaly_config(settings=settings)
    spark = get_spark(settings, app_name="creatorlake-memo")
    with timed(STAGE, "collect the gold tables") as step:
        frames = collect(spark, settings, anomaly)
        step.rows = sum(len(f) for f in frames.values())
    facts = compute_facts(frames, SEGMENT_KEYS, DRIVERS, config.anomalies_top, config.comments.rise_window_weeks)
    recommendations = recommend(facts, config)
    blocks = memo_blocks(facts, recommendations, config)
    images = {name: png(fig) for name, fig in figures(facts, config.partner.max_dropoff_pct).items()}
    out = Path(args.out).expanduser() if getattr(args, "out", None) else settings.lakehouse_root / "reports" / "memo"
    out.mkdir(parents=True, exist_ok=True)
    for name, data in images.items():
        (out / name).write_bytes(data)
    (out / "memo.md").write_text(to_markdown(blocks))
    (out / "memo.html").write_text(to_html(blocks, images))
    say(STAGE, f"memo.md, memo.html and {len(images)} charts in {out}")
    for r in recommendations:
        print(f"{r.decision:>13}: {r.action}")
    print(out / "memo.md")
    return 0
