"""The memo as blocks (headings, paragraphs, tables, charts), rendered to Markdown and to HTML from the same blocks,
so the two say the same thing. Only formats numbers found in `MemoFacts`."""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from typing import Sequence

from creatorlake.memo.config import MemoConfig
from creatorlake.memo.facts import Fact, MemoFacts
from creatorlake.memo.rules import BUILD, Recommendation, ci, guardrail_value
from creatorlake.rootcause.explain import DRIVER_LABELS, METRIC_LABELS


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    file_name: str
    caption: str


Block = Heading | Paragraph | Table | Chart


def usd(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"-${-value:,.2f}" if round(value, 2) < 0 else f"${value:,.2f}"


def count(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def pct(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}%"


def signed_pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f}%"


def _fact(fact: Fact, unit: str) -> str:
    return usd(fact.value) if unit == "usd" else count(fact.value)


def what_happened(facts: MemoFacts) -> list[Block]:
    blocks: list[Block] = [
        Heading(2, "What happened"),
        Paragraph(f"The week of {facts.week} (Monday to Sunday) against the week of {facts.previous_week}; MRR at the end of the month of "
                  f"{facts.month:%Y-%m} against {facts.previous_month:%Y-%m}."),
        Table(("metric", "this period", "previous period", "change", "source"),
              tuple((h.name, _fact(h.current, h.unit), _fact(h.previous, h.unit), signed_pct(h.change_pct), h.current.source) for h in facts.headlines)),
        Chart("weekly_revenue.png", "Weekly creator revenue (gold.fct_segment_daily_metrics, whole platform)"),
    ]
    if not facts.anomalies:
        blocks.append(Paragraph("gold.metric_anomalies flags no anomaly."))
        return blocks
    blocks.append(Paragraph(f"The {len(facts.anomalies)} largest anomalies (runs of consecutive flagged days; size and severity on the run's most "
                            "severe day, severity = |z|, or the pooled |z| of a run of days; source gold.metric_anomalies):"))
    blocks.append(Table(("metric", "segment", "dates", "direction", "value", "expected", "size", "severity"),
                        tuple((METRIC_LABELS.get(a.metric, a.metric), a.segment, f"{a.start} to {a.end}", a.direction, f"{a.value:,.4g}",
                               f"{a.expected:,.4g}", signed_pct(a.size_pct), f"{a.severity:.2f}") for a in facts.anomalies)))
    return blocks


def why(facts: MemoFacts) -> list[Block]:
    blocks: list[Block] = [Heading(2, "Why")]
    wd = facts.week_drivers
    if wd is not None:
        driver = DRIVER_LABELS.get(wd.dominant_driver or "", wd.dominant_driver or "no driver")
        share = "" if wd.dominant_share is None else f" ({pct(100 * wd.dominant_share, 0)} of it)"
        blocks += [
            Paragraph(f"Platform creator revenue went from {usd(wd.before_usd)} in the week of {wd.previous_week} to {usd(wd.after_usd)} in the "
                      f"week of {wd.week}, a change of {usd(wd.change_usd)}; the dominant driver is {driver}{share} (gold.revenue_change_drivers)."),
            Chart("week_drivers.png", f"Driver contributions to the week-over-week change of {usd(wd.change_usd)}"),
        ]
    others = [a for a in facts.anomalies if not any((e.metric, e.segment, e.date) == (a.metric, a.segment, a.peak_date) for e in facts.explanations)]
    if others:
        listed = "; ".join(f"{METRIC_LABELS.get(a.metric, a.metric)} in {a.segment} on {a.peak_date}" for a in others)
        blocks.append(Paragraph(f"Not split into drivers (gold.anomaly_explanations explains revenue metrics only, or not this day): {listed}."))
    if not facts.explanations:
        blocks.append(Paragraph("gold.anomaly_explanations explains no anomaly."))
    for i, e in enumerate(facts.explanations):
        drill = "; ".join(f"{seg} {usd(change)}" for seg, change in e.drill_down) or "none"
        blocks += [
            Paragraph(f"{e.why} Drill-down (segment, change against expected): {drill} (gold.anomaly_explanations)."),
            Chart(f"anomaly_{i + 1}.png", f"Driver contributions, {METRIC_LABELS.get(e.metric, e.metric)} in {e.segment} on {e.date} "
                                          f"({usd(e.change_usd)} against expected)"),
        ]
    return blocks


def build_next(recommendations: Sequence[Recommendation], has_funnel: bool) -> list[Block]:
    blocks: list[Block] = [Heading(2, "What to build next"),
                           Paragraph("Decided by the rules of conf/memo.yml, each stated with its threshold.")]
    stated: list[str] = []
    for r in recommendations:
        if r.stated_rule not in stated:
            stated.append(r.stated_rule)
    blocks.append(Table(("rule",), tuple((s,) for s in stated)))
    blocks.append(Table(("action", "decision", "because"), tuple((r.action, r.decision, r.reason) for r in recommendations)))
    if has_funnel:
        blocks.append(Chart("partner_funnel.png", "Partner Program drop-off by step against its threshold (gold.fct_partner_funnel, conf/memo.yml)"))
    chosen = [r.action for r in recommendations if r.decision == BUILD]
    blocks.append(Paragraph("Build next: " + ("; ".join(chosen) if chosen else "nothing the rules call for") + "."))
    return blocks


def impact(facts: MemoFacts, config: MemoConfig) -> list[Block]:
    x = facts.exposure
    causal = [e for e in facts.effects if e.is_causal]
    blocks: list[Block] = [Heading(2, "Expected impact and guardrails")]
    if causal:
        blocks.append(Table(("feature", "outcome", "method", "estimate (95% CI)", "treated creators"),
                            tuple((e.feature, e.outcome, e.method, ci(e), count(e.n_treated)) for e in causal)))
        blocks.append(Chart("effects.png", "Causal effects with 95% confidence intervals (gold.feature_impact)"))
    sentences = []
    ret = facts.effect("comments", "return_rate_7d", config.comments.method)
    if ret is not None and x.return_rate_7d.value is not None and x.comments_listen_share.value is not None:
        headroom = 1 - x.comments_listen_share.value
        sentences.append(f"Retention: this week {pct(100 * x.return_rate_7d.value)} of first listens returned within 7 days, with "
                         f"{pct(100 * x.comments_listen_share.value)} of listens on comments-enabled episodes; Comments on the rest would move the "
                         f"7-day return rate by {100 * x.return_rate_7d.value * headroom * ret.estimate:+.2f} percentage points (95% CI "
                         f"{100 * x.return_rate_7d.value * headroom * ret.ci_low:+.2f} to {100 * x.return_rate_7d.value * headroom * ret.ci_high:+.2f}).")
    lis = facts.effect("comments", "listens", config.comments.method)
    revenue, rpm = facts.headlines[0].current.value, facts.headlines[1].current.value
    if lis is not None and x.comments_listen_share.value is not None and revenue is not None:
        headroom = 1 - x.comments_listen_share.value
        sentences.append(f"Revenue: at this week's RPM ({usd(rpm)}), Comments on every listen would add {usd(revenue * headroom * lis.estimate)} of "
                         f"weekly creator revenue (95% CI {usd(revenue * headroom * lis.ci_low)} to {usd(revenue * headroom * lis.ci_high)}), "
                         f"from the listens lift.")
    partner = facts.effect("partner_program", "creator_revenue_usd", "matched_did")
    if partner is not None and x.eligible_inactive_revenue_usd.value is not None:
        v = x.eligible_inactive_revenue_usd.value
        sentences.append(f"Partner Program: the {count(x.eligible_inactive_creators.value)} eligible creators not yet active earned {usd(v)} this week; "
                         f"activating them would add {usd(v * partner.estimate)} a week (95% CI {usd(v * partner.ci_low)} to {usd(v * partner.ci_high)}).")
    growth = facts.effect("analytics", config.analytics.outcome, config.analytics.method)
    if growth is not None:
        sentences.append(f"Creator Analytics: {ci(growth)} log points of weekly listens growth per adopting creator"
                         + ("." if growth.above_zero else "; no growth can be promised from it."))
    blocks += [Paragraph(s) for s in sentences]
    blocks.append(Paragraph("Guardrails to watch (this week against the previous; patron churn: this month against the previous):"))
    blocks.append(Table(("guardrail", "current", "previous", "source"),
                        tuple((g.name, guardrail_value(g, g.current.value), guardrail_value(g, g.previous.value),
                               g.current.source) for g in facts.guardrails)))
    missing = [g.name for g in facts.guardrails if not g.measured]
    if missing:
        blocks.append(Paragraph(f"No value this week: {', '.join(missing)} (gold has none: no comments, listens, patrons, or listeners or pledges at risk to divide by)."))
    return blocks


def memo_blocks(facts: MemoFacts, recommendations: Sequence[Recommendation], config: MemoConfig) -> list[Block]:
    return [Heading(1, f"Creator monetization memo: week of {facts.week}"),
            Paragraph("Every number below is read from the lakehouse's gold tables; the table each comes from is named beside it."),
            *what_happened(facts), *why(facts), *build_next(recommendations, bool(facts.funnel)), *impact(facts, config)]


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def to_markdown(blocks: Sequence[Block]) -> str:
    out = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append("#" * b.level + " " + b.text)
        elif isinstance(b, Paragraph):
            out.append(b.text)
        elif isinstance(b, Table):
            lines = ["| " + " | ".join(b.header) + " |", "|" + "---|" * len(b.header)]
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in b.rows]
            out.append("\n".join(lines))
        else:
            out.append(f"![{b.caption}]({b.file_name})\n\n*{b.caption}*")
    return "\n\n".join(out) + "\n"


def to_html(blocks: Sequence[Block], images: dict[str, bytes]) -> str:
    """The same blocks as one self-contained page: charts embedded as base64 PNGs."""
    e = html.escape
    body = []
    for b in blocks:
        if isinstance(b, Heading):
            body.append(f"<h{b.level}>{e(b.text)}</h{b.level}>")
        elif isinstance(b, Paragraph):
            body.append(f"<p>{e(b.text)}</p>")
        elif isinstance(b, Table):
            head = "".join(f"<th>{e(h)}</th>" for h in b.header)
            rows = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in b.rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        else:
            data = base64.b64encode(images[b.file_name]).decode("ascii")
            body.append(f'<figure><img alt="{e(b.caption)}" src="data:image/png;base64,{data}"><figcaption>{e(b.caption)}</figcaption></figure>')
    style = ("body{font-family:sans-serif;max-width:960px;margin:2em auto;line-height:1.4}table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}img{max-width:100%}")
    title = next((b.text for b in blocks if isinstance(b, Heading)), "memo")
    return f"<!doctype html><html><head><meta charset='utf-8'><title>{e(title)}</title><style>{style}</style></head><body>{''.join(body)}</body></html>\n"
