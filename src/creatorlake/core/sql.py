"""`creatorlake sql`: the local stand-in for the Databricks SQL editor. Rows as csv, json lines
or an aligned table; csv and json are written as the rows arrive, the table once it is whole."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, Iterator, Sequence

from pyspark.sql import DataFrame

FORMATS = ("table", "csv", "json")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _csv_line(values: Sequence[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([_plain(v) for v in values])
    return buffer.getvalue()


def export_lines(columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str) -> Iterator[str]:
    """csv (a header, then a line per row) or json (an object per row), one line at a time."""
    if fmt == "json":
        for row in rows:
            yield json.dumps({c: _plain(v) for c, v in zip(columns, row)})
    elif fmt == "csv":
        yield _csv_line(columns)
        for row in rows:
            yield _csv_line(row)
    else:
        raise ValueError(f"not an export format: {fmt}")


def table_text(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[("NULL" if v is None else str(_plain(v))) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda values: " | ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    rule = "-+-".join("-" * w for w in widths)
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
    return "\n".join([line(columns), rule, *(line(r) for r in cells), footer])


def format_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str) -> str:
    if fmt == "table":
        return table_text(columns, rows)
    return "\n".join(export_lines(columns, rows, fmt))


def first_rows(frame: DataFrame, n: int) -> tuple[list[tuple], int]:
    """The first `n` rows, and how many more the result holds: one row past `n` tells whether
    there are more, and only then is the whole result counted."""
    rows = [tuple(r) for r in frame.limit(n + 1).collect()]
    if len(rows) <= n:
        return rows, 0
    return rows[:n], frame.count() - n


def all_rows(frame: DataFrame, limit: int | None) -> Iterator[tuple]:
    """Every row (or the first `limit`), fetched a partition at a time rather than collected whole."""
    limited = frame if limit is None else frame.limit(limit)
    return (tuple(r) for r in limited.toLocalIterator())
