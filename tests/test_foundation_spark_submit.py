"""A job in jobs/ runs under plain `spark-submit` with the Delta jars resolved at set-up, as the README shows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from creatorlake.bronze import schemas
from creatorlake.core.jars import ensure_resolved

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_generate_job_runs_under_spark_submit(spark, settings, tmp_path):
    lakehouse = tmp_path / "submitted"
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "CREATORLAKE_HOME": str(lakehouse)}
    submit = subprocess.run(
        [
            str(BIN / "spark-submit"),
            "--master", "local[2]",
            "--jars", ensure_resolved(settings),
            str(REPO_ROOT / "jobs/generate_bronze.py"),
            "--days", "3", "--n-creators", "6", "--n-listeners", "300", "--incidents", "none",
        ],
        capture_output=True, text=True, timeout=900, env=env, cwd=REPO_ROOT,
    )
    assert submit.returncode == 0, submit.stderr[-3000:]

    # What it wrote is read here from the Delta files (its metastore is its own; another JVM would be needed to open it).
    bronze = lakehouse / "warehouse" / "bronze.db"
    assert {table.name for table in schemas.TABLES} <= {path.name for path in bronze.iterdir() if (path / "_delta_log").is_dir()}
    creators = spark.read.format("delta").load(str(bronze / "creators"))
    assert creators.count() == 6
