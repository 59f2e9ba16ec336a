"""`creatorlake verify`: reconcile money and counts per month bronze -> silver -> gold; exit 1 on any gap over a cent."""

from __future__ import annotations

import argparse

from creatorlake.core.config import Settings
from creatorlake.core.spark import get_spark
from creatorlake.core.tables import read_table, table_exists
from creatorlake.ingest import LEDGER_TABLE, QUARANTINE_TABLE
from creatorlake.ingest.reconcile import chains, mismatches, monthly, unaccounted_batches


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, default=20, help="mismatches printed (default 20); all are counted")


def run(args: argparse.Namespace, settings: Settings) -> int:
    spark = get_spark(settings)
    made_by = {"bronze": "generate", "silver": "transform", "gold": "transform"}
    found, checked = [], 0
    for chain in chains():
        reduced = [(f"{settings.table(layer, name)}", monthly(read_table(spark, settings, layer, name, made_by=made_by[layer]), reduction))
                   for layer, name, reduction in chain]
        for (up_name, up), (down_name, down) in zip(reduced, reduced[1:]):
            checked += 1
            found += mismatches(up, down, up_name, down_name).orderBy("month", "measure").collect()
    for row in found[: args.limit]:
        print(f"mismatch: {row['downstream_table']} {row['month']:%Y-%m} {row['measure']} = {row['downstream_value']}, "
              f"but {row['upstream_table']} has {row['upstream_value']} (difference {row['difference']})")
    if len(found) > args.limit:
        print(f"(showing {args.limit} of {len(found)} mismatches; raise --limit for more)")
    ledger, quarantine = settings.table("bronze", LEDGER_TABLE), settings.table("bronze", QUARANTINE_TABLE)
    unaccounted = []
    if table_exists(spark, ledger) and table_exists(spark, quarantine):
        unaccounted = unaccounted_batches(spark.table(ledger), spark.table(quarantine)).collect()
        quarantined = spark.table(quarantine).count()
        print(f"quarantine: {quarantined:,} rows in {quarantine}, "
              f"{'every ingested row accounted for' if not unaccounted else f'{len(unaccounted)} file(s) do not add up'}")
    for row in unaccounted:
        print(f"unaccounted: {row['source_file']} ({row['batch_id']}): read {row['rows_read']}, loaded {row['rows_loaded']}, "
              f"quarantined {row['rows_quarantined']}, {row['in_quarantine']} in {quarantine}")
    ok = not found and not unaccounted
    print(f"verify: {checked} layer comparisons per month, {'all reconcile to the cent' if ok else f'{len(found)} mismatch(es)'}")
    return 0 if ok else 1
