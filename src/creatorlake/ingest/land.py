"""Landing files in bronze: each file's good rows merged into its table, its bad rows into the
quarantine, then its ledger row, so a rerun after a crash replays idempotently."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from creatorlake.bronze import schemas
from creatorlake.core.config import Settings
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.progress import say
from creatorlake.core.spark import ensure_schemas
from creatorlake.core.tables import ensure_table, merge_rows, table_exists
from creatorlake.ingest import LEDGER_SCHEMA, LEDGER_TABLE, QUARANTINE_TABLE, batch_id
from creatorlake.ingest.read import LINE, RawFile, entity_for, read_file
from creatorlake.ingest.validate import QUARANTINE_SCHEMA, REASON_CODES, validate

STAGE = "ingest"


@dataclass
class FileResult:
    entity: str
    source_file: str
    read: int = 0
    loaded: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)
    status: str = "loaded"  # loaded | unchanged | rejected


def read_all(paths: Sequence[str], entity: str | None, max_bytes: int) -> list[RawFile]:
    """Every file split into records before anything is written: one unreadable file stops the run (exit 2)."""
    raws = [read_file(Path(p), schemas.table(entity or entity_for(Path(p))), max_bytes) for p in paths]
    order = {t.name: i for i, t in enumerate(schemas.TABLES)}
    # Parents before children, so a batch's own entities resolve its foreign keys.
    return sorted(raws, key=lambda r: order[r.entity])


def _records_frame(spark: SparkSession, raw: RawFile) -> DataFrame:
    schema = T.StructType([T.StructField(c, T.LongType() if c == LINE else T.StringType()) for c in raw.records.columns])
    if raw.records.empty:
        return spark.createDataFrame([], schema)
    return spark.createDataFrame(raw.records, schema)


def _parents(spark: SparkSession, settings: Settings, table: schemas.BronzeTable) -> dict[str, DataFrame | None]:
    names = {c.references.split(".")[0] for c in table.columns if c.references}
    return {n: spark.table(settings.table("bronze", n)) if table_exists(spark, settings.table("bronze", n)) else None for n in names}


def _previous_batches(spark: SparkSession, ledger_name: str) -> dict[str, tuple[str, str]]:
    """source file -> (checksum, batch id) of its latest landed version."""
    rows = spark.table(ledger_name).select("source_file", "checksum", "batch_id", "_ingested_at").collect()
    latest: dict[str, tuple] = {}
    for r in sorted(rows, key=lambda r: r["_ingested_at"]):
        latest[r["source_file"]] = (r["checksum"], r["batch_id"])
    return latest


def ingest_files(spark: SparkSession, settings: Settings, raws: Sequence[RawFile], max_bad_ratio: float, *, force: bool = False) -> list[FileResult]:
    """Validate and land each file: its rows, its quarantine, then its ledger row (a rerun after a crash replays idempotently)."""
    ensure_schemas(spark, settings)
    quarantine_name, ledger_name = settings.table("bronze", QUARANTINE_TABLE), settings.table("bronze", LEDGER_TABLE)
    ensure_table(spark, quarantine_name, QUARANTINE_SCHEMA)
    ensure_table(spark, ledger_name, LEDGER_SCHEMA)
    previous = _previous_batches(spark, ledger_name)
    results = []
    for raw in raws:
        table = schemas.table(raw.entity)
        source = str(raw.path)
        result = FileResult(entity=raw.entity, source_file=source, read=len(raw.records))
        results.append(result)
        this_batch = batch_id(raw.entity, source, raw.checksum)
        earlier = previous.get(source)
        if earlier is not None and earlier[0] == raw.checksum and not force:
            result.status = "unchanged"
            say(STAGE, f"{source}: already ingested as {this_batch}; nothing to do")
            continue
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
        checked = validate(_records_frame(spark, raw), table, parents=_parents(spark, settings, table), now=now, source_file=source, batch_id=this_batch)
        good = checked.good.persist(StorageLevel.MEMORY_AND_DISK)
        bad = checked.quarantine.persist(StorageLevel.MEMORY_AND_DISK)
        try:
            result.loaded = good.count()
            result.quarantined = {r["reason_code"]: r["n"] for r in bad.groupBy("reason_code").agg(F.count(F.lit(1)).alias("n")).collect()}
            bad_share = sum(result.quarantined.values()) / result.read if result.read else 0.0
            if bad_share > max_bad_ratio:
                result.status = "rejected"
                say(STAGE, f"{source}: {bad_share:.1%} of rows are bad, over --max-bad-ratio {max_bad_ratio:g}; nothing of it landed")
                continue
            full = settings.table("bronze", table.name)
            ensure_table(spark, full, table.schema, table.partition_by)
            replaced = earlier[1] if earlier is not None and earlier[1] != this_batch else None
            merge_rows(good, full, table.key, unchanged_if_equal_except=("_ingested_at",),
                       delete_unmatched_where=("_batch_id", replaced) if replaced else None)
            merge_rows(bad, quarantine_name, ("source_file", "batch_id", "line_number"), unchanged_if_equal_except=("_ingested_at",),
                       delete_unmatched_where=("source_file", source))
            ledger_row = spark.createDataFrame(
                [(source, raw.entity, raw.checksum, this_batch, result.read, result.loaded, sum(result.quarantined.values()), now)], LEDGER_SCHEMA)
            merge_rows(ledger_row, ledger_name, ("source_file", "batch_id"), unchanged_if_equal_except=("_ingested_at",))
            previous[source] = (raw.checksum, this_batch)
        except Exception as exc:
            _raise_if_concurrent(exc, source)
            raise
        finally:
            good.unpersist()
            bad.unpersist()
    return results


CONFLICTS = ("ConcurrentAppendException", "ConcurrentDeleteReadException", "ConcurrentDeleteDeleteException",
             "ConcurrentTransactionException", "ConcurrentWriteException", "MetadataChangedException", "ProtocolChangedException",
             "DELTA_CONCURRENT_")


def _raise_if_concurrent(exc: Exception, source: str) -> None:
    """Delta's optimistic concurrency: another writer committed first. What landed is consistent; a rerun finishes the file."""
    text = f"{type(exc).__name__} {exc}"
    if any(name in text for name in CONFLICTS):
        conflict = next(name for name in CONFLICTS if name in text).rstrip("_")
        raise CreatorLakeError(f"{source}: another writer changed the same bronze table at once ({conflict}); rerun the same command to finish it") from None


def summary(results: Sequence[FileResult]) -> str:
    """Per entity and file: rows read, loaded, quarantined by reason."""
    lines = [f"{'entity':<18} {'status':<9} {'read':>8} {'loaded':>8} {'quarantined':>11}  by reason  file"]
    for r in results:
        by_reason = ", ".join(f"{code} {r.quarantined[code]}" for code in REASON_CODES if r.quarantined.get(code)) or "-"
        lines.append(f"{r.entity:<18} {r.status:<9} {r.read:>8,} {r.loaded:>8,} {sum(r.quarantined.values()):>11,}  {by_reason}  {r.source_file}")
    return "\n".join(lines)
