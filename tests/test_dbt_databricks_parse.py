"""The Databricks compile path: `dbt parse --target databricks` with placeholder connection values.

No Databricks workspace can exist in this environment, so DATABRICKS_HOST, _HTTP_PATH
and _TOKEN are set to dummy values inside the test: parsing resolves the profile and
every model, macro and test for the dbt-databricks adapter without connecting.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = REPO_ROOT / "dbt"


def test_dbt_parse_for_databricks_target_succeeds(tmp_path):
    env = {
        **os.environ,
        "DATABRICKS_HOST": "placeholder.cloud.databricks.com",
        "DATABRICKS_HTTP_PATH": "/sql/1.0/warehouses/placeholder",
        "DATABRICKS_TOKEN": "placeholder-token",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    dbt = Path(sys.executable).with_name("dbt")
    result = subprocess.run(
        [str(dbt), "parse", "--target", "databricks", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    assert manifest["metadata"]["adapter_type"] == "databricks"
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert {"fct_creator_monthly_performance", "fct_segment_daily_metrics", "fct_creator_weekly_revenue"} <= models
    # The semantic layer parses for Databricks too: MetricFlow's input, with its time spine.
    semantic = json.loads((tmp_path / "target" / "semantic_manifest.json").read_text())
    assert {"rpm", "gross_mrr_usd", "patron_churn_rate_pct"} <= {m["name"] for m in semantic["metrics"]}
    assert [s["node_relation"]["alias"] for s in semantic["project_configuration"]["time_spines"]] == ["metricflow_time_spine"]
