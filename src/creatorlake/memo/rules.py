"""What to build next: the rules of memo.yml applied to the facts. Each returns its decision and the reason,
with the numbers and thresholds it used, so the memo states why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from creatorlake.memo.config import AnalyticsRule, CommentsRule, MemoConfig, PartnerRule
from creatorlake.memo.facts import Effect, FunnelStep, Guardrail, GuardrailTrend, MemoFacts

BUILD, HOLD, UNDECIDED = "build", "do not build", "cannot decide"


@dataclass(frozen=True)
class Recommendation:
    rule: str
    action: str
    decision: str  # BUILD, HOLD or UNDECIDED
    reason: str
    stated_rule: str


def ci(effect: Effect) -> str:
    return f"{effect.estimate:+.3f} (95% CI {effect.ci_low:+.3f} to {effect.ci_high:+.3f})"


def guardrail_value(g: Guardrail, value: float | None) -> str:
    """A guardrail's value as the memo prints it: '9.92%' (a percentage), '2.31' (per 1,000 listens) or 'n/a'."""
    if value is None:
        return "n/a"
    return f"{value:.2f}%" if g.unit == "pct" else f"{value:.2f}"


def _moved(g: Guardrail, trend: GuardrailTrend) -> str:
    """'spam share of comments went from 6.69% in the week of 2026-03-02 to 9.88% in the week of 2026-03-30'."""
    return (f"{g.name[0].lower()}{g.name[1:]} went from {guardrail_value(g, g.previous.value)} in the week of {trend.start} "
            f"to {guardrail_value(g, g.current.value)} in the week of {trend.end}")


def comments_rule(effect: Effect | None, trend: GuardrailTrend, rule: CommentsRule) -> Recommendation:
    stated = (f"Improve Comments moderation and prompts if Comments raise {rule.outcome} ({rule.method}: causal 95% CI above 0) while, over "
              f"{rule.rise_window_weeks} weeks (the latest complete week against the complete week {rule.rise_window_weeks} weeks before), "
              f"the spam share of comments rises by more than {rule.spam_share_rise_pp:g} percentage points or negative feedback per 1,000 "
              f"listens rises by more than {rule.negative_feedback_rise_pct:g}% (counted on at least {rule.negative_feedback_min_events:,} "
              "negative feedback events in the latest week).")
    action = "Improve Comments moderation and prompts"

    def decide(decision: str, reason: str) -> Recommendation:
        return Recommendation("comments_moderation", action, decision, reason, stated)

    if effect is None:
        return decide(UNDECIDED, f"gold.feature_impact has no {rule.method} estimate of Comments on {rule.outcome}.")
    if not (effect.is_causal and effect.above_zero):
        return decide(HOLD, f"Comments are not shown to raise {rule.outcome}: {ci(effect)} is not above 0.")
    lift = f"Comments raise {rule.outcome}: {ci(effect)}"
    spam, feedback = trend.guardrail("Spam share of comments"), trend.guardrail("Negative feedback per 1,000 listens")
    spam_up = spam.change is not None and spam.change > rule.spam_share_rise_pp
    previous_feedback = feedback.previous.value if feedback.measured else None
    feedback_rise_pct = 100 * feedback.change / previous_feedback if feedback.change is not None and previous_feedback else None
    events = feedback.current_events or 0
    feedback_rises = feedback_rise_pct is not None and feedback_rise_pct > rule.negative_feedback_rise_pct
    # A rise on few events is chance as often as not: it counts only on enough of them.
    too_few_events = feedback_rises and events < rule.negative_feedback_min_events
    feedback_up = feedback_rises and not too_few_events
    if not spam.measured and not feedback.measured:
        return decide(UNDECIDED, f"{lift}, but the spam share of comments and negative feedback are not measured this week (gold has no "
                                 "comments or listens to divide by), so the rule cannot be satisfied without them.")
    moves = "; ".join(_moved(g, trend) for g in (spam, feedback))
    if spam_up or feedback_up:
        rising = " and ".join(name for name, up in (("the spam share of comments", spam_up), ("negative feedback", feedback_up)) if up)
        rises = "rise beyond their thresholds" if spam_up and feedback_up else "rises beyond its threshold"
        return decide(BUILD, f"{lift}, while {rising} {rises} over {trend.weeks} weeks: {moves}.")
    chance = (f" (negative feedback rose {feedback_rise_pct:.1f}%, but on {events:,} events, fewer than the "
              f"{rule.negative_feedback_min_events:,} that tell a rise from chance)") if too_few_events else ""
    return decide(HOLD, f"{lift}, and neither the spam share of comments nor negative feedback rises beyond its threshold over "
                        f"{trend.weeks} weeks{chance}: {moves}.")


def analytics_rule(causal: Effect | None, association: Effect | None, rule: AnalyticsRule) -> Recommendation:
    stated = (f"Redesign Analytics onboarding if adopting Creator Analytics is shown to cause growth ({rule.method} on {rule.outcome}: causal 95% CI "
              f"above 0); an association ({rule.association_method}) alone is not enough.")
    action = "Redesign Analytics onboarding"

    def decide(decision: str, reason: str) -> Recommendation:
        return Recommendation("analytics_onboarding", action, decision, reason, stated)

    if causal is not None and causal.is_causal and causal.above_zero:
        return decide(BUILD, f"adoption is shown to cause growth: {ci(causal)} log points per week.")
    shown = f"the causal estimate is {ci(causal)}, which is not above 0" if causal is not None else f"gold.feature_impact has no {rule.method} estimate"
    if association is not None and association.estimate > 0:
        return decide(HOLD, f"Analytics adoption is associated with growth ({rule.association_method} {ci(association)}), not shown to cause it: {shown}.")
    if association is None:
        return decide(HOLD, f"not shown to cause growth: {shown}, and there is no {rule.association_method} estimate.")
    return decide(HOLD, f"Analytics adoption shows no positive association with growth and is not shown to cause it: {shown}.")


def partner_rules(funnel: Sequence[FunnelStep], rule: PartnerRule) -> tuple[Recommendation, ...]:
    stated = ("Optimize a Partner Program activation step when its drop-off (100 - stage conversion %) exceeds its threshold: "
              + ", ".join(f"{step} {limit:g}%" for step, limit in rule.max_dropoff_pct.items()) + ".")
    out = []
    for step in funnel:
        limit = rule.max_dropoff_pct.get(step.stage)
        if limit is None or step.dropoff_pct is None:
            continue
        over = step.dropoff_pct > limit
        reason = (f"{step.dropoff_pct:.1f}% of the {step.previous_stage_creators:,} creators at the step before do not reach {step.stage} "
                  f"({step.creators_reached:,} do); threshold {limit:g}%.")
        out.append(Recommendation("partner_activation", f"Optimize the Partner Program step to {step.stage}", BUILD if over else HOLD, reason, stated))
    if not out:
        out.append(Recommendation("partner_activation", "Optimize Partner Program activation steps", UNDECIDED,
                                  "gold.fct_partner_funnel has no conversion for any configured step.", stated))
    return tuple(out)


def recommend(facts: MemoFacts, config: MemoConfig) -> tuple[Recommendation, ...]:
    c, a = config.comments, config.analytics
    return (
        comments_rule(facts.effect("comments", c.outcome, c.method), facts.comments_trend, c),
        analytics_rule(facts.effect("analytics", a.outcome, a.method), facts.effect("analytics", a.outcome, a.association_method), a),
        *partner_rules(facts.funnel, config.partner),
    )
