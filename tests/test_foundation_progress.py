"""Long steps say they are alive while they run, and what they did when they end."""

from __future__ import annotations

import time

from creatorlake.core.progress import timed


def test_a_long_step_reports_a_heartbeat_then_its_rows(capsys):
    with timed("demo", "slow step", heartbeat_seconds=0.05) as step:
        time.sleep(0.5)
        step.rows = 1234
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "[demo] slow step ..."
    beats = [line for line in lines if line.startswith("[demo] slow step: running for ")]
    assert len(beats) >= 2
    assert lines[-1].startswith("[demo] slow step: 1,234 rows in ")
    assert lines.index(beats[-1]) < len(lines) - 1


def test_a_short_step_reports_no_heartbeat(capsys):
    with timed("demo", "quick step", heartbeat_seconds=60):
        pass
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "[demo] quick step ..."
    assert lines[1].startswith("[demo] quick step: done in ")
    assert len(lines) == 2


def test_the_heartbeat_keeps_beating_while_a_spark_job_runs(spark, capsys):
    """Stage and elapsed time only: task counts would need the driver's JVM, which Spark Connect hides."""
    slow = spark.range(0, 4, numPartitions=2).selectExpr("reflect('java.lang.Thread', 'sleep', cast(400 as bigint)) as slept")
    with timed("demo", "spark step", heartbeat_seconds=0.1):
        slow.collect()
    beats = [line for line in capsys.readouterr().err.splitlines() if line.startswith("[demo] spark step: running for ")]
    assert len(beats) >= 2, beats
