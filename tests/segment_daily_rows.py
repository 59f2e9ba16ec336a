"""Build small `fct_segment_daily_metrics` frames for the anomaly and root-cause tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterable, Mapping

from creatorlake.anomaly.schema import COUNT_COLUMNS, MONEY_COLUMNS, SEGMENT_DAILY_SCHEMA, SEGMENT_KEYS

START = dt.date(2026, 3, 2)  # a Monday


def day(i: int) -> dt.date:
    return START + dt.timedelta(days=i)


def row(**values: Any) -> dict[str, Any]:
    """A full contract row: zero counts and money, null ratios, platform total, unless given."""
    out: dict[str, Any] = {name: None for name in SEGMENT_DAILY_SCHEMA.fieldNames()}
    out.update({name: 0 for name in COUNT_COLUMNS})
    out.update({name: Decimal("0.00") for name in MONEY_COLUMNS})
    for key, value in values.items():
        if key not in out:
            raise KeyError(key)
        if key in COUNT_COLUMNS and value is not None:
            value = int(value)
        if key in MONEY_COLUMNS and value is not None:
            value = Decimal(str(value)).quantize(Decimal("0.01"))
        out[key] = value
    return out


def series_rows(metric: str, values: Iterable[Any], segment: Mapping[str, str] | None = None, listens: int = 1000, start: int = 0) -> list[dict[str, Any]]:
    """One segment's rows, one per day from `day(start)`, `metric` taking `values` (listens constant unless it is the metric)."""
    segment = dict(segment or {})
    assert set(segment) <= set(SEGMENT_KEYS)
    rows = []
    for i, value in enumerate(values):
        fields = {"metric_date": day(start + i), **segment}
        if metric != "listens":
            fields["listens"] = listens
        fields[metric] = value
        rows.append(row(**fields))
    return rows


def frame(spark, rows: list[dict[str, Any]]):
    return spark.createDataFrame([tuple(r[name] for name in SEGMENT_DAILY_SCHEMA.fieldNames()) for r in rows], SEGMENT_DAILY_SCHEMA)
