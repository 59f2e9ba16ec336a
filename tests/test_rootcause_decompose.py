"""Exact decomposition of creator revenue changes on toy cases."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from chispa import assert_df_equality

from creatorlake.anomaly.schema import DRIVERS
from creatorlake.rootcause.decompose import RAW, contribution_columns, decompose

BASE = dict(listens=10000, ad_opportunities=20000, filled_impressions=16000, ad_revenue_usd=320.00,
            active_listeners=4000, paying_patrons=80, subscription_revenue_usd=400.00, partner_payout_usd=50.00)


def changes(spark, pairs):
    """pairs: list of (before, after) dicts of raw components."""
    schema = ", ".join(f"{c}_{p} double" for c in RAW for p in (0, 1))
    rows = [tuple(float(before[c]) if p == 0 else float(after[c]) for c in RAW for p in (0, 1)) for before, after in pairs]
    return spark.createDataFrame(rows, schema)


def with_(**overrides):
    return {**BASE, **overrides}


def total(raw):
    return Decimal(str(raw["ad_revenue_usd"])) + Decimal(str(raw["subscription_revenue_usd"])) + Decimal(str(raw["partner_payout_usd"]))


def contributions(row):
    return {d: row[f"contribution_{d}"] for d in DRIVERS}


def test_only_cpm_moves_so_cpm_takes_the_whole_change(spark):
    after = with_(ad_revenue_usd=176.00)  # CPM -45% at the same impressions
    row = decompose(changes(spark, [(BASE, after)])).first()
    assert row.change_usd == Decimal("-144.00")
    assert contributions(row) == {d: Decimal("-144.00") if d == "cpm" else Decimal("0.00") for d in DRIVERS}
    assert row.dominant_driver == "cpm" and row.dominant_share == pytest.approx(1.0)
    assert row.decomposition_method == "ads lmdi, subscriptions lmdi"


def test_log_mean_of_unequal_values_with_one_logarithm_is_their_limit_not_an_error(spark):
    from pyspark.sql import functions as F

    from creatorlake.rootcause.decompose import _log_mean

    a = 1e12
    b = math.nextafter(a, math.inf)
    assert a != b and math.log(a) == math.log(b)  # the case ANSI division by zero used to hit
    rows = spark.createDataFrame([(a, b), (320.0, 381.15)], "a double, b double")
    got = [r[0] for r in rows.select(_log_mean(F.col("a"), F.col("b"))).collect()]
    assert got[0] == a
    assert got[1] == pytest.approx((320.0 - 381.15) / (math.log(320.0) - math.log(381.15)))


def test_lmdi_contribution_matches_the_log_mean_formula(spark):
    after = with_(listens=11000, ad_opportunities=23100, filled_impressions=17325, ad_revenue_usd=381.15)
    row = decompose(changes(spark, [(BASE, after)])).first()
    v0, v1 = 320.00, 381.15
    weight = (v1 - v0) / (math.log(v1) - math.log(v0))
    expected = {
        "listens": weight * math.log(11000 / 10000),
        "ad_load": weight * math.log((23100 / 11000) / (20000 / 10000)),
        "fill_rate": weight * math.log((17325 / 23100) / (16000 / 20000)),
        "cpm": weight * math.log((381.15 / 17325) / (320.00 / 16000)),
    }
    for driver, value in expected.items():
        assert float(row[f"contribution_{driver}"]) == pytest.approx(value, abs=0.01)
    assert sum(contributions(row).values()) == row.change_usd == Decimal("61.15")


CASES = [
    (BASE, with_(listens=7000, active_listeners=3100, ad_opportunities=14500, filled_impressions=11000, ad_revenue_usd=231.17, paying_patrons=70, subscription_revenue_usd=351.13, partner_payout_usd=12.34)),
    # the ad stream starts from nothing: zeros force the Shapley rule
    (with_(ad_opportunities=0, filled_impressions=0, ad_revenue_usd=0.0), BASE),
    # subscriptions vanish
    (BASE, with_(paying_patrons=0, subscription_revenue_usd=0.0)),
    # a refund-only day: subscription revenue without paying patrons (broken chain -> arppu_usd)
    (BASE, with_(paying_patrons=0, subscription_revenue_usd=-25.50)),
    # a segment with no activity at all in either period
    ({c: 0 for c in RAW}, {c: 0 for c in RAW}),
    # thirds of a cent
    (BASE, with_(ad_revenue_usd=320.01, subscription_revenue_usd=400.01, partner_payout_usd=50.01)),
]


def test_contributions_sum_to_the_change_to_the_cent(spark):
    rows = decompose(changes(spark, CASES)).collect()
    assert len(rows) == len(CASES)
    by_change = {}
    for row in rows:
        assert sum(contributions(row).values()) == row.change_usd
        by_change.setdefault(row.change_usd, row)
    for before, after in CASES:
        assert total(after) - total(before) in by_change


def test_shapley_rule_when_a_factor_is_zero(spark):
    before = with_(ad_opportunities=0, filled_impressions=0, ad_revenue_usd=0.0)
    row = decompose(changes(spark, [(before, BASE)])).first()
    assert row.decomposition_method == "ads shapley, subscriptions lmdi"
    # ad_load goes 0 -> 2; fill_rate and cpm were unobservable (0/0) and so carry nothing; listens unchanged.
    assert contributions(row)["ad_load"] == Decimal("320.00")
    assert row.dominant_driver == "ad_load"


def test_broken_chain_goes_to_the_rate_factor(spark):
    row = decompose(changes(spark, [(BASE, with_(paying_patrons=0, subscription_revenue_usd=-25.50))])).first()
    assert row.decomposition_method == "ads lmdi, subscriptions rate"
    assert contributions(row)["arppu_usd"] == Decimal("-425.50")
    assert contributions(row)["sub_conversion"] == Decimal("0.00")


def test_largest_remainder_keeps_the_sum_exact(spark):
    row = decompose(changes(spark, [(BASE, with_(ad_revenue_usd=320.01, subscription_revenue_usd=400.01, partner_payout_usd=50.01))])).first()
    assert row.change_usd == Decimal("0.03")
    assert sum(contributions(row).values()) == Decimal("0.03")
    assert all(abs(v) <= Decimal("0.01") for v in contributions(row).values())


@pytest.mark.parametrize(
    "after, driver",
    [
        (with_(ad_revenue_usd=176.00, listens=10200, ad_opportunities=20400, filled_impressions=16320), "cpm"),
        (with_(filled_impressions=8000, ad_revenue_usd=160.00), "fill_rate"),
        (with_(paying_patrons=40, subscription_revenue_usd=200.00), "sub_conversion"),
        (with_(partner_payout_usd=900.00), "partner_payout_usd"),
        (with_(subscription_revenue_usd=300.00, ad_revenue_usd=330.00, filled_impressions=16500), "arppu_usd"),
    ],
)
def test_dominant_driver_on_toy_cases(spark, after, driver):
    assert decompose(changes(spark, [(BASE, after)])).first().dominant_driver == driver


def test_an_audience_drop_is_a_listens_drop_even_when_it_offsets_inside_subscriptions(spark):
    # 40% fewer listens and listeners; the paying patrons stay, so subscription
    # revenue does not move: active_listeners (-) and sub_conversion (+) cancel.
    after = with_(listens=6000, ad_opportunities=12000, filled_impressions=9600, ad_revenue_usd=192.00, active_listeners=2400)
    row = decompose(changes(spark, [(BASE, after)])).first()
    assert contributions(row)["active_listeners"] < contributions(row)["listens"] < 0  # the largest single move...
    assert contributions(row)["active_listeners"] + contributions(row)["sub_conversion"] == 0  # ...cancelled in its stream
    assert row.dominant_driver == "listens" and row.dominant_share == pytest.approx(1.0)


def test_output_schema_has_one_decimal_column_per_driver(spark):
    out = decompose(changes(spark, [(BASE, BASE)]))
    assert [f.dataType.simpleString() for f in out.schema if f.name in contribution_columns()] == ["decimal(18,2)"] * 8
    expected = spark.createDataFrame([(Decimal("0.00"), "listens")], "change_usd decimal(18,2), dominant_driver string")
    assert_df_equality(out.select("change_usd", "dominant_driver"), expected, ignore_nullable=True)
