"""The memo's facts and rendering on hand-built gold frames (no Spark): the Markdown and the HTML say the same,
every headline number is the frames' value, and a thin world is a one-line error."""

from __future__ import annotations

import datetime as dt
import json
import re

import pandas as pd
import pytest

from creatorlake.anomaly.schema import DRIVERS, SEGMENT_KEYS
from creatorlake.commands.memo import figures, png
from creatorlake.core.errors import CreatorLakeError
from creatorlake.memo.config import load_memo_config
from creatorlake.memo.facts import compute_facts
from creatorlake.memo.render import memo_blocks, to_html, to_markdown
from creatorlake.memo.rules import recommend

CONFIG = load_memo_config()


def gold_frames() -> dict[str, pd.DataFrame]:
    """Four complete weeks from 2026-02-02; revenue grows by $1 a day, listens flat at 1,000 a day, comment spam and
    negative feedback rise week over week."""
    days = pd.date_range("2026-02-02", periods=30)
    daily = pd.DataFrame({"metric_date": days.date, "listens": 1000, "creator_revenue_usd": [100.0 + i for i in range(30)],
                          # 100 comments a day; spam and negative feedback grow by one a day each week.
                          "comments": 100, "spam_comments": [5 + i // 7 for i in range(30)], "removed_comments": 2,
                          "negative_feedback": [3 + i // 7 for i in range(30)],
                          # 2,000 listeners and 400 pledges at risk a day; churn grows by one a day each week.
                          "listeners_at_risk": 2000, "churned_listeners": [10 + i // 7 for i in range(30)],
                          "pledges_at_risk": 400, "churned_pledges": [i // 7 for i in range(30)]})
    frames = {
     "platform_daily": daily,
     "weekly_listeners": pd.DataFrame({"week_start_date": [dt.date(2026,2,16), dt.date(2026,2,23)], "active_listeners": [500, 520]}),
     "listener_churn": pd.DataFrame({"as_of": [dt.date(2026,3,1), dt.date(2026,2,22)], "base": [100, 90], "churned": [10, 8]}),
     "monthly": pd.DataFrame({"month_start_date": [dt.date(2026,1,1), dt.date(2026,2,1), dt.date(2026,3,1)], "gross_mrr_usd": [1.0, 2.0, 3.0], "churned_patrons": [1, 2, 3], "active_patrons": [10, 20, 30]}),
     "exposure": pd.DataFrame([{"listens": 7000.0, "comments_listens": 3500.0, "first_listens": 100.0, "returning_first_listens_7d": 30.0, "eligible_inactive_revenue_usd": 50.0, "eligible_inactive_creators": 3.0}]),
     "funnel": pd.DataFrame([{"stage": s, "stage_order": i, "creators_reached": 10 - i, "previous_stage_creators": (11 - i) if i else None, "stage_conversion_pct": (100 * (10 - i) / (11 - i)) if i else None} for i, s in enumerate(["eligible", "applied", "approved", "active", "payout"])] + [{"stage": "rejected", "stage_order": 6, "creators_reached": 1, "previous_stage_creators": 9, "stage_conversion_pct": 11.0}]),
     "anomalies": pd.DataFrame([{"metric_date": dt.date(2026,2,10) + dt.timedelta(days=d), "metric": "creator_revenue_usd", "country_code": "DE", "category": None, "creator_tier": None, "value": 50.0, "expected": 100.0, "severity": 4.0 + d, "direction": "drop"} for d in range(3)] + [{"metric_date": dt.date(2026,2,20), "metric": "listens", "country_code": None, "category": None, "creator_tier": None, "value": 5.0, "expected": 10.0, "severity": 3.5, "direction": "drop"}]),
     "explanations": pd.DataFrame([{"metric_date": dt.date(2026,2,12), "metric": "creator_revenue_usd", "country_code": "DE", "category": None, "creator_tier": None, "change_usd": -50.0, "dominant_driver": "cpm", "dominant_share": 0.9, "why": "Creator revenue in DE fell 50% below expected on 2026-02-12.", "drill_down_json": json.dumps([{"segment": "DE · comedy", "change_usd": -30.0}]), **{f"contribution_{d}": -50.0 / len(DRIVERS) for d in DRIVERS}}]),
     "platform_drivers": pd.DataFrame([{"country_code": None, "category": None, "creator_tier": None, "week_start_date": dt.date(2026,2,23), "previous_week_start_date": dt.date(2026,2,16), "creator_revenue_before_usd": 700.0, "creator_revenue_after_usd": 749.0, "change_usd": 49.0, "dominant_driver": "listens", "dominant_share": 0.7, **{f"contribution_{d}": 49.0 / len(DRIVERS) for d in DRIVERS}}]),
     "impact": pd.DataFrame([{"feature": f, "outcome": o, "method": m, "estimand": "e", "estimate": e, "ci_low": lo, "ci_high": hi, "is_causal": c, "n_treated": 10}
        for f, o, m, e, lo, hi, c in [("comments", "return_rate_7d", "did2s", 0.1, 0.05, 0.15, True), ("comments", "listens", "did2s", 0.02, 0.0, 0.04, True), ("comments", "return_rate_7d", "naive", 0.3, 0.2, 0.4, False), ("analytics", "creator_growth", "did2s", 0.0, -0.01, 0.01, True), ("analytics", "creator_growth", "association", 0.02, 0.01, 0.03, False), ("partner_program", "creator_revenue_usd", "matched_did", 0.2, 0.1, 0.3, True)]]),
    }
    return frames


def rendered(frames):
    facts = compute_facts(frames, SEGMENT_KEYS, DRIVERS, CONFIG.anomalies_top, CONFIG.comments.rise_window_weeks)
    blocks = memo_blocks(facts, recommend(facts, CONFIG), CONFIG)
    images = {name: png(fig) for name, fig in figures(facts, CONFIG.partner.max_dropoff_pct).items()}
    return facts, to_markdown(blocks), to_html(blocks, images), images


def test_the_headlines_are_the_last_two_complete_weeks_of_the_frames():
    frames = gold_frames()
    facts, md, page, images = rendered(frames)
    assert (facts.week, facts.previous_week) == (dt.date(2026, 2, 23), dt.date(2026, 2, 16))
    daily = frames["platform_daily"].set_index("metric_date")["creator_revenue_usd"]
    this = sum(daily[dt.date(2026, 2, 23) + dt.timedelta(days=d)] for d in range(7))
    before = sum(daily[dt.date(2026, 2, 16) + dt.timedelta(days=d)] for d in range(7))
    line = next(l for l in md.splitlines() if l.startswith("| Weekly creator revenue |"))
    assert f"${this:,.2f}" in line and f"${before:,.2f}" in line and f"{100 * (this - before) / before:+.1f}%" in line
    assert f"${1000 * this / 7000:,.2f}" in next(l for l in md.splitlines() if l.startswith("| RPM"))


def test_the_anomaly_run_spans_its_consecutive_days_and_reports_its_most_severe_one():
    facts, md, page, images = rendered(gold_frames())
    first = facts.anomalies[0]
    assert (first.start, first.end, first.peak_date, first.severity) == (dt.date(2026, 2, 10), dt.date(2026, 2, 12), dt.date(2026, 2, 12), 6.0)
    assert "| DE | 2026-02-10 to 2026-02-12 | drop |" in md
    why = md[md.index("## Why"):md.index("## What to build next")]
    assert "Not split into drivers" in why and "listens in all segments on 2026-02-20" in why
    assert "Creator revenue in DE fell 50% below expected on 2026-02-12. Drill-down (segment, change against expected): DE · comedy -$30.00" in why


def test_the_html_is_the_markdown_with_the_charts_embedded():
    facts, md, page, images = rendered(gold_frames())
    linked = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", md)
    assert sorted(linked) == sorted(images) and page.count("data:image/png;base64,") == len(images)
    for cell in re.findall(r"\| ([^|]+?) (?=\|)", md):
        assert cell.replace("\\|", "|").replace("&", "&amp;") in page


def test_fewer_than_two_complete_weeks_is_a_one_line_error():
    frames = gold_frames()
    frames["platform_daily"] = frames["platform_daily"].head(10)
    with pytest.raises(CreatorLakeError, match="fewer than two complete weeks"):
        rendered(frames)


def comments_decision_row(md: str) -> str:
    return next(line for line in md.splitlines() if line.startswith("| Improve Comments moderation and prompts |"))


def test_the_comments_guardrails_are_the_weeks_ratios_and_drive_the_comments_rule():
    frames = gold_frames()
    # Listens and reports times `scale`, the rates unchanged: enough reports in the week for their rise to count.
    scale = CONFIG.comments.negative_feedback_min_events // 42 + 1
    frames["platform_daily"] = frames["platform_daily"].assign(listens=lambda f: scale * f["listens"],
                                                               negative_feedback=lambda f: scale * f["negative_feedback"])
    facts, md, page, images = rendered(frames)
    # The latest complete week is 2026-02-23 (days 21-27): 8 spam, 2 removed of 100 comments a day, 6 reports per 1,000 listens.
    assert "| Spam share of comments | 8.00% | 7.00% | gold.fct_segment_daily_metrics |" in md
    assert "| Comments removed by moderation | 2.00% | 2.00% | gold.fct_segment_daily_metrics |" in md
    assert "| Negative feedback per 1,000 listens | 6.00 | 5.00 | gold.fct_segment_daily_metrics |" in md
    assert facts.guardrail("Negative feedback per 1,000 listens").current_events == 42 * scale
    # Churn: 13 of 2,000 listeners at risk a day (0.65%) against 12 (0.60%); 3 of 400 pledges (0.75%) against 2.
    assert "| Listener churn from a creator (daily, of listeners at risk) | 0.65% | 0.60% | gold.fct_segment_daily_metrics |" in md
    assert "| Pledge churn (daily, of active pledges) | 0.75% | 0.50% | gold.fct_segment_daily_metrics |" in md
    decision = comments_decision_row(md)
    assert "| build |" in decision and "spam share of comments and negative feedback rise beyond their thresholds" in decision


def test_the_comments_rule_compares_the_latest_week_with_the_week_its_window_before():
    # Four complete weeks, fewer than the window needs: the rule starts from the earliest (5 spam a day in 100).
    facts, md, page, images = rendered(gold_frames())
    trend = facts.comments_trend
    assert (trend.start, trend.end) == (dt.date(2026, 2, 2), dt.date(2026, 2, 23))
    assert "went from 5.00% in the week of 2026-02-02 to 8.00% in the week of 2026-02-23" in comments_decision_row(md)
    # Ten complete weeks: the window's own start, rise_window_weeks before the latest week.
    frames = gold_frames()
    days = pd.date_range("2026-02-02", periods=70)
    frames["platform_daily"] = pd.DataFrame({"metric_date": days.date, "listens": 1000, "creator_revenue_usd": 100.0, "comments": 100,
                                             "spam_comments": [5 + i // 7 for i in range(70)], "removed_comments": 2, "negative_feedback": 3,
                                             "listeners_at_risk": 2000, "churned_listeners": 10, "pledges_at_risk": 400, "churned_pledges": 1})
    trend = rendered(frames)[0].comments_trend
    weeks = CONFIG.comments.rise_window_weeks
    assert trend.end == dt.date(2026, 4, 6) and trend.start == trend.end - dt.timedelta(weeks=weeks) and trend.weeks == weeks
    spam = trend.guardrail("Spam share of comments")
    assert (spam.previous.value, spam.current.value) == pytest.approx((5.0 + 9 - weeks, 14.0))


def test_a_rise_of_few_reports_leaves_only_the_spam_share_to_drive_the_rule():
    facts, md, page, images = rendered(gold_frames())
    assert facts.guardrail("Negative feedback per 1,000 listens").current_events == 42   # 6 a day over 1,000 listens
    decision = comments_decision_row(md)
    assert "| build |" in decision and "while the spam share of comments rises" in decision


def test_a_week_without_comments_has_no_spam_share():
    frames = gold_frames()
    frames["platform_daily"] = frames["platform_daily"].assign(comments=0, spam_comments=0, removed_comments=0)
    facts, md, page, images = rendered(frames)
    assert facts.guardrail("Spam share of comments").current.value is None
    assert "| Spam share of comments | n/a | n/a |" in md
