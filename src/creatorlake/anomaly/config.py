"""anomaly.yml: metric rules for detection and root-cause settings, validated strictly."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping

from creatorlake.anomaly.schema import METRIC_COLUMNS
from creatorlake.core import validate
from creatorlake.metrics import catalog
from creatorlake.core.config import Settings, conf_dir, read_yaml
from creatorlake.core.errors import ConfigError

CONF_FILE_NAME = "anomaly.yml"
BASELINES = ("mean", "median", "stl")
SEASONALITIES = ("none", "weekday", "weekday_profile")
RULE_OPTIONS = ("window", "min_points", "threshold", "seasonality", "baseline", "min_volume", "min_relative_scale", "volume_column", "payouts", "new_normal_days",
                "pooled_days")
PAYOUTS = ("scored", "scheduled")
TOP_LEVEL = ("tables", "volume_column", "defaults", "metrics", "rootcause", "alerts")
TABLE_KEYS = ("source", "anomalies", "scored", "drivers", "explanations", "health", "alerts")
ROOTCAUSE_OPTIONS = ("revenue_metrics", "drill_down_top", "driver_led_share")
ALERT_OPTIONS = ("severity", "health")
HEALTH_ALERT_OPTIONS = ("min_active_patrons",)
# Alert levels, mildest first, with their default |z| bounds: a level "or worse" is every level from it on.
DEFAULT_SEVERITY = (("warning", 4.0), ("critical", 8.0))
ALERT_LEVELS = tuple(level for level, _ in DEFAULT_SEVERITY)
# The revenue streams of the catalog's driver tree and the North Star, each with the
# drivers it is a product of (the North Star: every product stream's drivers).
REVENUE_DRIVERS: dict[str, tuple[str, ...]] = {
    **{s.value: s.factors for s in catalog.STREAMS if s.factors},
    catalog.NORTH_STAR: tuple(f for s in catalog.STREAMS for f in s.factors),
}


# The North Star per unit of something (rpm: per 1,000 listens).
_PER_UNIT = tuple(m.name for m in catalog.METRICS if m.kind == "ratio" and m.numerator == catalog.NORTH_STAR)
# Metrics that hold partner payouts, so `payouts: scheduled` means something for them:
# the North Star (the partner stream is one of its parts) and the ratios over it.
PAYOUT_METRICS = (catalog.NORTH_STAR, *_PER_UNIT)
# Revenue-type metrics, which root cause explains: the product streams, the North Star and the ratios over it.
REVENUE_METRICS = (*REVENUE_DRIVERS, *_PER_UNIT)


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
    # A run of consecutive same-direction outlier days longer than this is a new
    # normal (a persisting level shift): its later days are not flagged.
    new_normal_days: int = 7
    # Also flag a day when the z-scores of it and the days before it, this many in all, combine
    # to the threshold and the day moved that way (detect.pooled_flags); None: days are judged
    # one at a time only.
    pooled_days: int | None = None

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
class AlertConfig:
    """When a new anomaly or health status is an alert, and of which level (docs/alerts.md)."""

    # An anomaly on the latest day scored is an alert of the most severe level whose
    # |z| bound it reaches; under the warning bound it is no alert.
    severity: tuple[tuple[str, float], ...]
    # A creator's health statuses alert only when it had at least this many active
    # patrons that month: a handful of patrons makes every churn a double-digit rate.
    min_active_patrons: int = 20

    def bound(self, level: str) -> float:
        """The |z| at or above which an anomaly is an alert of `level`."""
        return dict(self.severity)[level]

    def levels_from(self, level: str) -> tuple[str, ...]:
        """The level and every worse one."""
        return ALERT_LEVELS[ALERT_LEVELS.index(level):]



def parse_alerts(raw: Any, where: str) -> AlertConfig:
    alerts = validate.mapping(raw, f"{where}: alerts")
    validate.known_keys(alerts, ALERT_OPTIONS, f"{where}: alerts", "option")
    severity = validate.mapping(alerts.get("severity"), f"{where}: alerts.severity")
    validate.known_keys(severity, ALERT_LEVELS, f"{where}: alerts.severity", "level")
    bounds = {level: validate.number(severity.get(level, default), f"{where}: alerts.severity.{level}", above=0)
              for level, default in DEFAULT_SEVERITY}
    for milder, worse in zip(ALERT_LEVELS, ALERT_LEVELS[1:]):
        if bounds[worse] < bounds[milder]:
            raise ConfigError(f"{where}: alerts.severity.{worse} ({bounds[worse]}) is below alerts.severity.{milder} ({bounds[milder]})")
    health = validate.mapping(alerts.get("health"), f"{where}: alerts.health")
    validate.known_keys(health, HEALTH_ALERT_OPTIONS, f"{where}: alerts.health", "option")
    min_active_patrons = health.get("min_active_patrons", _default(AlertConfig, "min_active_patrons"))
    return AlertConfig(severity=tuple(bounds.items()), min_active_patrons=validate.integer(min_active_patrons, f"{where}: alerts.health.min_active_patrons", 0))


@dataclass(frozen=True)
class AnomalyConfig:
    rules: tuple[MetricRule, ...]
    source_table: str = "fct_segment_daily_metrics"
    anomalies_table: str = "metric_anomalies"
    # Points scored per metric: the false alarm rate's denominator, which the anomalies alone do not hold.
    scored_table: str = "metric_scored_points"
    drivers_table: str = "revenue_change_drivers"
    explanations_table: str = "anomaly_explanations"
    # The creator-month mart whose health statuses alert, and the history of raised alerts.
    health_table: str = "fct_creator_monthly_performance"
    alerts_table: str = "alert_history"
    alerts: AlertConfig = AlertConfig(severity=DEFAULT_SEVERITY)
    revenue_metrics: tuple[str, ...] = ("creator_revenue_usd", "ad_revenue_usd", "subscription_revenue_usd")
    drill_down_top: int = 3
    # A revenue point whose segment has a flagged driver that day is an anomaly (driver-led)
    # when it moved, in the driver's direction, by at least this share of its expected value.
    driver_led_share: float = 0.2

    def rule(self, metric: str) -> MetricRule:
        for rule in self.rules:
            if rule.metric == metric:
                return rule
        raise ConfigError(f"no rule for metric '{metric}'")

    @property
    def pooled_rules(self) -> tuple[MetricRule, ...]:
        """The rules that also flag runs of days pooled (MetricRule.pooled_days)."""
        return tuple(rule for rule in self.rules if rule.pooled_days is not None)


def _default(cls: type, name: str) -> Any:
    """A field's default: the one place each default is written."""
    return next(f.default for f in fields(cls) if f.name == name)


