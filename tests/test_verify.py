"""`creatorlake verify` on the suite's tiny lakehouse: it reconciles, and a changed gold row is named."""

from __future__ import annotations

import argparse

GOLD_COPY = "gold_verify_altered"
GOLD_TABLES = ("fct_creator_monthly_performance", "fct_ads", "fct_partner_program")


def _verify(settings) -> int:
    from creatorlake.commands.verify import run

    return run(argparse.Namespace(limit=20), settings)


def test_verify_passes_on_a_clean_lakehouse(settings, tiny_gold, capsys):
    assert _verify(settings) == 0, capsys.readouterr().out
    assert "all reconcile to the cent" in capsys.readouterr().out


def test_verify_fails_naming_the_table_month_and_amount_of_an_altered_gold_row(spark, settings, tiny_gold, capsys):
    # The shared gold stays untouched: the altered row lives in a copy that verify reads as gold.
    spark.sql(f"create schema if not exists {GOLD_COPY}")
    for name in GOLD_TABLES:
        spark.sql(f"create or replace table {GOLD_COPY}.{name} using delta as select * from {settings.table('gold', name)}")
    row = spark.sql(
        f"select creator_id, month_start_date from {GOLD_COPY}.fct_creator_monthly_performance "
        "where gross_revenue_usd > 0 order by month_start_date, creator_id limit 1"
    ).collect()[0]
    spark.sql(
        f"update {GOLD_COPY}.fct_creator_monthly_performance set gross_revenue_usd = gross_revenue_usd + 1.25 "
        f"where creator_id = '{row['creator_id']}' and month_start_date = DATE'{row['month_start_date']}'"
    )
    capsys.readouterr()
    assert _verify(settings.with_schemas(gold=GOLD_COPY)) == 1
    out = capsys.readouterr().out
    [line] = [l for l in out.splitlines() if l.startswith("mismatch:")]
    assert f"{GOLD_COPY}.fct_creator_monthly_performance {row['month_start_date']:%Y-%m} gross_usd" in line
    assert "difference 1.25" in line
