"""Score detection and attribution against planted incidents (`creatorlake evaluate`).

Detection never reads the incidents; only this evaluation does.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from creatorlake.anomaly.schema import SEGMENT_KEYS
from creatorlake.incidents import Incident

TOP_N = 20
TARGETS = {"recall": 0.95, "false_alarm_rate": 0.005, "top20_precision": 0.90, "attribution_accuracy": 0.95}
# Targets that are maxima; they are judged on a run without planted incidents.
CEILINGS = frozenset({"false_alarm_rate"})
# The explanation columns the evaluation reads.
EXPLANATION_COLUMNS = ("metric_date", "metric", *SEGMENT_KEYS, "z_score", "direction", "dominant_driver")


def scored_points(scored: DataFrame) -> DataFrame:
    """Segment-days scored per metric (detection's scored series): the false alarm rate's denominator."""
    return scored.where(F.col("is_scored")).groupBy("metric").agg(F.count(F.lit(1)).alias("scored_points"))


def _key(row: Mapping[str, Any]) -> tuple[str | None, ...]:
    return tuple(row[k] for k in SEGMENT_KEYS)


def evaluate(anomalies: Iterable[Mapping[str, Any]], scored_points: int, explanations: Iterable[Mapping[str, Any]], incidents: Sequence[Incident]) -> dict[str, Any]:
    """Recall, false alarm rate, top-20 precision and attribution accuracy, with per-incident detail.

    `explanations` are those of the revenue-type anomalies (gold.anomaly_explanations).
    """
    anomalies = list(anomalies)
    explanations = list(explanations)
    detected, attributed, detail = 0, 0, []
    for incident in incidents:
        hits = [a for a in anomalies if a["metric"] == incident.driver and _key(a) == incident.segment_key and incident.covers(a["metric_date"]) and a["direction"] == incident.direction]
        # The incident's revenue anomaly: its most severe explained anomaly on a
        # revenue-type metric (creator, ad or subscription revenue, rpm) in its
        # segment and window, in the incident's direction (every driver multiplies
        # revenue, so a CPM cut cannot be what raised revenue); an ad-side incident
        # may move ad revenue far beyond its noise while subscriptions keep creator
        # revenue inside its own.
        revenue = [e for e in explanations if _key(e) == incident.segment_key and incident.covers(e["metric_date"])
                   and e["direction"] == incident.direction]
        revenue.sort(key=lambda e: -abs(e["z_score"] or 0.0))
        dominant = revenue[0]["dominant_driver"] if revenue else None
        detected += bool(hits)
        attributed += dominant == incident.driver
        detail.append({"incident": incident.name, "driver": incident.driver, "detected": bool(hits), "max_abs_z": max((abs(a["z_score"]) for a in hits), default=None), "revenue_anomaly": bool(revenue), "dominant_driver": dominant})
    explained_by_incident = lambda a: any(i.covers(a["metric_date"]) and i.related(_key(a)) for i in incidents)
    top = sorted(anomalies, key=lambda a: (-a["severity"], str(a["metric_date"]), a["metric"], str(_key(a))))[:TOP_N]
    unexplained = [a for a in anomalies if not explained_by_incident(a)]
    n = len(incidents)
    return {
        "incidents": n,
        "scored_points": scored_points,
        "flagged_points": len(anomalies),
        "recall": detected / n if n else None,
        "false_alarm_rate": len(anomalies) / scored_points if scored_points else None,
        "false_alarm_rate_outside_incidents": len(unexplained) / scored_points if scored_points else None,
        "top20_precision": sum(explained_by_incident(a) for a in top) / len(top) if top and n else None,
        "attribution_accuracy": attributed / n if n else None,
        "detail": detail,
    }


def report_lines(result: Mapping[str, Any]) -> list[str]:
    def fmt(value: Any) -> str:
        return "n/a" if value is None else f"{value:.4f}" if isinstance(value, float) else str(value)

    lines = [f"incidents: {result['incidents']}, scored segment-metric-days: {result['scored_points']:,}, flagged: {result['flagged_points']:,}"]
    for name, target in TARGETS.items():
        value = result[name]
        ceiling = name in CEILINGS
        bound = "<=" if ceiling else ">="
        if ceiling and result["incidents"]:
            # The planted incidents' own flags count here: the target is for a clean run.
            lines.append(f"{name}: {fmt(value)} (target {bound} {target} on a run without incidents: `creatorlake evaluate none`)")
            continue
        ok = "n/a" if value is None else ("PASS" if (value <= target if ceiling else value >= target) else "FAIL")
        lines.append(f"{name}: {fmt(value)} (target {bound} {target}) {ok}")
    lines.append(f"false_alarm_rate_outside_incidents: {fmt(result['false_alarm_rate_outside_incidents'])}")
    for d in result["detail"]:
        lines.append(f"  {d['incident']}: driver {d['driver']}, detected {d['detected']} (max |z| {fmt(d['max_abs_z'])}), revenue anomaly {d['revenue_anomaly']}, dominant {d['dominant_driver']}")
    return lines
