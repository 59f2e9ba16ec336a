"""The jobs on a Spark Connect session, as Databricks serverless runs them: a local Spark Connect
server with Delta (on 127.0.0.1), each job (generate, detect, explain, impact, memo)
run as its command with $SPARK_REMOTE pointing at it, and what it writes equal to what the classic
session writes from the same input. The transform stage is dbt's (a dbt task on Databricks), so its
gold tables are the shared input here. The server is conftest's `connect_server`, one per session.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from chispa import assert_df_equality
from conftest import SMALL_BRONZE
from connect_site import register_on_connect

from creatorlake.anomaly.config import load_anomaly_config
from creatorlake.commands import impact
from creatorlake.impact.tables import RESULT_SCHEMAS
from creatorlake.memo.collect import required_tables

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = REPO_ROOT / "src" / "creatorlake"
JOB_SECONDS = 300
CONNECT_SCHEMA = "gold"
# What exists on a classic driver only: the JVM gateway, the SparkContext, RDDs, the JVM DataFrame.
JVM_ONLY = re.compile(r"\bSparkContext\b|\bsparkContext\b|\b_jvm\b|\b_jdf\b|\b_jsc\b|\b_jsparkSession\b|\.rdd\b|\bRDD\b")


def test_the_package_and_the_notebooks_use_no_jvm_or_rdd_api():
    hits = [
        f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}"
        for path in [*sorted(PACKAGE.rglob("*.py")), *sorted((REPO_ROOT / "notebooks").glob("*.py"))]
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if JVM_ONLY.search(line)
    ]
    assert hits == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _on_connect(url: str, home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SPARK_REMOTE": url, "CREATORLAKE_HOME": str(home)}
    env.pop("PYSPARK_GATEWAY_PORT", None)
    done = subprocess.run(
        [sys.executable, "-m", "creatorlake.cli", *args], env=env, capture_output=True, text=True, timeout=JOB_SECONDS
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _delta_location(spark, table: str, copies: Path) -> str:
    """Where the table's Delta files are; a view (fct_events, say) is written out under `copies` first."""
    if spark.catalog.getTable(table).tableType != "VIEW":
        return spark.sql(f"describe detail {table}").first()["location"]
    path = str(copies / table)
    spark.table(table).write.format("delta").save(path)
    return path


def _managed_tables(warehouse: Path, schema: str) -> set[str]:
    """The Delta tables the Connect server wrote in `schema` of its warehouse (tables registered by location are not there)."""
    return {path.name for path in (warehouse / f"{schema}.db").iterdir() if (path / "_delta_log").is_dir()}


def _tables_equal(spark, warehouse: Path, schema: str, classic_schema: str, names: set[str]) -> None:
    """The Connect server wrote exactly `names` in `schema`, and each (read as Delta files) equals the classic one."""
    managed = warehouse / f"{schema}.db"
    assert _managed_tables(warehouse, schema) == names
    for name in sorted(names):
        actual = spark.read.format("delta").load(str(managed / name))
        assert_df_equality(actual, spark.table(f"{classic_schema}.{name}"), ignore_row_order=True, ignore_nullable=True)


@pytest.mark.slow
def test_generate_on_connect_writes_the_classic_tables(spark, small_bronze, connect_server, tmp_path):
    """The classic side is conftest's small world (no incidents, 2 partitions: the partitioning changes no row)."""
    url, warehouse = connect_server
    _on_connect(url, tmp_path / "connect-home", "generate", *(f"--{k.replace('_', '-')}={v}" for k, v in SMALL_BRONZE.items()), "--incidents", "none")
    classic = small_bronze.schema("bronze")
    written = {t.name for t in spark.catalog.listTables(classic) if not t.isTemporary}
    assert len(written) >= 10
    _tables_equal(spark, warehouse, "bronze", classic, written)


@pytest.mark.slow
def test_detect_explain_impact_memo_on_connect_match_the_classic_session(spark, memo, connect_server, tmp_path):
    """The classic session's run is the suite's own: conftest's memo ran detect, explain, impact and the memo on the
    tiny lakehouse. The server reads the same gold inputs: the classic tables' Delta files where they are, and a
    copy of each view's rows."""
    classic_memo, classic_text, settings = memo
    url, warehouse = connect_server
    config = load_anomaly_config(None, settings)
    analyses = {config.anomalies_table, config.scored_table, config.drivers_table, config.explanations_table, "feature_impact"}
    # Every gold table the four jobs read and none they write.
    inputs = sorted({config.source_table, impact.PANEL, impact.EPISODES, *(name for name, _ in required_tables(config))} - analyses)
    locations = {name: _delta_location(spark, settings.table("gold", name), tmp_path / "views") for name in inputs}
    register_on_connect(url, [f"create schema if not exists {CONNECT_SCHEMA}", *(
        f"create table {CONNECT_SCHEMA}.{name} using delta location '{location}'" for name, location in locations.items())])

    home = tmp_path / "connect-home"
    for job in ("detect", "explain", "impact"):
        _on_connect(url, home, job)
    _on_connect(url, home, "memo", "--out", str(tmp_path / "memo-connect"))
    # What the classic jobs wrote: detection's and explanation's tables, and the impact tables it had rows for.
    written = analyses | {name for name in RESULT_SCHEMAS if spark.catalog.tableExists(settings.table("gold", name))}
    _tables_equal(spark, warehouse, CONNECT_SCHEMA, settings.schema("gold"), written)
    memo_text = (tmp_path / "memo-connect" / "memo.md").read_text()
    assert "## What happened" in memo_text and "## Why" in memo_text
    assert memo_text == classic_text


def _cli_alone(env_changes: dict[str, str], home: Path) -> subprocess.CompletedProcess:
    """`creatorlake sql` in a process of its own, with no session to inherit and these variables set."""
    env = {**os.environ, "CREATORLAKE_HOME": str(home), **env_changes}
    env.pop("PYSPARK_GATEWAY_PORT", None)
    return subprocess.run([sys.executable, "-m", "creatorlake.cli", "sql", "select 1"], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "variables, names",
    [
        ({"SPARK_REMOTE": f"sc://127.0.0.1:{_free_port()}/;token=dapi-secret"}, "cannot reach the Spark Connect server at sc://127.0.0.1:"),
        ({"SPARK_REMOTE": "https://workspace.example/;token=dapi-secret"}, "must be a Spark Connect URL"),
        ({"DATABRICKS_HOST": "https://workspace.example", "DATABRICKS_SERVERLESS_COMPUTE_ID": "auto"}, "databricks-connect is not installed"),
    ],
    ids=["server-not-listening", "not-a-connect-url", "no-databricks-connect"],
)
def test_a_connect_session_that_cannot_open_is_one_line_without_the_token(tmp_path, variables, names):
    done = _cli_alone(variables, tmp_path)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2
    assert len(lines) == 1 and names in lines[0], done.stderr
    assert "dapi-secret" not in done.stderr
    assert not (tmp_path / "warehouse").exists()
