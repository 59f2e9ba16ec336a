"""`conf/anomaly.yml`: metric rules for detection and root-cause settings, validated strictly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from creatorlake.anomaly.schema import METRIC_COLUMNS
from creatorlake.core.config import conf_dir, read_yaml
from creatorlake.core.errors import ConfigError

CONF_FILE_NAME = "anomaly.yml"
BASELINES = ("mean", "median", "stl")
SEASONALITIES = ("none", "weekday", "weekday_profile")
RULE_OPTIONS = ("window", "min_points", "threshold", "seasonality", "baseline", "min_volume", "min_relative_scale", "volume_column", "payouts")
PAYOUTS = ("scored", "scheduled")
# Metrics that hold partner payouts, so `payouts: scheduled` means something for them.
PAYOUT_METRICS = ("creator_revenue_usd", "rpm")
TOP_LEVEL = ("tables", "volume_column", "defaults", "metrics", "rootcause")
TABLE_KEYS = ("source", "anomalies", "drivers", "explanations")
ROOTCAUSE_OPTIONS = ("revenue_metrics", "drill_down_top")
REVENUE_METRICS = ("creator_revenue_usd", "ad_revenue_usd", "subscription_revenue_usd", "rpm")


@dataclass(frozen=True)
class MetricRule:
    """How one metric is scored: the trailing baseline and the flag threshold."""

    metric: str
    window: int = 28
    min_points: int = 14
    threshold: float = 3.0
    seasonality: str = "none"
    baseline: str = "mean"
    min_volume: float = 0.0
    min_relative_scale: float = 0.01
    volume_column: str = "listens"
    # "scheduled": partner payouts are monthly disbursements known in advance, so
    # they are taken out of the scored series and added to its expected value.
    payouts: str = "scored"

    @property
    def step(self) -> int:
        """Days between two points of one baseline series."""
        return 7 if self.seasonality == "weekday" else 1

    @property
    def expected_points(self) -> int:
        """Points the expected value is the mean of: the same weekday's only with any weekday seasonality."""
        return self.window // 7 if self.seasonality in ("weekday", "weekday_profile") else self.window

    @property
    def lags(self) -> int:
        """Points a full trailing window holds."""
        return self.window // self.step

    @property
    def method(self) -> str:
        name = {"mean": "zscore", "median": "mad", "stl": "stl"}[self.baseline]
        return f"{name}_{self.seasonality}" if self.seasonality != "none" and self.baseline != "stl" else name

    @property
    def group(self) -> tuple[Any, ...]:
        """Rules sharing a group are scored in one pass over the data."""
        return (self.baseline, self.seasonality, self.window, self.volume_column)


@dataclass(frozen=True)
class AnomalyConfig:
    rules: tuple[MetricRule, ...]
    source_table: str = "fct_segment_daily_metrics"
    anomalies_table: str = "metric_anomalies"
    drivers_table: str = "revenue_change_drivers"
    explanations_table: str = "anomaly_explanations"
    revenue_metrics: tuple[str, ...] = ("creator_revenue_usd", "ad_revenue_usd", "subscription_revenue_usd")
    drill_down_top: int = 3

    def rule(self, metric: str) -> MetricRule:
        for rule in self.rules:
            if rule.metric == metric:
                return rule
        raise ConfigError(f"no rule for metric '{metric}'")


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where} must be a mapping, not {type(value).__name__}")
    return value


def _unknown(keys: Any, known: tuple[str, ...], where: str, what: str) -> None:
    extra = sorted(set(keys) - set(known))
    if extra:
        raise ConfigError(f"{where}: unknown {what} '{extra[0]}' (known: {', '.join(known)})")


def _number(value: Any, where: str, kind: type, minimum: float) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and not isinstance(value, int)):
        raise ConfigError(f"{where} must be {'an integer' if kind is int else 'a number'}, got {value!r}")
    if value < minimum:
        raise ConfigError(f"{where} must be >= {minimum}, got {value!r}")
    return kind(value)


def _choice(value: Any, choices: tuple[str, ...], where: str) -> str:
    if value not in choices:
        raise ConfigError(f"{where} must be one of {', '.join(choices)}, got {value!r}")
    return value


