"""`creatorlake sql`: the local stand-in for the Databricks SQL editor."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Sequence

from pyspark.sql import SparkSession

FORMATS = ("table", "csv", "json")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def format_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str) -> str:
    if fmt == "json":
        return "\n".join(json.dumps({c: _plain(v) for c, v in zip(columns, row)}) for row in rows)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_plain(v) for v in row] for row in rows])
        return buffer.getvalue().rstrip("\n")
    cells = [[("NULL" if v is None else str(_plain(v))) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda values: " | ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    rule = "-+-".join("-" * w for w in widths)
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
    return "\n".join([line(columns), rule, *(line(r) for r in cells), footer])


def run_query(spark: SparkSession, query: str, fmt: str, limit: int | None) -> str:
    frame = spark.sql(query)
    if limit is not None:
        frame = frame.limit(limit)
    rows = [tuple(r) for r in frame.collect()]
    return format_rows(frame.columns, rows, fmt)
