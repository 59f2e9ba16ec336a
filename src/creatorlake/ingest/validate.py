"""Raw records -> (rows to land, rows to quarantine), by the rules of the one bronze declaration.

Every check is a Spark column expression over the whole batch; each bad record gets
exactly one reason, the first that applies in this order: unparseable,
missing_required, bad_type, bad_enum, negative_amount, money_mismatch,
bad_timestamp (in the future), duplicate_key, orphan_fk, bad_timestamp (before its
parent). Row-local faults come first, so a duplicate or an orphan is a row that is
otherwise well formed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Mapping

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from creatorlake.bronze.schemas import BronzeTable, Column as Declared
from creatorlake.generator.run import conform
from creatorlake.ingest.read import ERROR, LINE, RAW, file_columns

REASON_CODES = (
    "unparseable", "missing_required", "bad_type", "bad_enum", "negative_amount",
    "money_mismatch", "duplicate_key", "orphan_fk", "bad_timestamp",
)
QUARANTINE_SCHEMA = T.StructType([
    T.StructField("entity", T.StringType(), False),
    T.StructField("source_file", T.StringType(), False),
    T.StructField("line_number", T.LongType(), False),
    T.StructField("raw_line", T.StringType(), True),
    T.StructField("reason_code", T.StringType(), False),
    T.StructField("message", T.StringType(), True),
    T.StructField("batch_id", T.StringType(), False),
    T.StructField("_ingested_at", T.TimestampType(), False),
])
SHOWN_CHARS = 60  # of a bad value, in a message


@dataclass(frozen=True)
class Validated:
    good: DataFrame  # exactly the bronze table's schema
    quarantine: DataFrame  # QUARANTINE_SCHEMA


def _typed(name: str) -> str:
    return f"__typed_{name}"


def _shown(name: str) -> Column:
    return F.substring(F.col(name), 1, SHOWN_CHARS)


def _reason(code: str, condition: Column, message: Column | str) -> Column:
    msg = F.lit(message) if isinstance(message, str) else message
    return F.when(condition, F.struct(F.lit(code).alias("code"), msg.alias("message")))


def _read_as_declared(col: Declared) -> Column:
    """The raw string read as the declared type; null when it does not read (money with more than its scale too)."""
    raw = F.trim(F.col(col.name)) if not isinstance(col.dtype, T.StringType) else F.col(col.name)
    typed = raw.try_cast(col.dtype)
    if isinstance(col.dtype, T.DecimalType):
        exact = raw.try_cast(T.DecimalType(38, 18))
        typed = F.when(exact == typed.cast(T.DecimalType(38, 18)), typed)
    return typed


def row_reasons(table: BronzeTable, now: dt.datetime) -> list[Column]:
    """The row-local checks, in order: each a struct(code, message) or null."""
    cols = [c for c in table.columns if c.date_of is None]
    checks = [_reason("unparseable", F.col(ERROR).isNotNull(), F.col(ERROR))]
    checks += [_reason("missing_required", F.col(c.name).isNull() | (F.trim(F.col(c.name)) == ""), f"missing required {c.name}") for c in cols if c.required]
    checks += [
        _reason("bad_type", F.col(c.name).isNotNull() & F.col(_typed(c.name)).isNull(),
                F.format_string(f"{c.name}: cannot read '%s' as {c.dtype.simpleString()}", _shown(c.name)))
        for c in cols
    ]
    checks += [
        _reason("bad_enum", ~F.col(_typed(c.name)).isin(*c.enum),
                F.format_string(f"{c.name}: '%s' is not one of {', '.join(c.enum)}", _shown(c.name)))
        for c in cols if c.enum
    ]
    for c in cols:
        if c.non_negative:
            applies = F.lit(True) if c.non_negative is True else F.expr(_typed_expr(str(c.non_negative), cols))
            checks.append(_reason("negative_amount", (F.col(_typed(c.name)) < 0) & applies, F.format_string(f"{c.name} is negative: %s", F.col(_typed(c.name)).cast("string"))))
    for column, expression in table.reconciles:
        expected = F.expr(_typed_expr(expression, cols))
        checks.append(_reason("money_mismatch", F.col(_typed(column)) != expected,
                              F.format_string(f"{column} %s != {expression} = %s", F.col(_typed(column)).cast("string"), expected.cast("string"))))
    checks += [
        _reason("bad_timestamp", F.col(_typed(c.name)) > F.lit(now), F.format_string(f"{c.name} %s is in the future", F.col(_typed(c.name)).cast("string")))
        for c in cols if isinstance(c.dtype, T.TimestampType)
    ]
    return checks


def _typed_expr(expression: str, cols: list[Declared]) -> str:
    """A declared SQL expression over the typed columns (the declaration's names, read as their types)."""
    names = {c.name for c in cols}
    return re.sub(r"\b([a-z_][a-z0-9_]*)\b", lambda m: f"`{_typed(m.group(1))}`" if m.group(1) in names else m.group(1), expression)


def _first(reasons: list[Column]) -> Column:
    return F.coalesce(*reasons) if len(reasons) > 1 else reasons[0]


def _parent(ref: str) -> tuple[str, str]:
    name, column = ref.split(".")
    return name, column


def validate(
    records: DataFrame,
    table: BronzeTable,
    *,
    parents: Mapping[str, DataFrame | None],
    now: dt.datetime,
    source_file: str,
    batch_id: str,
) -> Validated:
    """Check a batch of raw records (`read.read_file`'s columns) against the declaration.

    `parents` maps each referenced table to its bronze rows (the batch's own
    entities already landed), or None when it does not exist yet.
    """
    cols = [c for c in table.columns if c.date_of is None]
    df = records.select(LINE, RAW, ERROR, *[F.col(n) for n in file_columns(table)], *[_read_as_declared(c).alias(_typed(c.name)) for c in cols])
    df = df.withColumn("__row_reason", _first(row_reasons(table, now)))

    # duplicate_key: a later record repeating a key already seen in this batch (well-formed rows only).
    by_key = Window.partitionBy(*[F.col(_typed(k)) for k in table.key]).orderBy(F.col("__row_reason").isNotNull(), LINE)
    df = df.withColumn("__seen", F.row_number().over(by_key))
    reasons = [F.col("__row_reason"), _reason("duplicate_key", F.col("__seen") > 1, F.format_string("key %s repeats an earlier line of this file", F.concat_ws(", ", *[F.col(_typed(k)).cast("string") for k in table.key])))]

    # orphan_fk and parent timestamps: one left join per foreign key against the parent's bronze rows.
    parent_ts: dict[str, tuple[str, str]] = {}
    for c in cols:
        if c.not_before:
            parent_ts[_parent(c.not_before)[0]] = (c.name, _parent(c.not_before)[1])
    late = []
    for c in cols:
        if not c.references:
            continue
        pname, pkey = _parent(c.references)
        alias = f"__parent_{c.name}"
        wanted = [F.col(pkey).alias(alias)]
        child_ts = parent_ts.get(pname)
        if child_ts:
            wanted.append(F.col(child_ts[1]).alias(f"{alias}_ts"))
        parent = parents.get(pname)
        if parent is None:
            schema = T.StructType([T.StructField(alias, T.StringType())] + ([T.StructField(f"{alias}_ts", T.TimestampType())] if child_ts else []))
            parent = records.sparkSession.createDataFrame([], schema)
        else:
            # One row per parent key, whatever the parent holds: the join must never multiply the batch.
            parent = parent.select(*wanted).groupBy(alias).agg(*[F.min(f"{alias}_ts").alias(f"{alias}_ts")] if child_ts else [F.lit(1).alias(f"{alias}_n")])
        df = df.join(parent, F.col(_typed(c.name)) == F.col(alias), how="left")
        reasons.append(_reason("orphan_fk", F.col(_typed(c.name)).isNotNull() & F.col(alias).isNull(),
                               F.format_string(f"{c.name} '%s' is not in {pname}", _shown(_typed(c.name)))))
        if child_ts:
            ts_col, parent_col = child_ts
            late.append(_reason("bad_timestamp", F.col(_typed(ts_col)) < F.col(f"{alias}_ts"),
                                F.format_string(f"{ts_col} %s is before {pname}.{parent_col} %s", F.col(_typed(ts_col)).cast("string"), F.col(f"{alias}_ts").cast("string"))))
    df = df.withColumn("__reason", _first(reasons + late))

    lineage = [F.lit(now).cast("timestamp").alias("_ingested_at"), F.lit(batch_id).alias("_batch_id")]
    derived = [F.to_date(F.col(_typed(c.date_of))).alias(c.name) for c in table.columns if c.date_of]
    good = conform(df.where(F.col("__reason").isNull()).select(*[F.col(_typed(c.name)).alias(c.name) for c in cols], *derived, *lineage), table)
    quarantine = df.where(F.col("__reason").isNotNull()).select(
        F.lit(table.name).alias("entity"),
        F.lit(source_file).alias("source_file"),
        F.col(LINE).cast("long").alias("line_number"),
        F.col(RAW).alias("raw_line"),
        F.col("__reason.code").alias("reason_code"),
        F.col("__reason.message").alias("message"),
        F.lit(batch_id).alias("batch_id"),
        F.lit(now).cast("timestamp").alias("_ingested_at"),
    )
    return Validated(good=good, quarantine=quarantine)
