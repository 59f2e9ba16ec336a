"""Landing real files in bronze: split into records (read), check against the declaration (validate)."""

from __future__ import annotations

import hashlib

from pyspark.sql import types as T


QUARANTINE_TABLE = "_quarantine"
LEDGER_TABLE = "_ingest_ledger"
LEDGER_SCHEMA = T.StructType([
    T.StructField("source_file", T.StringType(), False),
    T.StructField("entity", T.StringType(), False),
    T.StructField("checksum", T.StringType(), False),
    T.StructField("batch_id", T.StringType(), False),
    T.StructField("rows_read", T.LongType(), False),
    T.StructField("rows_loaded", T.LongType(), False),
    T.StructField("rows_quarantined", T.LongType(), False),
    T.StructField("_ingested_at", T.TimestampType(), False),
])


def batch_id(entity: str, source_file: str, checksum: str) -> str:
    """One id per (file path, content): the same file again is the same batch; a corrected one is a new batch."""
    digest = hashlib.sha256(f"{source_file}\n{checksum}".encode()).hexdigest()[:16]
    name = source_file.rsplit("/", 1)[-1]
    return f"ingest/{entity}/{name}/{digest}"
