"""A job in jobs/ runs under plain `spark-submit` with the Delta jars resolved at set-up, as the README shows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from creatorlake.core.jars import ensure_resolved

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_generate_job_runs_under_spark_submit(settings, tmp_path):
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

    detail = subprocess.run(
        [sys.executable, "-m", "creatorlake.cli", "sql", "describe detail bronze.creators", "--format", "json"],
        capture_output=True, text=True, timeout=600, env=env, cwd=REPO_ROOT,
    )
    assert detail.returncode == 0, detail.stderr[-3000:]
    described = json.loads(detail.stdout)
    assert described["format"] == "delta"
    assert str(lakehouse) in described["location"]
