"""The result tables of `creatorlake impact`, declared once: their columns, in order, with Spark types.

Declared rather than inferred from pandas, so a column that happens to be all null in a
small world (a pre-trend p-value no estimate has) keeps its type, and every world writes
the same schema.
"""

from __future__ import annotations

import dataclasses
import typing

import pandas as pd
from pyspark.sql import types as T

from creatorlake.impact.features import STREAMS
from creatorlake.impact.lift import Estimate

_SPARK_TYPES: dict[type, T.DataType] = {float: T.DoubleType(), int: T.LongType(), str: T.StringType(), bool: T.BooleanType()}


def _fields_of(cls: type) -> list[T.StructField]:
    """One field per dataclass field; `X | None` is a nullable X (every field is nullable in Delta anyway)."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        base = next((a for a in typing.get_args(hint) if a is not type(None)), hint)
        out.append(T.StructField(f.name, _SPARK_TYPES[base]))
    return out


def _fields(names: str, data_type: T.DataType) -> list[T.StructField]:
    return [T.StructField(name, data_type) for name in names.split()]


KEYS = _fields("feature outcome method", T.StringType())
RESULT_SCHEMAS: dict[str, T.StructType] = {
    "feature_impact": T.StructType(_fields_of(Estimate)),
    "feature_impact_event_study": T.StructType(
        [*KEYS, T.StructField("event_week", T.LongType()), *_fields("estimate ci_low ci_high", T.DoubleType())]),
    "feature_impact_balance": T.StructType(
        [*_fields("feature outcome covariate", T.StringType()), *_fields("smd_before smd_after", T.DoubleType())]),
    "partner_cohort_trajectory": T.StructType([
        T.StructField("cohort_month", T.TimestampType()), T.StructField("group", T.StringType()),
        *_fields("weeks_since_activation creators", T.LongType()),
        *[T.StructField(f"{stream}_per_creator", T.DoubleType()) for stream in STREAMS],
    ]),
}


def conformed(frame: pd.DataFrame, schema: T.StructType) -> pd.DataFrame:
    """The frame's declared columns in order, each as its Spark type wants it, missing values as None."""
    out = {}
    for field in schema.fields:
        column = frame[field.name]
        if isinstance(field.dataType, T.LongType):
            column = pd.to_numeric(column).astype("Int64")
        elif isinstance(field.dataType, T.DoubleType):
            column = pd.to_numeric(column).astype(float)
        elif isinstance(field.dataType, T.BooleanType):
            column = column.astype("boolean")
        elif isinstance(field.dataType, T.TimestampType):
            column = pd.to_datetime(column)
        out[field.name] = column
    frame = pd.DataFrame(out, index=frame.index)
    return frame.astype(object).where(frame.notna(), None)