def parse_rule(metric: str, options: Mapping[str, Any], where: str, volume_column: str | None = None) -> MetricRule:
    validate.known_keys(options, RULE_OPTIONS, where, "option")

    def option(name: str, default: Any = None) -> Any:
        return options.get(name, _default(MetricRule, name) if default is None else default)

    rule = MetricRule(
        metric=metric,
        window=validate.integer(option("window"), f"{where}.window", 1),
        min_points=validate.integer(option("min_points"), f"{where}.min_points", 2),
        threshold=validate.number(option("threshold"), f"{where}.threshold", above=0),
        seasonality=validate.choice(option("seasonality"), SEASONALITIES, f"{where}.seasonality"),
        baseline=validate.choice(option("baseline"), BASELINES, f"{where}.baseline"),
        min_volume=validate.number(option("min_volume"), f"{where}.min_volume", 0.0),
        min_relative_scale=validate.number(option("min_relative_scale"), f"{where}.min_relative_scale", 0.0),
        volume_column=validate.choice(option("volume_column", volume_column), METRIC_COLUMNS, f"{where}.volume_column"),
        payouts=validate.choice(option("payouts"), PAYOUTS, f"{where}.payouts"),
        new_normal_days=validate.integer(option("new_normal_days"), f"{where}.new_normal_days", 1),
        pooled_days=None if options.get("pooled_days") is None else validate.integer(options["pooled_days"], f"{where}.pooled_days", 2),
    )
    if rule.payouts == "scheduled" and metric not in PAYOUT_METRICS:
        raise ConfigError(f"{where}: payouts: scheduled applies only to metrics holding partner payouts ({', '.join(PAYOUT_METRICS)})")
    if rule.seasonality == "weekday_profile" and rule.baseline not in ("mean", "median"):
        raise ConfigError(f"{where}: seasonality weekday_profile needs baseline mean or median, got {rule.baseline}")
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
    validate.known_keys(raw, TOP_LEVEL, where)
    tables = validate.mapping(raw.get("tables"), f"{where}: tables")
    validate.known_keys(tables, TABLE_KEYS, f"{where}: tables", "table")
    defaults = validate.mapping(raw.get("defaults"), f"{where}: defaults")
    validate.known_keys(defaults, RULE_OPTIONS, f"{where}: defaults", "option")
    metrics = validate.mapping(raw.get("metrics"), f"{where}: metrics")
    if not metrics:
        raise ConfigError(f"{where}: metrics must list at least one metric")
    volume_column = raw.get("volume_column", _default(MetricRule, "volume_column"))
    if volume_column not in METRIC_COLUMNS:
        raise ConfigError(f"{where}: unknown volume_column '{volume_column}'")
    rules = []
    for metric, options in metrics.items():
        if metric not in METRIC_COLUMNS:
            raise ConfigError(f"{where}: unknown metric '{metric}' (known: {', '.join(METRIC_COLUMNS)})")
        merged = {**defaults, **validate.mapping(options, f"{where}: metrics.{metric}")}
        rules.append(parse_rule(metric, merged, f"{where}: metrics.{metric}", volume_column))
    rootcause = validate.mapping(raw.get("rootcause"), f"{where}: rootcause")
    validate.known_keys(rootcause, ROOTCAUSE_OPTIONS, f"{where}: rootcause", "option")
    revenue_metrics = tuple(rootcause.get("revenue_metrics", _default(AnomalyConfig, "revenue_metrics")))
    for metric in revenue_metrics:
        if metric not in REVENUE_METRICS:
            raise ConfigError(f"{where}: rootcause.revenue_metrics: '{metric}' is not a revenue metric (known: {', '.join(REVENUE_METRICS)})")
    for name, value in tables.items():
        if not isinstance(value, str) or not value.replace("_", "").isalnum():
            raise ConfigError(f"{where}: tables.{name} must be a plain table name, not {value!r}")
    table_names = {f"{key}_table": tables.get(key, _default(AnomalyConfig, f"{key}_table")) for key in TABLE_KEYS}
    drill_down_top = rootcause.get("drill_down_top", _default(AnomalyConfig, "drill_down_top"))
    driver_led_share = rootcause.get("driver_led_share", _default(AnomalyConfig, "driver_led_share"))
    return AnomalyConfig(
        rules=tuple(rules),
        **table_names,
        revenue_metrics=revenue_metrics,
        drill_down_top=validate.integer(drill_down_top, f"{where}: rootcause.drill_down_top", 1),
        driver_led_share=validate.number(driver_led_share, f"{where}: rootcause.driver_led_share", above=0),
        alerts=parse_alerts(raw.get("alerts"), where),
    )


def load_anomaly_config(path: str | Path | None = None, settings: Settings | None = None) -> AnomalyConfig:
    """Read `path`, else anomaly.yml of the settings' config directory (else of the default one)."""
    path = Path(path) if path else (settings.conf_dir if settings is not None else conf_dir()) / CONF_FILE_NAME
    return parse_anomaly_config(read_yaml(path), where=str(path))
