"""`creatorlake dashboards render` on the tiny lakehouse: every dataset runs on local Spark, and the site holds every tile."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from creatorlake.cli import build_parser, run_command
from creatorlake.commands.dashboards import SOURCE, run_datasets
from creatorlake.core.errors import CreatorLakeError
from creatorlake.dashboards.lakeview import dashboard_folders, lakeview_dashboard, tables_read
from creatorlake.dashboards.site import NOT_COMPUTED

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[1]
FOLDERS = dashboard_folders(SOURCE)


def has_rows(spark, table: str) -> bool:
    return spark.catalog.tableExists(table) and spark.table(table).limit(1).count() > 0


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_every_dataset_runs_and_has_rows_where_its_tables_have_them(spark, explained, folder):
    dashboard = lakeview_dashboard(folder.path, catalog=None, schema=explained.schema("gold"))
    results = run_datasets(spark, dashboard)
    assert set(results) == {d["name"] for d in dashboard["datasets"]}
    for dataset in dashboard["datasets"]:
        tables = tables_read(dataset["query"])
        outcome = results[dataset["name"]]
        absent = sorted(t for t in tables if not spark.catalog.tableExists(t))
        if absent:
            assert outcome == {"missing": ", ".join(f"{t} does not exist" for t in absent)}
            continue
        if all(has_rows(spark, t) for t in tables):
            assert outcome["rows"], f"{dataset['name']} returned no rows though {sorted(tables)} have rows"


def test_site_has_an_index_and_a_page_per_dashboard_and_plotly_once(rendered_site):
    pages = sorted(p.name for p in rendered_site.glob("*.html"))
    assert pages == sorted(["index.html", *(f"{f.name}.html" for f in FOLDERS)])
    assert [p.name for p in rendered_site.rglob("plotly*.js")] == ["plotly.min.js"]
    index = (rendered_site / "index.html").read_text()
    for folder in FOLDERS:
        assert f'href="{folder.name}.html"' in index


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_page_shows_the_committed_dashboards_tiles_in_its_order(rendered_site, folder):
    committed = json.loads((REPO_ROOT / "resources" / "dashboards" / f"{folder.name}.lvdash.json").read_text())
    layout = sorted(committed["pages"][0]["layout"], key=lambda i: (i["position"]["y"], i["position"]["x"]))
    expected = [
        i["widget"]["name"].removesuffix("_widget")
        for i in layout
        if not i["widget"].get("spec", {}).get("widgetType", "").startswith("filter-")
    ]
    page = (rendered_site / f"{folder.name}.html").read_text()
    assert re.findall(r'data-tile="([^"]+)"', page) == expected
    assert re.search(r"Data read \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", page)
    # Nothing is fetched: no script, style or link leaves the folder.
    assert not re.search(r'(src|href)="(https?:)?//', page)
    # plotly.js is loaded once, from beside the page, wherever the page has a chart to draw.
    charts = len(re.findall(r'class="plotly-graph-div"', page))
    assert page.count('src="plotly.min.js"') == (1 if charts else 0)


def test_tiles_of_absent_tables_say_not_computed_yet(spark, explained, rendered_site):
    page = (rendered_site / "feature_performance.html").read_text()
    impact = explained.table("gold", "feature_impact")
    assert (NOT_COMPUTED in page) == (not spark.catalog.tableExists(impact))


def test_render_without_gold_tables_names_the_command_and_writes_nothing(spark, explained, tmp_path):
    empty = explained.with_schemas(gold="gold_empty_for_dashboards")
    with pytest.raises(CreatorLakeError, match="run `creatorlake transform` first"):
        run_command(build_parser().parse_args(["dashboards", "render", "--out", str(tmp_path / "site")]), empty)
    assert not list(tmp_path.rglob("*.html"))
