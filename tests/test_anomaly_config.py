"""conf/anomaly.yml is validated strictly: each mistake is one clear line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from creatorlake.anomaly.config import load_anomaly_config, parse_anomaly_config
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
        ({"metrics": {"cpm": {"seasonality": "weekday_profile", "baseline": "median"}}}, "weekday_profile needs baseline mean"),
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


def test_report_without_evaluate_is_one_line_and_exit_2(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "creatorlake.cli", "detect", "--lakehouse", str(tmp_path / "lh"), "--report", str(tmp_path / "r.json")],
        capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["creatorlake: error: --report needs --evaluate INCIDENTS.yml (or --evaluate none)"]
    assert not (tmp_path / "lh").exists()
