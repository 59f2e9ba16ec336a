"""`dbt parse --target databricks` with the catalog and schemas each bundle target gives dbt.

No workspace can exist here: the connection values are placeholders, as in
test_dbt_databricks_parse.py; parsing resolves every node's catalog and schema.
On Databricks the dbt task's warehouse, catalog and schema write the profile; here
CREATORLAKE_CATALOG gives the repo's `databricks` profile the same catalog.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from creatorlake.databricks.bundle import User, load_target

REPO_ROOT = Path(__file__).resolve().parents[1]
DEPLOY_VARS = {"warehouse_id": "0123456789abcdef", "service_principal": "sp"}
LAYERS = ("bronze", "silver", "gold")


@pytest.mark.parametrize("target", ["dev", "prod"])
def test_dbt_parses_for_databricks_with_the_bundle_catalog_and_schemas(target, tmp_path):
    bundle = load_target(REPO_ROOT, target, User("jane.doe@example.com"), DEPLOY_VARS)
    task = next(t for t in bundle.resource("jobs", "creatorlake_daily")["tasks"] if "dbt_task" in t)
    command = shlex.split(task["dbt_task"]["commands"][0])
    assert command[:2] == ["dbt", "build"]
    env = {
        **os.environ,
        "DATABRICKS_HOST": "placeholder.cloud.databricks.com",
        "DATABRICKS_HTTP_PATH": f"/sql/1.0/warehouses/{task['dbt_task']['warehouse_id']}",
        "DATABRICKS_TOKEN": "placeholder-token",
        "CREATORLAKE_CATALOG": task["dbt_task"]["catalog"],
        "CREATORLAKE_DBT_SCHEMA": task["dbt_task"]["schema"],
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    dbt = Path(sys.executable).with_name("dbt")
    project = bundle.resource_path("jobs", "creatorlake_daily", task["dbt_task"]["project_directory"])
    result = subprocess.run(
        [str(dbt), "parse", *command[2:], "--target", "databricks", "--project-dir", str(project),
         "--profiles-dir", str(project), "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    schemas = {layer: bundle.schema(layer) for layer in LAYERS}
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert models
    for node in models:
        assert node["database"] == bundle.catalog, node["unique_id"]
        assert node["schema"] in (schemas["silver"], schemas["gold"]), node["unique_id"]
    assert {n["schema"] for n in models if n["fqn"][1] == "marts"} == {schemas["gold"]}
    for source in manifest["sources"].values():
        assert (source["database"], source["schema"]) == (bundle.catalog, schemas["bronze"]), source["unique_id"]