def parse_rule(metric: str, options: Mapping[str, Any], where: str, volume_column: str = "listens") -> MetricRule:
    _unknown(options, RULE_OPTIONS, where, "option")
    rule = MetricRule(
        metric=metric,
        window=_number(options.get("window", 28), f"{where}.window", int, 1),
        min_points=_number(options.get("min_points", 14), f"{where}.min_points", int, 2),
        threshold=_number(options.get("threshold", 3.0), f"{where}.threshold", float, 0.0),
        seasonality=_choice(options.get("seasonality", "none"), SEASONALITIES, f"{where}.seasonality"),
        baseline=_choice(options.get("baseline", "mean"), BASELINES, f"{where}.baseline"),
        min_volume=_number(options.get("min_volume", 0), f"{where}.min_volume", float, 0.0),
        min_relative_scale=_number(options.get("min_relative_scale", 0.01), f"{where}.min_relative_scale", float, 0.0),
        volume_column=_choice(options.get("volume_column", volume_column), METRIC_COLUMNS, f"{where}.volume_column"),
        payouts=_choice(options.get("payouts", "scored"), PAYOUTS, f"{where}.payouts"),
    )
    if rule.payouts == "scheduled" and metric not in PAYOUT_METRICS:
        raise ConfigError(f"{where}: payouts: scheduled applies only to metrics holding partner payouts ({', '.join(PAYOUT_METRICS)})")
    if rule.threshold <= 0:
        raise ConfigError(f"{where}.threshold must be > 0, got {rule.threshold!r}")
    if rule.seasonality == "weekday_profile" and rule.baseline != "mean":
        raise ConfigError(f"{where}: seasonality weekday_profile needs baseline mean, got {rule.baseline}")
    if rule.seasonality != "none" and rule.window % 7:
        raise ConfigError(f"{where}: a weekday baseline needs a window in whole weeks, got {rule.window} days")
    if rule.lags < rule.min_points:
        unit = "same-weekday points" if rule.seasonality == "weekday" else "days"
        raise ConfigError(f"{where}: window {rule.window} ({rule.lags} {unit}) is shorter than min_points {rule.min_points}")
    if rule.baseline == "stl" and rule.min_points < 14:
        raise ConfigError(f"{where}: an stl baseline needs min_points >= 14 (two weekly periods), got {rule.min_points}")
    return rule


def parse_anomaly_config(raw: Mapping[str, Any], where: str = CONF_FILE_NAME) -> AnomalyConfig:
    """Validate the parsed YAML; every way it can be wrong is a one-line ConfigError."""
    _unknown(raw, TOP_LEVEL, where, "key")
    tables = _mapping(raw.get("tables"), f"{where}: tables")
    _unknown(tables, TABLE_KEYS, f"{where}: tables", "table")
    defaults = _mapping(raw.get("defaults"), f"{where}: defaults")
    _unknown(defaults, RULE_OPTIONS, f"{where}: defaults", "option")
    metrics = _mapping(raw.get("metrics"), f"{where}: metrics")
    if not metrics:
        raise ConfigError(f"{where}: metrics must list at least one metric")
    volume_column = raw.get("volume_column", "listens")
    if volume_column not in METRIC_COLUMNS:
        raise ConfigError(f"{where}: unknown volume_column '{volume_column}'")
    rules = []
    for metric, options in metrics.items():
        if metric not in METRIC_COLUMNS:
            raise ConfigError(f"{where}: unknown metric '{metric}' (known: {', '.join(METRIC_COLUMNS)})")
        merged = {**defaults, **_mapping(options, f"{where}: metrics.{metric}")}
        rules.append(parse_rule(metric, merged, f"{where}: metrics.{metric}", volume_column))
    rootcause = _mapping(raw.get("rootcause"), f"{where}: rootcause")
    _unknown(rootcause, ROOTCAUSE_OPTIONS, f"{where}: rootcause", "option")
    revenue_metrics = tuple(rootcause.get("revenue_metrics", ("creator_revenue_usd", "ad_revenue_usd", "subscription_revenue_usd")))
    for metric in revenue_metrics:
        if metric not in REVENUE_METRICS:
            raise ConfigError(f"{where}: rootcause.revenue_metrics: '{metric}' is not a revenue metric (known: {', '.join(REVENUE_METRICS)})")
    for name, value in tables.items():
        if not isinstance(value, str) or not value.replace("_", "").isalnum():
            raise ConfigError(f"{where}: tables.{name} must be a plain table name, got {value!r}")
    return AnomalyConfig(
        rules=tuple(rules),
        source_table=tables.get("source", "fct_segment_daily_metrics"),
        anomalies_table=tables.get("anomalies", "metric_anomalies"),
        drivers_table=tables.get("drivers", "revenue_change_drivers"),
        explanations_table=tables.get("explanations", "anomaly_explanations"),
        revenue_metrics=revenue_metrics,
        drill_down_top=_number(rootcause.get("drill_down_top", 3), f"{where}: rootcause.drill_down_top", int, 1),
    )


def load_anomaly_config(path: str | Path | None = None) -> AnomalyConfig:
    """Read `conf/anomaly.yml` (or `path`)."""
    path = Path(path) if path else conf_dir() / CONF_FILE_NAME
    return parse_anomaly_config(read_yaml(path), where=str(path))
