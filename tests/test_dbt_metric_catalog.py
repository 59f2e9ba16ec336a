"""The metric catalog is the one declaration: the dbt macros and the marts' YAML agree with it."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from creatorlake.anomaly import schema
from creatorlake.metrics import catalog
from creatorlake.metrics.dbt import MACRO_PATH, render_macros
from creatorlake.rootcause import decompose

REPO = Path(__file__).resolve().parents[1]
MARTS = REPO / "dbt" / "models" / "marts"
# The marts carrying every catalog metric, and the words a mart adds to each description.
PODCAST_MARTS = {
    "fct_segment_daily_metrics": "",
    "fct_creator_weekly_revenue": "",
    "fct_creator_monthly_performance": " Null for months wholly before the podcast window.",
}


def test_generated_dbt_macros_are_current():
    committed = (REPO / MACRO_PATH).read_text()
    assert committed == render_macros(), f"{MACRO_PATH} is stale: run `python -m creatorlake.metrics.dbt`"


def test_each_mart_has_its_own_yaml_beside_it():
    models = sorted(p.stem for p in MARTS.glob("*.sql"))
    documented = sorted(p.stem for p in MARTS.glob("*.yml") if not p.name.startswith("_"))
    assert models == documented
    for model in models:
        declared = yaml.safe_load((MARTS / f"{model}.yml").read_text())["models"]
        assert [m["name"] for m in declared] == [model]


def test_podcast_marts_document_every_catalog_metric_as_the_catalog_defines_it():
    for mart, suffix in PODCAST_MARTS.items():
        (model,) = yaml.safe_load((MARTS / f"{mart}.yml").read_text())["models"]
        described = {c["name"]: c["description"].strip() for c in model["columns"] if c["name"] in catalog.BY_NAME}
        assert list(described) == [m.name for m in catalog.METRICS], mart
        for metric in catalog.METRICS:
            assert described[metric.name] == metric.definition + suffix, f"{mart}.{metric.name}"


def test_the_analyses_read_their_columns_from_the_catalog():
    assert set(schema.COUNT_COLUMNS + schema.MONEY_COLUMNS + schema.RATIO_COLUMNS) == set(catalog.BY_NAME)
    assert len(schema.METRIC_COLUMNS) == len(catalog.METRICS)
    assert schema.SEGMENT_KEYS == catalog.SEGMENT_KEYS
    assert schema.DRIVERS == catalog.drivers()
    assert set(decompose.RAW) <= set(catalog.names(*catalog.RAW_KINDS))


def _ratios(raw: dict[str, float]) -> dict[str, float]:
    return {m.name: m.scale * raw[m.numerator] / raw[m.denominator] for m in catalog.METRICS if m.kind == "ratio" and set(m.needs) <= set(raw)}


def test_each_stream_is_the_product_of_its_drivers_and_the_streams_add_up_to_the_north_star():
    raw = {"listens": 1200.0, "active_listeners": 300.0, "ad_opportunities": 1500.0, "filled_impressions": 1100.0,
           "ad_revenue_usd": 19.8, "paying_patrons": 12.0, "subscription_revenue_usd": 84.0, "partner_payout_usd": 50.0}
    north_star = catalog.BY_NAME[catalog.NORTH_STAR]
    raw[north_star.name] = sum(raw[p] for p in north_star.parts)
    values = {**raw, **_ratios(raw)}
    for stream in catalog.STREAMS:
        if stream.factors:
            assert math.prod(values[f] for f in stream.factors) / stream.divisor == pytest.approx(values[stream.value]), stream.name
    assert sum(values[s.value] for s in catalog.STREAMS) == pytest.approx(values[catalog.NORTH_STAR])
    assert values["cpm"] == pytest.approx(1000 * 19.8 / 1100) and values["rpm"] == pytest.approx(1000 * raw[catalog.NORTH_STAR] / 1200)


def test_a_ratio_is_computed_from_its_parts_as_the_catalog_defines_it():
    from creatorlake.metrics.catalog import BY_NAME

    rpm = BY_NAME["rpm"]
    assert (rpm.numerator, rpm.denominator, rpm.scale) == ("creator_revenue_usd", "listens", 1000)
    assert rpm.ratio_of({"creator_revenue_usd": 5.0, "listens": 2000}) == 2.5
    assert rpm.ratio_of({"creator_revenue_usd": 5.0, "listens": 0}) is None
    with pytest.raises(ValueError):
        BY_NAME["listens"].ratio_of({"listens": 1})
