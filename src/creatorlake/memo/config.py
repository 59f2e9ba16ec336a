"""memo.yml: the memo's recommendation rules and thresholds, validated strictly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from creatorlake.core import validate
from creatorlake.core.config import Settings, conf_dir, read_yaml
from creatorlake.core.errors import ConfigError

CONF_FILE_NAME = "memo.yml"
TOP_LEVEL = ("anomalies_top", "rules")
RULES = ("comments_moderation", "analytics_onboarding", "partner_activation")
COMMENTS_KEYS = ("outcome", "method", "rise_window_weeks", "spam_share_rise_pp", "negative_feedback_rise_pct", "negative_feedback_min_events")
ANALYTICS_KEYS = ("outcome", "method", "association_method")
PARTNER_KEYS = ("max_dropoff_pct",)
# The funnel steps a drop-off is measured into (gold.fct_partner_funnel, after `eligible`).
FUNNEL_STEPS = ("applied", "approved", "active", "payout")
COMMENTS_OUTCOMES = ("return_rate_7d", "follows_per_1k_listens", "listens")
CAUSAL_METHODS = ("twfe", "did2s", "episode_fe", "psm")
ANALYTICS_CAUSAL_METHODS = ("twfe", "did2s")
ASSOCIATION_METHODS = ("association", "lagged_regression")


@dataclass(frozen=True)
class CommentsRule:
    outcome: str
    method: str
    rise_window_weeks: int
    spam_share_rise_pp: float
    negative_feedback_rise_pct: float
    negative_feedback_min_events: int


@dataclass(frozen=True)
class AnalyticsRule:
    outcome: str
    method: str
    association_method: str


@dataclass(frozen=True)
class PartnerRule:
    max_dropoff_pct: Mapping[str, float]


@dataclass(frozen=True)
class MemoConfig:
    anomalies_top: int
    comments: CommentsRule
    analytics: AnalyticsRule
    partner: PartnerRule


def _section(raw: Mapping[str, Any], name: str, keys: tuple[str, ...], where: str) -> Mapping[str, Any]:
    section = validate.mapping(validate.required(raw, name, where), f"{where}.{name}")
    validate.known_keys(section, keys, f"{where}.{name}")
    for key in keys:
        validate.required(section, key, f"{where}.{name}")
    return section


def parse_memo_config(raw: Mapping[str, Any], where: str = CONF_FILE_NAME) -> MemoConfig:
    """Validate the parsed YAML; every way it can be wrong is a one-line ConfigError."""
    validate.known_keys(raw, TOP_LEVEL, where)
    rules = validate.mapping(validate.required(raw, "rules", where), f"{where}: rules")
    validate.known_keys(rules, RULES, f"{where}: rules", "rule")
    at = f"{where}: rules"
    c = _section(rules, "comments_moderation", COMMENTS_KEYS, at)
    a = _section(rules, "analytics_onboarding", ANALYTICS_KEYS, at)
    p = _section(rules, "partner_activation", PARTNER_KEYS, at)
    dropoff = validate.mapping(p["max_dropoff_pct"], f"{at}.partner_activation.max_dropoff_pct")
    validate.known_keys(dropoff, FUNNEL_STEPS, f"{at}.partner_activation.max_dropoff_pct", "funnel step")
    if not dropoff:
        raise ConfigError(f"{at}.partner_activation.max_dropoff_pct must name at least one funnel step")
    cw, aw = f"{at}.comments_moderation", f"{at}.analytics_onboarding"
    return MemoConfig(
        anomalies_top=validate.integer(validate.required(raw, "anomalies_top", where), f"{where}: anomalies_top", 1),
        comments=CommentsRule(
            outcome=validate.choice(c["outcome"], COMMENTS_OUTCOMES, f"{cw}.outcome"),
            method=validate.choice(c["method"], CAUSAL_METHODS, f"{cw}.method"),
            rise_window_weeks=validate.integer(c["rise_window_weeks"], f"{cw}.rise_window_weeks", 1),
            spam_share_rise_pp=validate.number(c["spam_share_rise_pp"], f"{cw}.spam_share_rise_pp", 0.0),
            negative_feedback_rise_pct=validate.number(c["negative_feedback_rise_pct"], f"{cw}.negative_feedback_rise_pct", 0.0),
            negative_feedback_min_events=validate.integer(c["negative_feedback_min_events"], f"{cw}.negative_feedback_min_events", 0),
        ),
        analytics=AnalyticsRule(
            outcome=validate.choice(a["outcome"], ("creator_growth",), f"{aw}.outcome"),
            method=validate.choice(a["method"], ANALYTICS_CAUSAL_METHODS, f"{aw}.method"),
            association_method=validate.choice(a["association_method"], ASSOCIATION_METHODS, f"{aw}.association_method"),
        ),
        partner=PartnerRule({step: validate.number(value, f"{at}.partner_activation.max_dropoff_pct.{step}", 0.0)
                             for step, value in dropoff.items()}),
    )


def load_memo_config(path: str | Path | None = None, settings: Settings | None = None) -> MemoConfig:
    """Read `path`, else memo.yml of the settings' config directory (else of the default one)."""
    path = Path(path) if path else (settings.conf_dir if settings is not None else conf_dir()) / CONF_FILE_NAME
    return parse_memo_config(read_yaml(path), where=str(path))
