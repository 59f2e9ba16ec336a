"""`creatorlake detect`: rolling z-score anomalies per segment -> `gold.metric_anomalies`, and the
points scored per metric -> `gold.metric_scored_points`; with `--fail-on LEVEL`, then the
alerts step of `creatorlake alerts` (exit 1 on a new alert of that level or worse).

I/O lives here; the transforms are in `creatorlake.anomaly.detect`.
"""

from __future__ import annotations

import argparse

from creatorlake.anomaly.config import load_anomaly_config
from creatorlake.anomaly.detect import complete_spine, flag, score_all
from creatorlake.anomaly.evaluate import scored_points
from creatorlake.commands.alerts import add_fail_on, raise_alerts
from creatorlake.core.config import Settings
from creatorlake.core.progress import timed
from creatorlake.core.spark import ensure_schemas, get_spark
from creatorlake.core.tables import read_table, replace_table

STAGE = "detect"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="YML", help="anomaly config (default: anomaly.yml of the config directory)")
    add_fail_on(parser)


def run(args: argparse.Namespace, settings: Settings) -> int:
    config = load_anomaly_config(args.config, settings)
    spark = get_spark(settings, app_name="creatorlake-detect")
    ensure_schemas(spark, settings)
    daily = complete_spine(read_table(spark, settings, "gold", config.source_table, made_by="transform"))
    target = settings.table("gold", config.anomalies_table)
    with timed(STAGE, f"score {len(config.rules)} metrics per segment and day") as step:
        scored = score_all(daily, config).persist()
        step.rows = scored.count()
    with timed(STAGE, f"write {target}") as step:
        step.rows = replace_table(flag(scored, config.driver_led_share, config.pooled_rules), target)
    counts = settings.table("gold", config.scored_table)
    with timed(STAGE, f"write {counts}") as step:
        step.rows = replace_table(scored_points(scored), counts)
    scored.unpersist()
    # Without the flag nothing is raised: detection alone stays what it was. (A caller that builds
    # its own Namespace, as the Connect job tests do, may leave the flag out altogether.)
    fail_on = getattr(args, "fail_on", None)
    if fail_on is None:
        return 0
    return raise_alerts(spark, settings, config, fail_on)
