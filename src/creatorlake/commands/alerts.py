"""`creatorlake alerts`: raise the new alerts of the latest day scored and the latest month into
`gold.alert_history`, print them, and with `--fail-on LEVEL` exit 1 when one is that level or worse.

`creatorlake detect --fail-on LEVEL` runs the same step after detection. I/O lives here; the
transforms are in `creatorlake.alerts`.
"""

from __future__ import annotations

import argparse

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from creatorlake.alerts import ALERT_SCHEMA, alert_line, anomaly_alerts, health_alerts, new_alerts, sort_for_display
from creatorlake.anomaly.config import ALERT_LEVELS, AnomalyConfig, load_anomaly_config
from creatorlake.anomaly.schema import DATE
from creatorlake.core.config import Settings
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.progress import say
from creatorlake.core.spark import ensure_schemas, get_spark
from creatorlake.core.tables import ensure_table, merge_rows, read_table

STAGE = "alerts"


def add_fail_on(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--fail-on", choices=ALERT_LEVELS, metavar="LEVEL",
        help=f"exit 1 when a new alert is LEVEL or worse ({', '.join(ALERT_LEVELS)}); every new alert is printed and kept in gold.alert_history",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="YML", help="anomaly config (default: anomaly.yml of the config directory)")
    add_fail_on(parser)


def raise_alerts(spark: SparkSession, settings: Settings, config: AnomalyConfig, fail_on: str | None) -> int:
    """Record the new alerts, print them on stdout; 1 when `fail_on` is given and one of them reaches it."""
    latest_date = read_table(spark, settings, "gold", config.source_table, made_by="transform").agg(F.max(DATE)).first()[0]
    if latest_date is None:
        raise CreatorLakeError(f"table {settings.table('gold', config.source_table)} is empty: no day was scored")
    anomalies = read_table(spark, settings, "gold", config.anomalies_table, made_by="detect")
    monthly = read_table(spark, settings, "gold", config.health_table, made_by="transform")
    current = anomaly_alerts(anomalies, latest_date, config.alerts).unionByName(health_alerts(monthly, latest_date, config.alerts))
    history = settings.table("gold", config.alerts_table)
    ensure_table(spark, history, ALERT_SCHEMA)
    # Collected before the write: the new alerts are those the history held before this run.
    raised = [row.asDict() for row in new_alerts(current, spark.table(history)).collect()]
    if raised:
        merge_rows(spark.createDataFrame(raised, ALERT_SCHEMA), history, ("alert_key",))
    say(STAGE, f"{len(raised)} new alert(s) for {latest_date} kept in {history}")
    for row in sort_for_display(raised):
        print(alert_line(row))
    if not raised:
        print(f"no new alerts (latest day scored {latest_date})")
    failing = [row for row in raised if fail_on is not None and row["level"] in config.alerts.levels_from(fail_on)]
    return 1 if failing else 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    config = load_anomaly_config(args.config, settings)
    spark = get_spark(settings, app_name="creatorlake-alerts")
    ensure_schemas(spark, settings)
    return raise_alerts(spark, settings, config, args.fail_on)
