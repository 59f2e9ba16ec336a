"""`creatorlake dashboards build`: the committed Lakeview dashboards are what the folders build, and parse as Lakeview."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlglot
from databricks.labs.lsql.lakeview import Dashboard

from creatorlake.cli import main
from creatorlake.dashboards.lakeview import SOURCE_SCHEMA, dashboard_folders, lakeview_dashboard, serialize, tables_read
from creatorlake.dashboards.page import page_plan

REPO_ROOT = Path(__file__).resolve().parents[1]
SOURCE = REPO_ROOT / "dashboards"
COMMITTED = REPO_ROOT / "resources" / "dashboards"
FOLDERS = dashboard_folders(SOURCE)
EIGHT = {
    "monetization_overview", "feature_performance", "partner_program_funnel", "platform_overview",
    "creator_performance", "health_metrics", "engagement", "anomalies_root_cause",
}


@pytest.fixture(scope="module")
def built() -> dict[str, dict]:
    """Each folder built once for the module: lsql's parsing is the slow part."""
    return {f.name: lakeview_dashboard(f.path) for f in FOLDERS}


def committed_files() -> list[Path]:
    return sorted(COMMITTED.glob("*.lvdash.json"))


def test_the_eight_dashboards_have_folders_and_committed_files():
    assert {f.name for f in FOLDERS} == EIGHT
    assert {p.name.removesuffix(".lvdash.json") for p in committed_files()} == EIGHT


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_committed_file_is_what_build_produces(built, folder):
    committed = COMMITTED / f"{folder.name}.lvdash.json"
    assert committed.read_text() == serialize(built[folder.name]), (
        f"{committed} is stale: run `creatorlake dashboards build` and commit the result"
    )


@pytest.mark.parametrize("path", committed_files(), ids=lambda p: p.name)
def test_committed_file_parses_as_a_lakeview_dashboard(path):
    raw = json.loads(path.read_text())
    dashboard = Dashboard.from_dict(raw)
    assert dashboard.datasets and dashboard.pages
    names = {d.name for d in dashboard.datasets}
    for dataset in dashboard.datasets:
        sqlglot.parse_one(dataset.query, dialect="databricks")
    used = {q.query.dataset_name for page in dashboard.pages for item in page.layout for q in (item.widget.queries or [])}
    assert used <= names, f"widgets name datasets that do not exist: {used - names}"
    assert names <= used, f"datasets no widget shows: {names - used}"


def test_build_retargets_every_gold_table_to_the_catalog_and_prefixed_schema():
    for folder in FOLDERS:
        source = {d["name"]: tables_read(d["query"]) for d in lakeview_dashboard(folder.path, schema=SOURCE_SCHEMA)["datasets"]}
        built = lakeview_dashboard(folder.path, catalog="main", schema="dev_gold")
        for dataset in built["datasets"]:
            tree = sqlglot.parse_one(dataset["query"], dialect="databricks")
            ctes = {c.alias_or_name for c in tree.find_all(sqlglot.exp.CTE)}
            tables = {f"{t.catalog}.{t.db}.{t.name}" for t in tree.find_all(sqlglot.exp.Table) if t.name not in ctes}
            assert tables == {f"main.dev_gold.{t.removeprefix('gold.')}" for t in source[dataset["name"]]}
            assert all(t.startswith("gold.") for t in source[dataset["name"]])


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_the_default_build_names_tables_alone_for_the_deployed_dashboard_to_resolve(built, folder):
    """Each target's dashboard resource sets dataset_catalog and dataset_schema (its own gold); a
    catalog or schema in the committed queries would override them and read another target's tables."""
    source = {d["name"]: tables_read(d["query"]) for d in lakeview_dashboard(folder.path, schema=SOURCE_SCHEMA)["datasets"]}
    for dataset in built[folder.name]["datasets"]:
        tree = sqlglot.parse_one(dataset["query"], dialect="databricks")
        ctes = {c.alias_or_name for c in tree.find_all(sqlglot.exp.CTE)}
        tables = [t for t in tree.find_all(sqlglot.exp.Table) if t.name not in ctes]
        assert tables and all(not t.db and not t.catalog for t in tables), dataset["query"]
        assert {t.name for t in tables} == {name.removeprefix("gold.") for name in source[dataset["name"]]}


def test_monetization_overview_filters_country_category_tier_and_dates(built):
    dashboard = built["monetization_overview"]
    _, filters = page_plan(dashboard)
    columns = {column: f.kind for f in filters for _, column in f.targets}
    assert columns == {"country_code": "single", "category": "single", "creator_tier": "single", "week_start_date": "date_range"}
    # Every chart, counter and table of the page follows the segment filters.
    datasets = {d for f in filters if f.kind == "single" for d, _ in f.targets}
    assert len(datasets) == len(dashboard["datasets"])


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_every_dashboard_has_a_filter_on_one_of_its_datasets(built, folder):
    _, filters = page_plan(built[folder.name])
    assert filters and all(f.targets for f in filters)


def test_cli_build_writes_the_committed_files(tmp_path):
    assert main(["dashboards", "build", "--out", str(tmp_path)]) == 0
    written = sorted(tmp_path.glob("*.lvdash.json"))
    assert [p.name for p in written] == [p.name for p in committed_files()]
    for path in written:
        assert path.read_text() == (COMMITTED / path.name).read_text()


@pytest.mark.parametrize(
    "argv, names",
    [
        (["dashboards", "build", "--schema-prefix", "dev-"], "--schema-prefix"),
        (["dashboards", "build", "--catalog", "main;drop"], "--catalog"),
        (["dashboards", "build", "--source", "/nonexistent"], "/nonexistent"),
        (["dashboards", "publish"], "publish"),
    ],
)
def test_bad_build_input_is_one_line_and_exit_2(tmp_path, capsys, argv, names):
    try:
        code = main([*argv, *(["--out", str(tmp_path / "out")] if "build" in argv else [])])
    except SystemExit as usage_error:  # argparse's errors exit; the command's return their code
        code = usage_error.code
    assert code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and names in lines[0]
    assert not (tmp_path / "out").exists()
