"""The memo's recommendation rules on hand-built facts, both ways, and memo.yml's validation."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from creatorlake.core.config import PACKAGED_CONF, read_yaml
from creatorlake.core.errors import ConfigError
from creatorlake.memo.config import load_memo_config, parse_memo_config
from creatorlake.memo.facts import Effect, Fact, FunnelStep, Guardrail, GuardrailTrend
from creatorlake.memo.rules import BUILD, HOLD, UNDECIDED, analytics_rule, comments_rule, partner_rules

CONFIG = load_memo_config()
RAW = read_yaml(PACKAGED_CONF / "memo.yml")
SRC = "gold.test"


def effect(feature: str, outcome: str, method: str, estimate: float, low: float, high: float, causal: bool = True) -> Effect:
    return Effect(feature, outcome, method, "estimand", estimate, low, high, causal, 40)


def guardrail(name: str, current: float | None, previous: float | None, events: int | None = None) -> Guardrail:
    return Guardrail(name, "pct", Fact(current, SRC), Fact(previous, SRC), events)


RULE = CONFIG.comments
LIFT = effect("comments", RULE.outcome, RULE.method, 0.08, 0.03, 0.13)
NO_LIFT = effect("comments", RULE.outcome, RULE.method, 0.01, -0.02, 0.04)
STEADY_FEEDBACK = guardrail("Negative feedback per 1,000 listens", 2.0, 2.0)


def spam_rising_by(pp: float) -> Guardrail:
    return guardrail("Spam share of comments", 3.0 + pp, 3.0)


def over_the_window(spam: Guardrail, feedback: Guardrail) -> GuardrailTrend:
    end = dt.date(2026, 3, 30)
    return GuardrailTrend(end - dt.timedelta(weeks=RULE.rise_window_weeks), end, (spam, feedback))


def test_a_retention_lift_with_rising_spam_recommends_moderation():
    r = comments_rule(LIFT, over_the_window(spam_rising_by(RULE.spam_share_rise_pp + 1), STEADY_FEEDBACK), RULE)
    assert r.decision == BUILD and r.action.startswith("Improve Comments moderation")
    assert "spam share" in r.reason and f"{RULE.spam_share_rise_pp:g} percentage points" in r.stated_rule
    # The reason gives both ends of the window in numbers; the stated rule names the window.
    rise = 3.0 + RULE.spam_share_rise_pp + 1
    assert f"went from 3.00% in the week of 2026-03-02 to {rise:.2f}% in the week of 2026-03-30" in r.reason
    assert f"over {RULE.rise_window_weeks} weeks" in r.reason and f"over {RULE.rise_window_weeks} weeks" in r.stated_rule


def feedback_rising(events: int) -> Guardrail:
    return guardrail("Negative feedback per 1,000 listens", 2.0 * (1 + (RULE.negative_feedback_rise_pct + 5) / 100), 2.0, events)


def test_rising_negative_feedback_alone_also_recommends_moderation():
    assert comments_rule(LIFT, over_the_window(spam_rising_by(0), feedback_rising(RULE.negative_feedback_min_events)), RULE).decision == BUILD


def test_a_feedback_rise_on_too_few_events_is_not_a_reason_and_the_reason_says_so():
    r = comments_rule(LIFT, over_the_window(spam_rising_by(0), feedback_rising(RULE.negative_feedback_min_events - 1)), RULE)
    assert r.decision == HOLD
    assert f"on {RULE.negative_feedback_min_events - 1:,} events, fewer than the {RULE.negative_feedback_min_events:,}" in r.reason
    assert f"at least {RULE.negative_feedback_min_events:,} negative feedback events" in r.stated_rule


def test_no_lift_means_no_moderation_recommendation_even_with_rising_spam():
    r = comments_rule(NO_LIFT, over_the_window(spam_rising_by(RULE.spam_share_rise_pp + 5), STEADY_FEEDBACK), RULE)
    assert r.decision == HOLD and "not shown to raise" in r.reason


def test_a_naive_lift_is_not_a_reason_to_build():
    naive = effect("comments", RULE.outcome, RULE.method, 0.3, 0.2, 0.4, causal=False)
    assert comments_rule(naive, over_the_window(spam_rising_by(RULE.spam_share_rise_pp + 5), STEADY_FEEDBACK), RULE).decision == HOLD


def test_a_lift_with_guardrails_holding_is_no_moderation_work():
    r = comments_rule(LIFT, over_the_window(spam_rising_by(RULE.spam_share_rise_pp / 2), STEADY_FEEDBACK), RULE)
    assert r.decision == HOLD and "neither" in r.reason


def test_unmeasured_guardrails_say_the_rule_cannot_be_satisfied():
    r = comments_rule(LIFT, over_the_window(guardrail("Spam share of comments", None, None), guardrail("Negative feedback per 1,000 listens", None, None)), RULE)
    assert r.decision == UNDECIDED and "not measured" in r.reason and "cannot be satisfied" in r.reason


A = CONFIG.analytics


def test_association_only_analytics_is_said_to_be_associated_not_causal():
    causal = effect("analytics", A.outcome, A.method, 0.002, -0.004, 0.008)
    association = effect("analytics", A.outcome, A.association_method, 0.03, 0.02, 0.04, causal=False)
    r = analytics_rule(causal, association, A)
    assert r.decision == HOLD and "associated" in r.reason and "not shown to cause" in r.reason


def test_a_causal_growth_effect_recommends_redesigning_onboarding():
    causal = effect("analytics", A.outcome, A.method, 0.02, 0.01, 0.03)
    r = analytics_rule(causal, effect("analytics", A.outcome, A.association_method, 0.03, 0.02, 0.04, causal=False), A)
    assert r.decision == BUILD and r.action == "Redesign Analytics onboarding" and "shown to cause growth" in r.reason


def test_a_funnel_step_is_optimized_exactly_when_its_dropoff_exceeds_its_threshold():
    limits = CONFIG.partner.max_dropoff_pct
    step, limit = next(iter(limits.items()))
    over = FunnelStep(step, 10, 100, 100 - limit - 1)     # drop-off limit + 1
    under = FunnelStep(step, 10, 100, 100 - limit + 1)    # drop-off limit - 1
    assert [r.decision for r in partner_rules([over], CONFIG.partner)] == [BUILD]
    assert [r.decision for r in partner_rules([under], CONFIG.partner)] == [HOLD]
    assert f"{step} {limit:g}%" in partner_rules([over], CONFIG.partner)[0].stated_rule


def test_the_shipped_rule_judges_the_activation_steps_not_the_scheduled_payout():
    # A payout comes a month after activation: in a short window the members activated last month have none yet.
    assert list(CONFIG.partner.max_dropoff_pct) == ["applied", "approved", "active"]
    censored = FunnelStep("payout", 6, 20, 30.0)   # 70% drop-off
    assert partner_rules([censored], CONFIG.partner)[0].decision == UNDECIDED


def bad(path: tuple[str, ...], value) -> dict:
    raw = copy.deepcopy(RAW)
    node = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return raw


@pytest.mark.parametrize("path, value, message", [
    (("anomalies_top",), 0, "anomalies_top must be a positive integer"),
    (("rules", "comments_moderation", "method"), "naive", "comments_moderation.method must be one of"),
    (("rules", "comments_moderation", "spam_share_rise_pp"), "lots", "spam_share_rise_pp must be"),
    (("rules", "comments_moderation", "negative_feedback_min_events"), -1, "negative_feedback_min_events must be"),
    (("rules", "comments_moderation", "rise_window_weeks"), 0, "rise_window_weeks must be"),
    (("rules", "analytics_onboarding", "method"), "association", "analytics_onboarding.method must be one of"),
    (("rules", "partner_activation", "max_dropoff_pct"), {"signup": 10}, "unknown funnel step 'signup'"),
    (("rules", "moderation"), {}, "unknown rule 'moderation'"),
])
def test_a_bad_memo_yml_is_a_one_line_error_naming_the_value(path, value, message):
    with pytest.raises(ConfigError, match=message) as info:
        parse_memo_config(bad(path, value))
    assert "\n" not in str(info.value)


def test_a_missing_threshold_is_named():
    raw = copy.deepcopy(RAW)
    del raw["rules"]["comments_moderation"]["negative_feedback_rise_pct"]
    with pytest.raises(ConfigError, match="missing key 'negative_feedback_rise_pct'"):
        parse_memo_config(raw)
