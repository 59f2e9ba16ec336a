"""`creatorlake evaluate INCIDENTS.yml`: score the anomalies and explanations that `detect` and
`explain` wrote against planted incidents (`none` for a world without any: the false alarm rate)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from creatorlake.anomaly.config import load_anomaly_config
from creatorlake.anomaly.evaluate import EXPLANATION_COLUMNS, evaluate, report_lines
from creatorlake.core.config import Settings
from creatorlake.core.progress import say, timed
from creatorlake.core.spark import get_spark
from creatorlake.core.tables import read_table
from creatorlake.incidents import load_incidents

STAGE = "evaluate"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("incidents", metavar="INCIDENTS.yml", help="the incidents planted in the lakehouse ('none' for a world generated without)")
    parser.add_argument("--report", metavar="JSON", help="also write the scores and per-incident detail to this file")
    parser.add_argument("--config", metavar="YML", help="anomaly config naming the tables (default: anomaly.yml of the config directory)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    incidents = load_incidents(args.incidents)
    config = load_anomaly_config(args.config, settings)
    spark = get_spark(settings, app_name="creatorlake-evaluate")
    anomalies = read_table(spark, settings, "gold", config.anomalies_table, made_by="detect")
    counts = read_table(spark, settings, "gold", config.scored_table, made_by="detect")
    explanations = read_table(spark, settings, "gold", config.explanations_table, made_by="explain")
    with timed(STAGE, f"evaluate against {len(incidents)} planted incident(s)"):
        result = evaluate(
            [r.asDict() for r in anomalies.collect()],
            sum(r["scored_points"] for r in counts.collect()),
            [r.asDict() for r in explanations.select(*EXPLANATION_COLUMNS).collect()],
            incidents,
        )
    for line in report_lines(result):
        print(line)
    if args.report:
        Path(args.report).write_text(json.dumps(result, indent=2, default=str) + "\n")
        say(STAGE, f"evaluation written to {args.report}")
    return 0
