"""`creatorlake memo` on the session's tiny lakehouse: every number it prints is the gold tables' value, recomputed
here with Spark SQL from the data contract's definitions (not with the memo's code); a lakehouse missing a table
is one line naming it, exit 2, and no memo."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from creatorlake.cli import run_here
from creatorlake.core.config import CONF_ENV, PACKAGED_CONF
from creatorlake.memo.config import load_memo_config
from creatorlake.rootcause.explain import DRIVER_LABELS


def money(value) -> str:
    value = float(value)
    return f"-${-value:,.2f}" if round(value, 2) < 0 else f"${value:,.2f}"


def weeks(spark, settings):
    """The two latest complete Monday weeks of the whole platform: (week start, creator revenue, listens), newest first."""
    return spark.sql(f"""
        select date_trunc('week', metric_date) as w, sum(creator_revenue_usd) as revenue, sum(listens) as listens
        from {settings.table('gold', 'fct_segment_daily_metrics')}
        where country_code is null and category is null and creator_tier is null
        group by 1 having count(distinct metric_date) = 7 order by w desc limit 2""").collect()


def row_of(md: str, first_cell: str) -> str:
    return next(line for line in md.splitlines() if line.startswith(f"| {first_cell} |"))


def guardrail_weeks(spark, settings):
    """The Comments and churn guardrails' counts in every complete week, newest first, from the platform rows of
    gold.fct_segment_daily_metrics."""
    return spark.sql(f"""
        select date_trunc('week', metric_date) as w, sum(comments) as comments, sum(spam_comments) as spam,
               sum(removed_comments) as removed, sum(negative_feedback) as feedback, sum(listens) as listens,
               sum(churned_listeners) as churned_listeners, sum(listeners_at_risk) as listeners_at_risk,
               sum(churned_pledges) as churned_pledges, sum(pledges_at_risk) as pledges_at_risk
        from {settings.table('gold', 'fct_segment_daily_metrics')}
        where country_code is null and category is null and creator_tier is null
        group by 1 having count(distinct metric_date) = 7 order by w desc""").collect()


def rule_window(weeks, rule) -> list:
    """The latest complete week and the one the rule compares it with: rise_window_weeks before, or the earliest."""
    return [weeks[0], weeks[min(rule.rise_window_weeks, len(weeks) - 1)]]


def guardrail_ratios(weeks) -> dict[str, tuple[float | None, float | None]]:
    """The guardrails of guardrail_weeks' rows (this, previous) by the data contract's definitions: spam and removed
    shares in percent, negative feedback per 1,000 listens, listener and pledge churn in percent of those at risk;
    None where the week has nothing to divide by."""
    def ratio(row, part, whole, scale):
        return scale * row[part] / row[whole] if row[whole] else None

    return {
        "Spam share of comments": tuple(ratio(r, "spam", "comments", 100) for r in weeks),
        "Comments removed by moderation": tuple(ratio(r, "removed", "comments", 100) for r in weeks),
        "Negative feedback per 1,000 listens": tuple(ratio(r, "feedback", "listens", 1000) for r in weeks),
        "Listener churn from a creator (daily, of listeners at risk)": tuple(ratio(r, "churned_listeners", "listeners_at_risk", 100) for r in weeks),
        "Pledge churn (daily, of active pledges)": tuple(ratio(r, "churned_pledges", "pledges_at_risk", 100) for r in weeks),
    }


def weekly_guardrails(spark, settings) -> dict[str, tuple[float | None, float | None]]:
    """The guardrails of this week and the week before, as the memo's guardrail table shows them."""
    return guardrail_ratios(guardrail_weeks(spark, settings)[:2])


def guardrail_row(name: str, this: float | None, before: float | None) -> str:
    """The start of the memo's table row of a weekly guardrail: percentages, or a rate per 1,000 listens."""
    def shown(value: float | None) -> str:
        if value is None:
            return "n/a"
        return f"{value:.2f}" if "per 1,000" in name else f"{value:.2f}%"
    return f"| {name} | {shown(this)} | {shown(before)} | gold.fct_segment_daily_metrics |"


def guardrails_rise(weeks, rule) -> bool:
    """The comments_moderation rule's guardrail condition on rule_window's two rows, as memo.yml states it."""
    guardrails = guardrail_ratios(weeks)
    (spam, spam_before), (feedback, feedback_before) = guardrails["Spam share of comments"], guardrails["Negative feedback per 1,000 listens"]
    spam_up = spam is not None and spam_before is not None and spam - spam_before > rule.spam_share_rise_pp
    feedback_up = (bool(feedback_before) and feedback is not None and 100 * (feedback - feedback_before) / feedback_before > rule.negative_feedback_rise_pct
                   and weeks[0]["feedback"] >= rule.negative_feedback_min_events)
    return spam_up or feedback_up


