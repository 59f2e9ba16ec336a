"""The jobs on a Spark Connect session, as Databricks serverless runs them: a local Spark Connect
server with Delta (on 127.0.0.1), each job (generate, detect, explain, impact, memo)
run as its command with $SPARK_REMOTE pointing at it, and what it writes equal to what the classic
session writes from the same input. The transform stage is dbt's (a dbt task on Databricks), so its
gold tables are the shared input here. The server is conftest's `connect_server`, one per session.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from chispa import assert_df_equality
from connect_site import register_on_connect

from creatorlake.anomaly.config import load_anomaly_config
from creatorlake.commands import detect, explain, impact, memo
from creatorlake.generator import GeneratorOptions, generate
from creatorlake.memo.collect import required_tables

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = REPO_ROOT / "src" / "creatorlake"
JOB_SECONDS = 300
CONNECT_SCHEMA = "gold"
CLASSIC_SCHEMA = "gold_classic_twin"
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


def _tables_equal(spark, warehouse: Path, schema: str, classic_schema: str, names: set[str]) -> None:
    """Each table the Connect server wrote (read from its warehouse as Delta files) equals the classic one."""
    managed = warehouse / f"{schema}.db"
    on_connect = {path.name for path in managed.iterdir() if (path / "_delta_log").is_dir()}
    assert on_connect == names
    for name in sorted(names):
        actual = spark.read.format("delta").load(str(managed / name))
        assert_df_equality(actual, spark.table(f"{classic_schema}.{name}"), ignore_row_order=True, ignore_nullable=True)


@pytest.mark.slow
def test_generate_on_connect_writes_the_classic_tables(spark, settings, connect_server, tmp_path):
    url, warehouse = connect_server
    # One week: none of the default incidents fits, so both plant none.
    world = dict(days=7, n_creators=5, n_listeners=500, seed=7)
    classic = settings.with_schemas(bronze="bronze_classic_twin")
    generate(spark, classic, GeneratorOptions.from_defaults(classic, **world, incidents=None))
    _on_connect(url, tmp_path / "connect-home", "generate", *(f"--{k.replace('_', '-')}={v}" for k, v in world.items()), "--incidents", "none")
    written = {t.name for t in spark.catalog.listTables("bronze_classic_twin")}
    assert len(written) >= 10
    _tables_equal(spark, warehouse, "bronze", "bronze_classic_twin", written)


@pytest.mark.slow
def test_detect_explain_impact_memo_on_connect_match_the_classic_session(spark, settings, tiny_gold, connect_server, tmp_path):
    url, warehouse = connect_server
    config = load_anomaly_config(None, settings)
    analyses = {config.anomalies_table, config.scored_table, config.drivers_table, config.explanations_table, "feature_impact"}
    # Every gold table the four jobs read and none they write: the same input for both sessions, as
    # Delta files that the server and the classic session both register.
    inputs = sorted({config.source_table, impact.PANEL, impact.EPISODES, *(name for name, _ in required_tables(config))} - analyses)
    shared = tmp_path / "gold-inputs"
    classic = settings.with_schemas(gold=CLASSIC_SCHEMA)
    spark.sql(f"create schema if not exists {CLASSIC_SCHEMA}")
    for name in inputs:
        spark.table(settings.table("gold", name)).write.format("delta").save(str(shared / name))
        spark.sql(f"create table {CLASSIC_SCHEMA}.{name} using delta location '{shared / name}'")
    register_on_connect(url, [f"create schema if not exists {CONNECT_SCHEMA}", *(
        f"create table {CONNECT_SCHEMA}.{name} using delta location '{shared / name}'" for name in inputs)])

    home = tmp_path / "connect-home"
    before = {t.name for t in spark.catalog.listTables(CLASSIC_SCHEMA)}
    detect.run(argparse.Namespace(config=None), classic)
    explain.run(argparse.Namespace(config=None), classic)
    impact.run(argparse.Namespace(min_treated=impact.ImpactOptions.min_treated), classic)
    memo.run(argparse.Namespace(out=str(tmp_path / "memo-classic")), classic)
    written = {t.name for t in spark.catalog.listTables(CLASSIC_SCHEMA)} - before
    assert analyses <= written

    for job in ("detect", "explain", "impact"):
        _on_connect(url, home, job)
    _on_connect(url, home, "memo", "--out", str(tmp_path / "memo-connect"))
    _tables_equal(spark, warehouse, CONNECT_SCHEMA, CLASSIC_SCHEMA, written)
    memo_text = (tmp_path / "memo-connect" / "memo.md").read_text()
    assert "## What happened" in memo_text and "## Why" in memo_text
    assert memo_text == (tmp_path / "memo-classic" / "memo.md").read_text()


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
