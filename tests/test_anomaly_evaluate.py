"""Scoring detection against planted incidents (`creatorlake evaluate`) on hand-made runs."""

from __future__ import annotations

import datetime as dt

import pytest

from creatorlake.anomaly.evaluate import EXPLANATION_COLUMNS, evaluate, report_lines
from creatorlake.core.errors import ConfigError
from creatorlake.incidents import Incident, parse_incidents

DE_COMEDY = ("DE", "comedy", None)
INCIDENT = Incident("de_comedy_cpm_drop", "cpm", (("category", "comedy"), ("country_code", "DE")), dt.date(2026, 3, 10), 5, -0.45)


def anomaly(day: int, metric: str = "cpm", segment=DE_COMEDY, z: float = -8.0) -> dict:
    country, category, tier = segment
    return {"metric_date": dt.date(2026, 3, day), "metric": metric, "country_code": country, "category": category,
            "creator_tier": tier, "z_score": z, "direction": "drop" if z < 0 else "spike", "severity": abs(z)}


def explanation(day: int, metric: str, z: float, dominant: str, segment=DE_COMEDY) -> dict:
    """An explanation row as `creatorlake evaluate` reads it: only EXPLANATION_COLUMNS."""
    row = {**anomaly(day, metric, segment, z), "dominant_driver": dominant}
    return {column: row[column] for column in EXPLANATION_COLUMNS}


@pytest.mark.parametrize(
    "flag, detected",
    [
        (anomaly(9), True),  # one day before the window: inside the tolerance
        (anomaly(15), True),  # one day after the last day (14th)
        (anomaly(16), False),
        (anomaly(11, z=8.0), False),  # wrong direction
        (anomaly(11, metric="fill_rate"), False),  # another driver
        (anomaly(11, segment=("DE", None, None)), False),  # a parent segment is not the incident's
    ],
)
def test_recall_needs_the_driver_in_the_exact_segment_window_and_direction(flag, detected):
    assert evaluate([flag], 1000, [], [INCIDENT])["recall"] == (1.0 if detected else 0.0)


def test_top20_counts_related_segments_inside_the_window_only():
    related = [anomaly(11, segment=("DE", None, None), z=-9.0), anomaly(12, segment=("DE", "comedy", "star"), z=-7.0)]
    unrelated = [anomaly(11, segment=("FR", "comedy", None), z=-6.0), anomaly(25, z=-5.0)]
    result = evaluate(related + unrelated, 1000, [], [INCIDENT])
    assert result["top20_precision"] == 0.5
    assert result["false_alarm_rate"] == pytest.approx(4 / 1000)
    assert result["false_alarm_rate_outside_incidents"] == pytest.approx(2 / 1000)


def test_attribution_reads_the_most_severe_revenue_explanation_of_the_incident():
    explanations = [
        explanation(11, "creator_revenue_usd", -3.6, "arppu_usd"),
        explanation(11, "ad_revenue_usd", -12.0, "cpm"),
        explanation(11, "ad_revenue_usd", -20.0, "listens", segment=("FR", None, None)),  # not the incident's segment
        explanation(12, "rpm", 14.0, "arppu_usd"),  # a revenue rise: not what a CPM cut did
    ]
    result = evaluate([anomaly(11)], 1000, explanations, [INCIDENT])
    assert result["attribution_accuracy"] == 1.0
    assert result["detail"][0]["dominant_driver"] == "cpm"
    assert evaluate([anomaly(11)], 1000, explanations[:1], [INCIDENT])["attribution_accuracy"] == 0.0


def test_an_incident_file_is_read_strictly():
    item = {"name": "x", "driver": "cpm", "segment": {"country_code": "DE"}, "start": "2026-03-10", "days": 5, "change": -0.4}
    assert parse_incidents([item], "f.yml")[0].segment_key == ("DE", None, None)
    with pytest.raises(ConfigError, match="unknown driver 'revenue'"):
        parse_incidents([{**item, "driver": "revenue"}], "f.yml")
    with pytest.raises(ConfigError, match="unknown segment key 'region'"):
        parse_incidents([{**item, "segment": {"region": "EU"}}], "f.yml")


def test_the_false_alarm_target_is_judged_only_on_a_run_without_incidents():
    flags = [anomaly(day) for day in range(1, 7)]  # 6 of 1000 points: over the 0.5% target
    planted = {line.split(":")[0]: line for line in report_lines(evaluate(flags, 1000, [], [INCIDENT]))}
    clean = {line.split(":")[0]: line for line in report_lines(evaluate(flags, 1000, [], []))}
    assert planted["false_alarm_rate"] == "false_alarm_rate: 0.0060 (target <= 0.005 on a run without incidents: `creatorlake evaluate none`)"
    assert clean["false_alarm_rate"] == "false_alarm_rate: 0.0060 (target <= 0.005) FAIL"
    assert clean["recall"].endswith("n/a")
