"""Alerts: new anomalies of the latest day scored and newly worse creator health raise an alert
once, at the level anomaly.yml gives them; `detect --fail-on` and `alerts --fail-on` exit 1 on one."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import yaml

from creatorlake.alerts import ALERT_COLUMNS, anomaly_alerts, health_alerts
from creatorlake.anomaly.config import AlertConfig, parse_anomaly_config
from creatorlake.anomaly.schema import ANOMALY_SCHEMA
from creatorlake.cli import main
from creatorlake.core.config import conf_dir
from creatorlake.core.errors import ConfigError
from segment_daily_rows import day, frame, series_rows

LEVELS = AlertConfig(severity=(("warning", 4.0), ("critical", 8.0)), min_active_patrons=20)
LATEST = dt.date(2026, 4, 12)
MONTHLY_SCHEMA = (
    "creator_id string, month_start_date date, active_patrons bigint, patron_churn_rate_pct double, patron_churn_health_status string, "
    "collection_rate_pct double, collection_health_status string, decline_rate_pct double, decline_health_status string"
)
HEALTHY = (2.0, "healthy", 99.0, "healthy", 1.0, "healthy")


def anomaly(date: dt.date, z: float, metric: str = "listens", country: str | None = "DE", method: str = "mad_weekday_profile") -> tuple:
    values = {"metric_date": date, "metric": metric, "country_code": country, "value": 1.0, "expected": 2.0,
              "z_score": z, "direction": "spike" if z > 0 else "drop", "severity": abs(z), "method": method}
    return tuple(values.get(name) for name in ANOMALY_SCHEMA.fieldNames())


def test_an_anomaly_of_the_latest_day_alerts_at_the_worst_level_its_z_reaches(spark):
    anomalies = spark.createDataFrame([
        anomaly(LATEST, 5.0, metric="cpm"),
        anomaly(LATEST, -9.5, metric="listens", country=None),
        anomaly(LATEST, 3.1, metric="ad_revenue_usd", method="mad+driver_led:cpm"),  # under warning: no alert
        anomaly(LATEST - dt.timedelta(days=1), 12.0),  # not the latest day
    ], ANOMALY_SCHEMA)
    rows = {r.metric: r for r in anomaly_alerts(anomalies, LATEST, LEVELS).collect()}
    assert {m: r.level for m, r in rows.items()} == {"cpm": "warning", "listens": "critical"}
    assert rows["listens"].subject == "platform" and rows["cpm"].subject == "country_code=DE"
    assert rows["listens"].alert_key == "anomaly:listens:platform:2026-04-12:critical"


def test_a_creator_alerts_when_its_health_is_worse_than_the_month_before(spark):
    april, march = dt.date(2026, 4, 1), dt.date(2026, 3, 1)
    churn = lambda rate, status: (rate, status, 99.0, "healthy", 1.0, "healthy")  # noqa: E731
    monthly = spark.createDataFrame([
        ("newly_critical", march, 50, *churn(6.0, "warning")), ("newly_critical", april, 50, *churn(12.0, "critical")),
        ("still_warning", march, 50, *churn(6.0, "warning")), ("still_warning", april, 50, *churn(7.0, "warning")),
        ("better", march, 50, *churn(12.0, "critical")), ("better", april, 50, *churn(6.0, "warning")),
        ("new_creator", april, 50, *churn(8.0, "warning")),
        ("too_small", march, 3, *HEALTHY), ("too_small", april, 3, *churn(33.0, "critical")),
        ("quiet_in_april", march, 50, *churn(12.0, "critical")), ("quiet_in_april", april, 50, *HEALTHY),
    ], MONTHLY_SCHEMA)
    rows = {(r.subject, r.metric): r.level for r in health_alerts(monthly, LATEST, LEVELS).collect()}
    assert rows == {
        ("creator_id=newly_critical", "patron_churn_rate_pct"): "critical",
        ("creator_id=new_creator", "patron_churn_rate_pct"): "warning",
    }


@pytest.mark.parametrize("severity, message", [
    ({"warning": 6, "critical": 5}, "alerts.severity.critical (5.0) is below alerts.severity.warning (6.0)"),
    ({"severe": 5}, "unknown level 'severe'"),
    ({"warning": 0}, "alerts.severity.warning"),
])
def test_bad_alert_levels_are_one_clear_error(severity, message):
    with pytest.raises(ConfigError) as info:
        parse_anomaly_config({"metrics": {"listens": {}}, "alerts": {"severity": severity}})
    assert message in str(info.value) and "\n" not in str(info.value)


# ---------------------------------------------------------------- the commands, on hand-built gold tables

def world_config(tmp_path, spark, name: str, listens: list[float], monthly: list[tuple]) -> str:
    """Gold tables of a one-segment world under their own names, and an anomaly.yml that reads them."""
    spark.sql("create schema if not exists gold")
    frame(spark, series_rows("listens", listens, {"country_code": "DE"})).write.format("delta").mode("overwrite").saveAsTable(f"gold.{name}_daily")
    spark.createDataFrame(monthly, MONTHLY_SCHEMA).write.format("delta").mode("overwrite").saveAsTable(f"gold.{name}_monthly")
    spark.sql(f"drop table if exists gold.{name}_alerts")
    raw = yaml.safe_load((conf_dir() / "anomaly.yml").read_text())
    raw["tables"] = {"source": f"{name}_daily", "anomalies": f"{name}_anomalies", "scored": f"{name}_scored",
                     "health": f"{name}_monthly", "alerts": f"{name}_alerts"}
    # The plainest baseline scores fastest; which baseline flags the spike is not what is tested here.
    raw["metrics"] = {"listens": {"min_volume": 0, "baseline": "mean", "seasonality": "none"}}
    path = tmp_path / f"{name}.yml"
    path.write_text(yaml.safe_dump(raw))
    return str(path)


def noisy_listens(days: int, seed: int) -> list[float]:
    rng = np.random.default_rng(seed)
    return [round(1000 * (1 + 0.05 * rng.standard_normal())) for _ in range(days)]


def history(spark, name: str) -> list[tuple]:
    return sorted(tuple(r) for r in spark.table(f"gold.{name}_alerts").select(*ALERT_COLUMNS).collect())


def test_detect_fails_on_a_new_critical_spike_once_and_not_on_a_quiet_world(spark, tmp_path, capsys):
    healthy = [("c1", dt.date(2026, 3, 1), 50, *HEALTHY)]
    spiked = noisy_listens(41, seed=3) + [5000]
    planted = world_config(tmp_path, spark, "alerts_planted", spiked, healthy)
    assert main(["detect", "--config", planted, "--fail-on", "critical"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [l for l in lines if l.startswith(f"{day(41)}  anomaly  listens  country_code=DE  z=+")]
    assert len(lines) == 1 and lines[0].endswith("CRITICAL")
    first = history(spark, "alerts_planted")
    # The same data again: the alert is in the history, so nothing is new and the tables do not change.
    assert main(["detect", "--config", planted, "--fail-on", "critical"]) == 0
    assert capsys.readouterr().out.strip() == f"no new alerts (latest day scored {day(41)})"
    assert history(spark, "alerts_planted") == first

    quiet = world_config(tmp_path, spark, "alerts_quiet", noisy_listens(42, seed=3), healthy)
    assert main(["detect", "--config", quiet, "--fail-on", "critical"]) == 0
    assert history(spark, "alerts_quiet") == []


def test_alerts_fail_on_a_creator_newly_in_warning_health(spark, tmp_path, capsys):
    monthly = [("c1", dt.date(2026, 3, 1), 50, *HEALTHY), ("c1", dt.date(2026, 4, 1), 50, 2.0, "healthy", 92.0, "warning", 1.0, "healthy")]
    path = world_config(tmp_path, spark, "alerts_health", noisy_listens(42, seed=3), monthly)
    spark.createDataFrame([], ANOMALY_SCHEMA).write.format("delta").mode("overwrite").saveAsTable("gold.alerts_health_anomalies")
    assert main(["alerts", "--config", path, "--fail-on", "warning"]) == 1
    assert capsys.readouterr().out.splitlines() == ["2026-04-01  health   collection_rate_pct  creator_id=c1  value=92.00  WARNING"]
    assert main(["alerts", "--config", path, "--fail-on", "warning"]) == 0  # already raised
    assert [r[0] for r in history(spark, "alerts_health")] == ["health:collection_rate_pct:creator_id=c1:2026-04-01:warning"]
