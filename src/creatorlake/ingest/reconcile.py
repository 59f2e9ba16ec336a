"""Reconciliation bronze -> silver -> gold: the same money and counts per month at every layer.

Pure functions over DataFrames: each layer's table is reduced to (month, measure,
value) rows, and two layers' reductions are compared; `commands/verify.py` reads
the tables and prints the report.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

CENT = 0.01


@dataclass(frozen=True)
class Reduction:
    month: str  # column or SQL expression of the row's instant
    measures: dict[str, str]  # measure -> SQL aggregate over the table
    where: str | None = None  # trusted SQL filter (the rows the measure covers)


def monthly(df: DataFrame, reduction: Reduction) -> DataFrame:
    """(month, measure, value) rows: one per month and measure."""
    if reduction.where:
        df = df.where(F.expr(reduction.where))
    sums = df.groupBy(F.date_trunc("month", F.expr(reduction.month)).cast("date").alias("month")).agg(
        *[F.expr(aggregate).cast("decimal(38,2)").alias(name) for name, aggregate in reduction.measures.items()]
    )
    stacked = F.explode(F.array(*[F.struct(F.lit(n).alias("measure"), F.col(n).alias("value")) for n in reduction.measures]))
    return sums.select("month", stacked.alias("m")).select("month", "m.measure", F.coalesce("m.value", F.lit(0).cast("decimal(38,2)")).alias("value"))


def mismatches(upstream: DataFrame, downstream: DataFrame, upstream_table: str, downstream_table: str) -> DataFrame:
    """Months and measures where two layers differ by more than a cent (a month missing on one side counts as 0)."""
    up, down = upstream.alias("u"), downstream.alias("d")
    joined = up.join(down, (F.col("u.month") == F.col("d.month")) & (F.col("u.measure") == F.col("d.measure")), how="full")
    zero = F.lit(0).cast("decimal(38,2)")
    diff: Column = F.coalesce(F.col("d.value"), zero) - F.coalesce(F.col("u.value"), zero)
    return joined.select(
        F.coalesce("u.month", "d.month").alias("month"),
        F.coalesce("u.measure", "d.measure").alias("measure"),
        F.lit(upstream_table).alias("upstream_table"),
        F.coalesce(F.col("u.value"), zero).alias("upstream_value"),
        F.lit(downstream_table).alias("downstream_table"),
        F.coalesce(F.col("d.value"), zero).alias("downstream_value"),
        diff.alias("difference"),
    ).where(F.abs(F.col("difference")) > F.lit(CENT))


SUCCEEDED = "transaction_status = 'succeeded'"
MONEY_OF_TRANSACTIONS = {
    "gross_usd": "sum(gross_amount_usd)", "platform_fees_usd": "sum(platform_fee_usd)",
    "processing_fees_usd": "sum(processing_fee_usd)", "net_usd": "sum(net_amount_usd)",
}
PAYMENTS = "transaction_type = 'pledge_payment' and transaction_status = 'succeeded'"


def chains() -> list[list[tuple[str, str, Reduction]]]:
    """Each chain: the same measures reduced at successive layers, (layer, table name, reduction)."""
    r = Reduction

    return [
        [("bronze", "transactions", r("transaction_at", {"rows": "count(1)"})),
         ("silver", "stg_transactions", r("transaction_at", {"rows": "count(1)"}))],
        [("bronze", "transactions", r("transaction_at", MONEY_OF_TRANSACTIONS, SUCCEEDED)),
         ("silver", "stg_transactions", r("transaction_at", MONEY_OF_TRANSACTIONS, SUCCEEDED)),
         ("gold", "fct_creator_monthly_performance", r("month_start_date", {
             "gross_usd": "sum(gross_revenue_usd)", "platform_fees_usd": "sum(platform_fees_usd)",
             "processing_fees_usd": "sum(processing_fees_usd)", "net_usd": "sum(net_creator_earnings_usd)"}))],
        [("silver", "stg_transactions", r("transaction_at", {"successful_payments": "count(1)"}, PAYMENTS)),
         ("gold", "fct_creator_monthly_performance", r("month_start_date", {"successful_payments": "sum(successful_transactions)"}))],
        [("bronze", "ad_impressions", r("ad_date", {"ad_revenue_usd": "sum(revenue_usd)", "rows": "count(1)"})),
         ("silver", "stg_ad_impressions", r("ad_date", {"ad_revenue_usd": "sum(revenue_usd)", "rows": "count(1)"})),
         ("gold", "fct_ads", r("ad_date", {"ad_revenue_usd": "sum(revenue_usd)", "rows": "count(1)"}))],
        [("bronze", "partner_program", r("lifecycle_ts", {"payouts_usd": "sum(payout_usd)", "rows": "count(1)"})),
         ("silver", "stg_partner_program", r("lifecycle_ts", {"payouts_usd": "sum(payout_usd)", "rows": "count(1)"})),
         ("gold", "fct_partner_program", r("lifecycle_ts", {"payouts_usd": "sum(payout_usd)", "rows": "count(1)"}))],
    ]


def unaccounted_batches(ledger: DataFrame, quarantine: DataFrame) -> DataFrame:
    """Ingested files whose rows do not add up: read != loaded + quarantined, or a quarantine count that differs from the ledger's."""
    latest = Window.partitionBy("source_file").orderBy(F.col("_ingested_at").desc())
    ledger = ledger.withColumn("_n", F.row_number().over(latest)).where(F.col("_n") == 1)  # a corrected file supersedes its earlier batch
    counted = quarantine.groupBy(F.col("batch_id")).agg(F.count(F.lit(1)).alias("in_quarantine"))
    return (
        ledger.join(counted, "batch_id", how="left")
        .select("source_file", "batch_id", "rows_read", "rows_loaded", "rows_quarantined", F.coalesce("in_quarantine", F.lit(0)).alias("in_quarantine"))
        .where((F.col("rows_read") != F.col("rows_loaded") + F.col("rows_quarantined")) | (F.col("rows_quarantined") != F.col("in_quarantine")))
    )
