"""`creatorlake evaluate` on the tiny lakehouse: it scores what `detect` and `explain` wrote."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json

import pytest
from pyspark.sql import functions as F

from creatorlake.anomaly.config import load_anomaly_config
from creatorlake.anomaly.detect import complete_spine, score_all
from creatorlake.anomaly.schema import SEGMENT_KEYS
from creatorlake.commands import evaluate
from creatorlake.core.errors import CreatorLakeError
from creatorlake.incidents import load_incidents

pytestmark = pytest.mark.slow


def evaluation(settings, incidents: str, report) -> dict:
    args = argparse.Namespace(config=None, incidents=incidents, report=str(report))
    assert evaluate.run(args, settings) == 0
    return json.loads(report.read_text())


@pytest.fixture(scope="module")
def stages(explained):
    """detect and explain as `creatorlake run` runs them: conftest's `explained`, run once per session."""
    return load_anomaly_config(settings=explained)


@pytest.fixture(scope="module")
def planted(settings, stages, tmp_path_factory) -> dict:
    return evaluation(settings, str(settings.conf_dir / "incidents.yml"), tmp_path_factory.mktemp("evaluate") / "report.json")


def test_scored_points_are_the_points_detection_scored(spark, settings, stages, planted):
    daily = complete_spine(spark.table(settings.table("gold", stages.source_table)))
    scored = score_all(daily, stages).where(F.col("is_scored")).count()
    assert planted["scored_points"] == scored > 0
    assert planted["flagged_points"] == spark.table(settings.table("gold", stages.anomalies_table)).count()


def test_the_listener_churn_guardrail_is_scored_once_its_history_is_known(spark, settings, stages):
    """Detection scores listener churn like any metric where enough listeners are at risk, and never in the
    window's first 28 days, where no churn can be known yet (their zeros would read as a later jump). The
    tiny world's 42 days leave 14 days of churn, all of them baseline under the shipped 14 points, so the
    rule here needs 7."""
    (rule,) = [r for r in stages.rules if r.metric == "listener_churn_pct"]
    config = dataclasses.replace(stages, rules=(dataclasses.replace(rule, min_points=7),))
    daily = complete_spine(spark.table(settings.table("gold", stages.source_table)))
    scored = score_all(daily, config).where(F.col("is_scored") & (F.col("metric") == "listener_churn_pct"))
    first_day = daily.agg(F.min("metric_date")).first()[0]
    first_scored = scored.agg(F.min("metric_date")).first()[0]
    assert first_scored is not None, "listener churn was never scored"
    assert first_scored >= first_day + dt.timedelta(days=28)


def test_every_planted_incident_is_judged_on_the_tables_written(spark, settings, stages, planted):
    incidents = load_incidents(settings.conf_dir / "incidents.yml")
    assert [d["incident"] for d in planted["detail"]] == [i.name for i in incidents]
    assert planted["recall"] == sum(d["detected"] for d in planted["detail"]) / len(incidents)
    explanations = spark.table(settings.table("gold", stages.explanations_table)).select("metric_date", *SEGMENT_KEYS).collect()
    for incident, detail in zip(incidents, planted["detail"]):
        explained = any(tuple(r[k] for k in SEGMENT_KEYS) == incident.segment_key and incident.covers(r["metric_date"]) for r in explanations)
        assert detail["revenue_anomaly"] == explained, incident.name
        assert (detail["dominant_driver"] is None) == (not explained), incident.name


def test_a_world_without_incidents_has_only_a_false_alarm_rate(settings, stages, planted, tmp_path):
    quiet = evaluation(settings, "none", tmp_path / "none.json")
    assert quiet["incidents"] == 0 and quiet["recall"] is None and quiet["attribution_accuracy"] is None
    assert quiet["false_alarm_rate"] == planted["flagged_points"] / planted["scored_points"]


def test_evaluate_before_detect_names_the_stage_to_run(settings, stages):
    empty = settings.with_schemas(gold="gold_not_detected")
    with pytest.raises(CreatorLakeError, match="run `creatorlake detect` first"):
        evaluate.run(argparse.Namespace(config=None, incidents="none", report=None), empty)
