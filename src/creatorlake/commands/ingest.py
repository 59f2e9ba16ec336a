"""`creatorlake ingest PATH... --entity NAME | --auto`: land real files in bronze, bad rows in bronze._quarantine."""

from __future__ import annotations

import argparse

from creatorlake.bronze import schemas
from creatorlake.core.config import Settings
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.spark import get_spark
from creatorlake.ingest.land import ingest_files, read_all, summary


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="CSV (with header) or JSON-lines files")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--entity", choices=[t.name for t in schemas.TABLES], help="the bronze table every file feeds")
    which.add_argument("--auto", action="store_true", help="tell each file's table from its name (transactions.csv, transactions_2024-05.csv)")
    parser.add_argument("--max-bad-ratio", type=str, metavar="R", help="fail a file whose quarantined share exceeds R (default: ingest.max_bad_ratio in conf)")


def _ratio(value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        ratio = float(value)
    except ValueError:
        raise CreatorLakeError(f"--max-bad-ratio must be a number in [0, 1], not {value!r}") from None
    if not 0 <= ratio <= 1:
        raise CreatorLakeError(f"--max-bad-ratio must be a number in [0, 1], not {value!r}")
    return ratio


def run(args: argparse.Namespace, settings: Settings) -> int:
    config = settings.ingest
    max_bad_ratio = _ratio(args.max_bad_ratio, config.max_bad_ratio)
    raws = read_all(args.paths, None if args.auto else args.entity, config.max_file_mb * 1024 * 1024)
    results = ingest_files(get_spark(settings), settings, raws, max_bad_ratio)
    print(summary(results))
    return 1 if any(r.status == "rejected" for r in results) else 0
