"""Query results in the one shape pages embed and figures read: {"columns": [...], "rows": [[...]]}."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any, Iterable, Sequence


def json_value(value: Any) -> Any:
    """A Spark value as JSON: decimals as numbers, dates as ISO days, NaN as null."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def result(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> dict:
    return {"columns": list(columns), "rows": [[json_value(v) for v in row] for row in rows]}


def missing(tables: Iterable[str]) -> dict:
    """The result of a query whose tables are not there yet: its tile says so instead of failing."""
    return {"missing": ", ".join(f"{t} does not exist" for t in sorted(tables))}
