"""anomaly.yml is validated strictly: each mistake is one clear line naming the file and key."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from creatorlake.anomaly.config import AnomalyConfig, MetricRule, load_anomaly_config, parse_anomaly_config
from creatorlake.core.config import conf_dir
from creatorlake.core.errors import ConfigError


def test_shipped_config_is_valid():
    config = load_anomaly_config()
    metrics = {rule.metric for rule in config.rules}
    assert {"creator_revenue_usd", "listens", "active_listeners", "ad_load", "fill_rate", "cpm", "sub_conversion", "rpm"} <= metrics


def test_defaults_apply_and_metrics_override_them():
    config = parse_anomaly_config({"defaults": {"window": 35}, "metrics": {"cpm": {}, "listens": {"window": 28, "seasonality": "weekday", "min_points": 4}}})
    assert config.rule("cpm").window == 35 and config.rule("cpm").min_points == 14
    assert config.rule("listens").lags == 4 and config.rule("listens").method == "zscore_weekday"


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"metrics": {"revenue": {}}}, "unknown metric 'revenue'"),
        ({"metrics": {"cpm": {"window": 10, "min_points": 14}}}, "window 10 (10 days) is shorter than min_points 14"),
        ({"metrics": {"cpm": {"seasonality": "weekday"}}}, "window 28 (4 same-weekday points) is shorter than min_points 14"),
        ({"metrics": {"cpm": {"windows": 10}}}, "unknown option 'windows'"),
        ({"metrics": {"cpm": {"baseline": "ewma"}}}, "baseline must be one of mean, median, stl"),
        ({"metrics": {"cpm": {"threshold": "high"}}}, "threshold must be a number"),
        ({"metrics": {"cpm": {"seasonality": "weekday", "window": 30, "min_points": 2}}}, "whole weeks"),
        ({"metrics": {}}, "at least one metric"),
        ({"metrics": {"cpm": {"payouts": "scheduled"}}}, "payouts: scheduled applies only to metrics holding partner payouts"),
        ({"metrics": {"rpm": {"payouts": "smoothed"}}}, "payouts must be one of scored, scheduled"),
        ({"metrics": {"cpm": {"volume_column": "listeners"}}}, "volume_column must be one of"),
        ({"metrics": {"cpm": {"seasonality": "weekday_profile", "baseline": "stl", "min_points": 14}}}, "weekday_profile needs baseline mean or median"),
        ({"metrics": {"cpm": {"new_normal_days": 0}}}, "new_normal_days"),
        ({"metrics": {"cpm": {}}, "rootcause": {"driver_led_share": 0}}, "driver_led_share"),
        ({"metrics": {"cpm": {"seasonality": "weekday_profile", "window": 30}}}, "whole weeks"),
        ({"metric": {"cpm": {}}}, "unknown key 'metric'"),
        ({"metrics": {"cpm": {}}, "rootcause": {"revenue_metrics": ["listens"]}}, "'listens' is not a revenue metric"),
    ],
)
def test_bad_config_is_one_clear_error(raw, message):
    with pytest.raises(ConfigError, match=".*") as info:
        parse_anomaly_config(raw)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_cli_reports_bad_config_on_one_line_and_exits_2(tmp_path):
    (tmp_path / "anomaly.yml").write_text(yaml.safe_dump({"metrics": {"cpm": {"window": 7}}}))
    (tmp_path / "creatorlake.yml").write_text((conf_dir() / "creatorlake.yml").read_text())
    result = subprocess.run(
        [sys.executable, "-m", "creatorlake.cli", "detect", "--lakehouse", str(tmp_path / "lh")],
        capture_output=True, text=True, env={**os.environ, "CREATORLAKE_CONF": str(tmp_path)},
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("creatorlake: error: ")
    assert "window 7 (7 days) is shorter than min_points 14" in result.stderr


def test_a_bad_value_names_the_file_and_the_key(tmp_path):
    path = tmp_path / "anomaly.yml"
    path.write_text(yaml.safe_dump({"metrics": {"cpm": {"min_volume": -1}}, "rootcause": {"drill_down_top": 0}}))
    with pytest.raises(ConfigError) as info:
        load_anomaly_config(path)
    assert str(info.value) == f"{path}: metrics.cpm.min_volume must be >= 0.0, not -1"


def test_omitted_options_take_the_rule_defaults():
    config = parse_anomaly_config({"metrics": {"cpm": {}}})
    assert config.rule("cpm") == MetricRule(metric="cpm")
    assert config.scored_table == AnomalyConfig(rules=()).scored_table


def test_detect_no_longer_evaluates(tmp_path):
    """Evaluation is its own stage (`creatorlake evaluate`): detect has no --evaluate/--report."""
    result = subprocess.run(
        [sys.executable, "-m", "creatorlake.cli", "detect", "--lakehouse", str(tmp_path / "lh"), "--evaluate", "none"],
        capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "--evaluate" in result.stderr
    assert not (tmp_path / "lh").exists()


@pytest.mark.parametrize(
    "text, needle",
    [
        ("incidents:\n  - {name: x, driver: revenue, segment: {}, start: 2026-03-02, days: 2, change: 0.5}\n", "unknown driver 'revenue'"),
        ("incidents:\n  - {name: x, driver: cpm, segment: {region: EU}, start: 2026-03-02, days: 2, change: 0.5}\n", "unknown segment key 'region'"),
        ("incidents:\n  - {name: x, driver: cpm, segment: {}, start: 2026-03-02, days: 0, change: 0.5}\n", "days must be a positive integer"),
        ("surprises: []\n", "unknown top-level key 'surprises'"),
    ],
)
def test_evaluate_reads_incidents_as_the_generator_does_one_line_and_exit_2(tmp_path, text, needle):
    incidents = tmp_path / "incidents.yml"
    incidents.write_text(text)
    result = subprocess.run(
        [sys.executable, "-m", "creatorlake.cli", "evaluate", str(incidents), "--lakehouse", str(tmp_path / "lh")],
        capture_output=True, text=True,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(incidents) in lines[0] and needle in lines[0], lines
    assert not (tmp_path / "lh").exists()
