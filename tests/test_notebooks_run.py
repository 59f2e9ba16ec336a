"""The four analysis notebooks run headless over the tiny lakehouse, on Spark Connect as on
Databricks serverless: conftest's Connect server reads the tiny world's gold tables by their
location (the classic session of the suite holds the lakehouse's metastore), under the schema
the notebooks' schema_prefix widget names."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from connect_site import register_on_connect

from creatorlake.cli import build_parser, main, run_command
from creatorlake.impact.tables import RESULT_SCHEMAS

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
# The notebooks' schema_prefix widget: their gold schema on the Connect server, apart from the
# `gold` schema the Connect job tests write there.
PREFIX = "nb_"
GOLD_READ = (
    "fct_creator_weekly_revenue", "fct_partner_cohort_revenue", "fct_creator_monthly_performance",
    "fct_segment_daily_metrics", "metric_anomalies", "anomaly_explanations", "revenue_change_drivers",
)


@pytest.fixture(scope="module")
def executed(spark, explained, connect_server, tmp_path_factory, monkeypatch_module):
    """`creatorlake notebooks run` over the tiny lakehouse after `impact`, as `creatorlake run` leaves it."""
    settings = explained
    if not spark.catalog.tableExists(settings.table("gold", "feature_impact")):
        assert run_command(build_parser().parse_args(["impact"]), settings) == 0
    url, _ = connect_server
    names = [*GOLD_READ, *(name for name in RESULT_SCHEMAS if spark.catalog.tableExists(settings.table("gold", name)))]
    locations = {name: spark.sql(f"describe detail {settings.table('gold', name)}").first()["location"] for name in names}
    register_on_connect(url, [f"create schema if not exists {PREFIX}gold", *(
        f"create table if not exists {PREFIX}gold.{name} using delta location '{location}'" for name, location in locations.items())])
    out = tmp_path_factory.mktemp("notebooks")
    monkeypatch_module.setenv("SPARK_REMOTE", url)
    args = build_parser().parse_args(["notebooks", "run", "--out", str(out), "--schema-prefix", PREFIX])
    assert run_command(args, settings) == 0
    return out, settings


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def outputs(path: Path) -> list[dict]:
    return [output for cell in nbformat.read(path, as_version=4).cells for output in cell.get("outputs", [])]


def text_of(path: Path) -> str:
    parts = []
    for output in outputs(path):
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif "data" in output:
            parts.append(output["data"].get("text/plain", ""))
    return "".join(parts)


@pytest.mark.slow
def test_every_notebook_runs_and_shows_a_chart_and_a_table(executed):
    out, _ = executed
    for notebook in NOTEBOOKS:
        ipynb = out / f"{notebook.stem}.ipynb"
        assert (out / f"{notebook.stem}.html").read_text().count("<img") >= 1, notebook.name
        produced = outputs(ipynb)
        assert not [o for o in produced if o["output_type"] == "error"], notebook.name
        assert any("image/png" in o.get("data", {}) for o in produced), f"{notebook.name} shows no chart"
        assert any("text/html" in o.get("data", {}) for o in produced), f"{notebook.name} shows no table"


def money(value) -> str:
    return f"${float(value):,.2f}"


@pytest.mark.slow
def test_the_conclusions_carry_the_gold_tables_numbers(spark, executed):
    out, settings = executed
    gold = lambda name: settings.table("gold", name)  # noqa: E731

    total = spark.sql(f"select sum(creator_revenue_usd) as t, count(distinct creator_id) as c from {gold('fct_creator_weekly_revenue')}").first()
    assert f"{money(total['t'])} earned by {total['c']} creators." in text_of(out / "01_eda.ipynb")

    cohorts = spark.sql(f"select count(*) as n, sum(c) as creators from (select cohort_week_start_date, max(cohort_creators) as c "
                        f"from {gold('fct_partner_cohort_revenue')} group by 1)").first()
    cohorts_text = text_of(out / "02_cohorts.ipynb")
    if cohorts["n"]:
        assert f"{cohorts['n']} Partner Program cohort(s), {cohorts['creators']} creator(s) activated" in cohorts_text
    else:
        assert "No creator activated the Partner Program" in cohorts_text

    impact_text = text_of(out / "03_feature_impact.ipynb")
    causal = spark.sql(f"select count(*) as c from {gold('feature_impact')} where is_causal").first()["c"]
    everything = spark.table(gold("feature_impact")).count()
    assert f"{causal} causal estimate(s) of {everything}:" in impact_text
    first = spark.sql(f"select * from {gold('feature_impact')} where is_causal order by feature, outcome, method limit 1").first()
    assert f"- {first['feature']} on {first['outcome']} ({first['method']}): " in impact_text

    flagged = spark.sql(f"select count(*) as a, count(distinct metric) as m from {gold('metric_anomalies')}").first()
    assert f"{flagged['a']} anomalies flagged across {flagged['m']} metric(s)." in text_of(out / "04_root_cause.ipynb")


def test_a_failing_cell_is_one_line_naming_the_notebook_and_the_cell(connect_server, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "01_broken.py").write_text(
        "# Databricks notebook source\n# MAGIC %md\n# MAGIC # Broken\n\n# COMMAND ----------\n\n"
        "ratio = 1\n\n# COMMAND ----------\n\nratio = ratio / 0\n")
    monkeypatch.setenv("SPARK_REMOTE", connect_server[0])
    code = main(["notebooks", "run", "--notebooks", str(folder), "--out", str(tmp_path / "out")])
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip() and not line.startswith("[notebooks]")]
    assert code == 1
    assert len(lines) == 1, lines
    assert "01_broken.py" in lines[0] and "cell 3 (ratio = ratio / 0)" in lines[0] and "ZeroDivisionError" in lines[0]
    assert (tmp_path / "out" / "01_broken.ipynb").exists()


def test_no_notebooks_and_a_bad_widget_value_are_one_line_errors_exit_2(tmp_path, capsys):
    assert main(["notebooks", "run", "--notebooks", str(tmp_path)]) == 2
    assert main(["notebooks", "run", "--schema-prefix", "dev-"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2 and "no notebooks" in lines[0] and "--schema-prefix must be letters" in lines[1]
