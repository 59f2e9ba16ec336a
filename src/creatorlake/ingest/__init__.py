"""Landing real files in bronze: split into records (read), check against the declaration (validate)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Mapping

from pyspark.sql import types as T

from creatorlake.core.errors import ConfigError

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


@dataclass(frozen=True)
class IngestConfig:
    max_bad_ratio: float
    max_file_mb: int


def ingest_config(section: Mapping[str, Any]) -> IngestConfig:
    """The `ingest:` section of the config (the one place it is read)."""
    try:
        ratio, size = float(section.get("max_bad_ratio", 0.05)), int(section.get("max_file_mb", 512))
    except (TypeError, ValueError):
        raise ConfigError("ingest.max_bad_ratio must be a number and ingest.max_file_mb an integer") from None
    if not 0 <= ratio <= 1 or size <= 0:
        raise ConfigError("ingest.max_bad_ratio must lie in [0, 1] and ingest.max_file_mb be positive")
    return IngestConfig(max_bad_ratio=ratio, max_file_mb=size)


def batch_id(entity: str, source_file: str, checksum: str) -> str:
    """One id per (file path, content): the same file again is the same batch; a corrected one is a new batch."""
    digest = hashlib.sha256(f"{source_file}\n{checksum}".encode()).hexdigest()[:16]
    name = source_file.rsplit("/", 1)[-1]
    return f"ingest/{entity}/{name}/{digest}"