def comments_decision(spark, settings, config, weeks) -> str:
    """The decision the rule gives on this lakehouse's gold tables (`weeks`: its guardrail_weeks): build, do not
    build or cannot decide."""
    comments = spark.sql(f"""select * from {settings.table('gold', 'feature_impact')}
                             where feature = 'comments' and outcome = '{config.comments.outcome}' and method = '{config.comments.method}'""").collect()
    if not comments:
        return "cannot decide"
    if not (comments[0]["is_causal"] and comments[0]["ci_low"] > 0):
        return "do not build"
    weeks = rule_window(weeks, config.comments)
    if guardrails_rise(weeks, config.comments):
        return "build"
    guardrails = guardrail_ratios(weeks)
    unmeasured = all(v is None for v in guardrails["Spam share of comments"][:1] + guardrails["Negative feedback per 1,000 listens"][:1])
    return "cannot decide" if unmeasured else "do not build"


def test_the_headline_metrics_are_the_gold_values(spark, memo):
    out, md, settings = memo
    (this, before) = weeks(spark, settings)
    revenue = row_of(md, "Weekly creator revenue")
    assert money(this["revenue"]) in revenue and money(before["revenue"]) in revenue
    rpm = row_of(md, "RPM (creator revenue per 1,000 listens)")
    assert money(1000 * float(this["revenue"]) / this["listens"]) in rpm and money(1000 * float(before["revenue"]) / before["listens"]) in rpm
    mrr = spark.sql(f"""select month_start_date, sum(gross_mrr_usd) as mrr from {settings.table('gold', 'fct_creator_monthly_performance')}
                        group by 1 order by 1 desc limit 2""").collect()
    assert money(mrr[0]["mrr"]) in row_of(md, "MRR (end of month)") and money(mrr[1]["mrr"]) in row_of(md, "MRR (end of month)")
    for week in (this, before):
        start = week["w"].date()
        listeners = spark.sql(f"""select count(distinct listener_id) as n from {settings.table('gold', 'fct_events')}
                                  where event_type = 'listen' and event_date between date'{start}' and date'{start + dt.timedelta(days=6)}'""").first()["n"]
        assert f"{listeners:,}" in row_of(md, "Weekly active listeners")


def test_the_largest_anomaly_is_the_most_severe_flag(spark, memo):
    out, md, settings = memo
    top = spark.sql(f"select * from {settings.table('gold', 'metric_anomalies')} order by severity desc limit 1").collect()
    if not top:
        assert "flags no anomaly" in md
        return
    top = top[0]
    header = md.index("| metric | segment | dates |")
    first_row = md[header:].splitlines()[2]
    segment = " · ".join(str(top[k]) for k in ("country_code", "category", "creator_tier") if top[k] is not None) or "all segments"
    assert f"| {segment} |" in first_row and f"| {top['severity']:.2f} |" in first_row and top["direction"] in first_row
    assert f"{100 * (top['value'] - top['expected']) / top['expected']:+.1f}%" in first_row
    # The row names the run of consecutive flagged days around the most severe one: its dates contain that day.
    dates = first_row.split(" | ")[2]
    start, end = (dt.date.fromisoformat(d) for d in dates.split(" to "))
    assert start <= top["metric_date"] <= end, (dates, top["metric_date"])


def test_why_gives_the_platform_weeks_dominant_driver_and_explanations(spark, memo):
    out, md, settings = memo
    this = weeks(spark, settings)[0]["w"].date()
    drivers = spark.sql(f"""select * from {settings.table('gold', 'revenue_change_drivers')} where country_code is null and category is null
                            and creator_tier is null and week_start_date = date'{this}'""").first()
    why = md[md.index("## Why"):md.index("## What to build next")]
    assert money(drivers["change_usd"]) in why and money(drivers["creator_revenue_after_usd"]) in why
    assert f"dominant driver is {DRIVER_LABELS[drivers['dominant_driver']]}" in why
    sentences = {r["why"] for r in spark.sql(f"select why from {settings.table('gold', 'anomaly_explanations')}").collect()}
    explained_lines = [line for line in why.splitlines() if "Drill-down" in line]
    strongest = spark.sql(f"select why from {settings.table('gold', 'anomaly_explanations')} order by abs(z_score) desc limit 1").collect()
    assert (strongest[0]["why"] in why) if strongest else "explains no anomaly" in why
    assert all(any(line.startswith(s) for s in sentences) for line in explained_lines)


