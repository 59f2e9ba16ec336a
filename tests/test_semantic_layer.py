"""The semantic layer: generated from the metric catalog, valid for MetricFlow, and its
queries on the local lakehouse give the marts' numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from creatorlake.cli import main
from creatorlake.metrics import catalog
from creatorlake.metrics.semantic import YAML_PATH, render_yaml

REPO = Path(__file__).resolve().parents[1]


def test_generated_semantic_models_and_metrics_are_current():
    committed = (REPO / YAML_PATH).read_text()
    assert committed == render_yaml(), f"{YAML_PATH} is stale: run `python -m creatorlake.metrics.semantic`"


@pytest.fixture(scope="module")
def semantic_manifest(settings) -> dict:
    from creatorlake.metrics.query import parse_semantic_manifest

    return parse_semantic_manifest(settings)


def test_the_semantic_manifest_passes_metricflow_validation(semantic_manifest):
    # The semantic checks of `mf validate-configs`, on the manifest `dbt parse` wrote.
    from metricflow_semantic_interfaces.validations.semantic_manifest_validator import SemanticManifestValidator
    from metricflow_semantics.model.dbt_manifest_parser import parse_manifest_from_dbt_generated_manifest

    manifest = parse_manifest_from_dbt_generated_manifest(manifest_json_string=json.dumps(semantic_manifest))
    result = SemanticManifestValidator().validate_semantic_manifest(manifest)
    assert not result.has_blocking_issues, [issue.as_readable_str() for issue in result.all_issues]
    (spine,) = semantic_manifest["project_configuration"]["time_spines"]
    assert (spine["node_relation"]["alias"], spine["primary_column"]) == ("metricflow_time_spine", {"name": "date_day", "time_granularity": "day"})


def test_each_served_ratio_divides_the_catalogs_parts(semantic_manifest):
    metrics = {m["name"]: m for m in semantic_manifest["metrics"]}
    assert {name for name, _ in catalog.SEMANTIC_METRICS} <= set(metrics)
    for name, _ in catalog.SEMANTIC_METRICS:
        declared = catalog.SEMANTIC_BY_NAME.get(name)
        if declared is None or declared.kind != "ratio":
            assert metrics[name]["type"] == "simple", name
            continue
        params = metrics[name]["type_params"]
        numerator = declared.numerator if declared.scale == 1 else f"{declared.numerator}_x{declared.scale}"
        assert (metrics[name]["type"], params["numerator"]["name"], params["denominator"]["name"]) == ("ratio", numerator, declared.denominator), name
        assert params["denominator"].get("offset_window") == (
            None if declared.denominator_offset is None else {"count": 1, "granularity": "month"}
        ), name
    assert metrics["rpm"]["description"] == "1000 * creator_revenue_usd / listens; null when listens = 0."


def _query_json(capsys, *argv: str) -> list[dict]:
    capsys.readouterr()
    assert main(["metrics", "query", *argv, "--format", "json"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_rpm_per_week_and_country_equals_the_marts(tiny_gold, spark, settings, capsys):
    rows = _query_json(capsys, "--metrics", "rpm", "--group-by", "metric_time__week,creator__country_code")
    got = {(r["metric_time__week"][:10], r["creator__country_code"]): r["rpm"] for r in rows}
    expected = {
        (str(r.week_start_date), r.country_code): r.rpm
        for r in spark.sql(f"""
            select
                week_start_date,
                country_code,
                1000 * cast(sum(creator_revenue_usd) as double) / nullif(sum(listens), 0) as rpm
            from {settings.table('gold', 'fct_creator_weekly_revenue')}
            group by week_start_date, country_code
        """).collect()
    }
    assert len(expected) > 10 and any(v for v in expected.values())
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == (None if value is None else pytest.approx(value, rel=1e-9)), key


def test_churn_guardrails_per_week_and_category_equal_the_creator_week_panel(tiny_gold, spark, settings, capsys):
    rates = ("listener_churn_pct", "pledge_churn_pct")
    rows = _query_json(capsys, "--metrics", ",".join(rates), "--group-by", "metric_time__week,creator__category")
    got = {(r["metric_time__week"][:10], r["creator__category"]): r for r in rows}
    expected = spark.sql(f"""
        select
            week_start_date,
            category,
            100 * sum(churned_listeners) / nullif(sum(listeners_at_risk), 0) as listener_churn_pct,
            100 * sum(churned_pledges) / nullif(sum(pledges_at_risk), 0) as pledge_churn_pct
        from {settings.table('gold', 'fct_creator_week_panel')}
        group by week_start_date, category
    """).collect()
    assert any(r.listener_churn_pct for r in expected) and any(r.pledge_churn_pct for r in expected)
    for row in expected:
        served = got.get((str(row.week_start_date), row.category), {})
        for rate in rates:
            value = getattr(row, rate)
            assert served.get(rate) == (None if value is None else pytest.approx(value, rel=1e-9)), (row.week_start_date, row.category, rate)


def test_membership_rates_per_creator_month_equal_the_marts(tiny_gold, spark, settings, capsys):
    rates = ("patron_churn_rate_pct", "collection_rate_pct", "decline_rate_pct")
    rows = _query_json(capsys, "--metrics", ",".join(rates), "--group-by", "metric_time__month,creator")
    got = {(r["metric_time__month"][:10], r["creator"]): r for r in rows}
    mart = spark.sql(f"select creator_id, month_start_date, {', '.join(rates)} "
                     f"from {settings.table('gold', 'fct_creator_monthly_performance')}").collect()
    compared = 0
    for row in mart:
        served = got.get((str(row.month_start_date), row.creator_id), {})
        for rate in rates:
            value = getattr(row, rate)
            if value is None:
                assert served.get(rate) is None, (row.creator_id, row.month_start_date, rate)
            else:
                # the mart rounds its rates to two decimals
                assert served[rate] == pytest.approx(value, abs=0.005 + 1e-9), (row.creator_id, row.month_start_date, rate)
                compared += 1
    assert compared > 50


@pytest.mark.parametrize("argv, names", [
    (["--metrics", "revenue_per_mille"], "revenue_per_mille"),
    (["--metrics", "rpm", "--group-by", "creator__favourite_colour"], "creator__favourite_colour"),
])
def test_an_unknown_metric_or_dimension_is_one_line_and_exit_2(settings, capsys, argv, names):
    assert main(["metrics", "query", *argv]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and names in err, err