def test_effects_and_decisions_follow_the_gold_estimates_and_the_rules(spark, memo):
    out, md, settings = memo
    config = load_memo_config(settings=settings)
    impact = {(r["feature"], r["outcome"], r["method"]): r for r in spark.sql(f"select * from {settings.table('gold', 'feature_impact')}").collect()}
    comments = impact.get(("comments", config.comments.outcome, config.comments.method))
    decision = row_of(md, "Improve Comments moderation and prompts")
    assert f"| {comments_decision(spark, settings, config, guardrail_weeks(spark, settings))} |" in decision
    if comments is not None:
        assert f"{comments['estimate']:+.3f} (95% CI {comments['ci_low']:+.3f} to {comments['ci_high']:+.3f})" in decision
    growth = impact.get(("analytics", config.analytics.outcome, config.analytics.method))
    association = impact.get(("analytics", config.analytics.outcome, config.analytics.association_method))
    analytics = row_of(md, "Redesign Analytics onboarding")
    if growth is not None and growth["ci_low"] > 0:
        assert "| build |" in analytics
    else:
        assert "| do not build |" in analytics
        assert ("associated" in analytics) == (association is not None and association["estimate"] > 0)
    funnel = {r["stage"]: r for r in spark.sql(f"select * from {settings.table('gold', 'fct_partner_funnel')}").collect()}
    for step, limit in config.partner.max_dropoff_pct.items():
        if step not in funnel or funnel[step]["stage_conversion_pct"] is None:
            continue
        conversion = funnel[step]["stage_conversion_pct"]
        line = row_of(md, f"Optimize the Partner Program step to {step}")
        assert ("| build |" in line) == (100 - conversion > limit)
        assert f"{100 - conversion:.1f}%" in line and f"threshold {limit:g}%" in line
    for key, row in impact.items():
        if row["is_causal"] and row["ci_low"] is not None:
            assert f"| {key[0]} | {key[1]} | {key[2]} | {row['estimate']:+.3f} (95% CI {row['ci_low']:+.3f} to {row['ci_high']:+.3f})" in md


def test_guardrails_are_the_gold_churn_rates_and_comments_guardrails(spark, memo):
    out, md, settings = memo
    months = spark.sql(f"""select month_start_date, sum(churned_patrons) as churned, sum(active_patrons) as active
                           from {settings.table('gold', 'fct_creator_monthly_performance')} group by 1 order by 1 desc limit 2""").collect()
    assert f"{100 * months[0]['churned'] / months[1]['active']:.2f}%" in row_of(md, "Patron churn")
    as_of = weeks(spark, settings)[0]["w"].date() + dt.timedelta(days=6)
    cutoff = as_of - dt.timedelta(days=28)
    churn = spark.sql(f"""
        with seen as (select listener_id, min(event_date) as first_listen,
                             max(case when event_date > date'{cutoff}' then 1 else 0 end) as recent
                      from {settings.table('gold', 'fct_events')} where event_type = 'listen' and event_date <= date'{as_of}' group by 1)
        select count(*) as base, sum(1 - recent) as churned from seen where first_listen <= date'{cutoff}'""").first()
    assert f"{100 * churn['churned'] / churn['base']:.2f}%" in row_of(md, "Listener churn (no listen for 28 days)")
    for name, (this, before) in weekly_guardrails(spark, settings).items():
        assert row_of(md, name).startswith(guardrail_row(name, this, before))
    assert "not measured" not in md


def test_html_has_the_same_content_with_the_charts_embedded(memo):
    out, md, settings = memo
    page = (out / "memo.html").read_text()
    charts = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", md)
    assert charts and all((out / name).stat().st_size > 1000 for name in charts)
    assert page.count("data:image/png;base64,") == len(charts)
    for heading in re.findall(r"^## (.+)$", md, re.M):
        assert f"<h2>{heading}</h2>" in page
    for value in re.findall(r"-?\$[\d,]+\.\d\d", md):
        assert value in page


def conf_copy(tmp_path: Path, anomaly_tables: dict | None = None, gold: str | None = None) -> Path:
    conf = tmp_path / "conf"
    shutil.copytree(PACKAGED_CONF, conf)
    if gold:
        main = yaml.safe_load((conf / "creatorlake.yml").read_text())
        main["schemas"]["gold"] = gold
        (conf / "creatorlake.yml").write_text(yaml.safe_dump(main))
    if anomaly_tables:
        anomaly = yaml.safe_load((conf / "anomaly.yml").read_text())
        anomaly["tables"] = {**(anomaly.get("tables") or {}), **anomaly_tables}
        (conf / "anomaly.yml").write_text(yaml.safe_dump(anomaly))
    return conf


@pytest.mark.parametrize("case, expected", [
    ("empty", "table memo_empty_gold.fct_segment_daily_metrics does not exist; run `creatorlake transform` first"),
    ("partial", "table gold.memo_never_detected does not exist; run `creatorlake detect` first"),
])
def test_a_lakehouse_missing_a_table_names_it_in_one_line_and_exits_2(explained, lakehouse, tmp_path, monkeypatch, capsys, case, expected):
    # monkeypatch restores $CREATORLAKE_CONF, which --conf sets for the rest of the process.
    monkeypatch.setenv(CONF_ENV, str(PACKAGED_CONF))
    conf = conf_copy(tmp_path, gold="memo_empty_gold") if case == "empty" else conf_copy(tmp_path, {"anomalies": "memo_never_detected"})
    out = tmp_path / "memo"
    code = run_here(["memo", "--lakehouse", str(lakehouse), "--conf", str(conf), "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1] == f"creatorlake: error: {expected}"
    assert not out.exists()
