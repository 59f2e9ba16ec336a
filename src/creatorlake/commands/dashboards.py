"""`creatorlake dashboards build|render`: the dashboards in `dashboards/` as Lakeview JSON and as a static site."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

import plotly.offline

from creatorlake.core.config import Settings
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.progress import say, timed
from creatorlake.core.spark import ensure_schemas, get_spark
from creatorlake.dashboards.lakeview import SOURCE_SCHEMA, dashboard_folders, lakeview_dashboard, serialize, tables_read
from creatorlake.dashboards.page import page_plan
from creatorlake.dashboards.results import missing, result
from creatorlake.dashboards.site import ASSETS, asset, index_html, page_html

STAGE = "dashboards"
REPO_ROOT = Path(__file__).resolve().parents[3]
SOURCE = REPO_ROOT / "dashboards"
BUILD_OUT = REPO_ROOT / "resources" / "dashboards"
# Unity Catalog names: letters, digits and underscores.
_NAME = re.compile(r"^[A-Za-z0-9_]*$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(parser))
    build = sub.add_parser("build", help="write resources/dashboards/<name>.lvdash.json", description="write the Lakeview dashboards the bundle deploys")
    build.add_argument("--catalog", default="", help="catalog of the gold schema (default: none; with neither flag the tables stay "
                       "unqualified, for each deployed dashboard's dataset catalog and schema, the target's, to resolve)")
    build.add_argument("--schema-prefix", default="", metavar="P", help="name the gold schema in full, with this prefix, e.g. dev_ (default: none)")
    build.add_argument("--out", metavar="DIR", help="output folder (default: resources/dashboards in the repository)")
    render = sub.add_parser("render", help="run the dashboards' SQL locally and write a static site", description="run the dashboards' SQL on local Spark and write a static HTML site")
    render.add_argument("--out", metavar="DIR", help="output folder (default: <lakehouse>/reports/dashboards)")
    for action in (build, render):
        action.add_argument("--source", metavar="DIR", help="folder of dashboard folders (default: dashboards/ in the repository)")
        # Also after the action (`dashboards render --lakehouse DIR`); SUPPRESS keeps one given before it.
        action.add_argument("--lakehouse", metavar="DIR", default=argparse.SUPPRESS, help="lakehouse root")


def run(args: argparse.Namespace, settings: Settings) -> int:
    folders = dashboard_folders(Path(args.source) if args.source else SOURCE)
    if not folders:
        raise CreatorLakeError(f"no dashboard folders (with a dashboard.yml) in {args.source or SOURCE}")
    if args.action == "build":
        return build(args, folders)
    return render(args, settings, folders)


def build(args: argparse.Namespace, folders) -> int:
    for value, flag in ((args.catalog, "--catalog"), (args.schema_prefix, "--schema-prefix")):
        if not _NAME.match(value):
            raise CreatorLakeError(f"{flag} must be letters, digits and underscores, got '{value}'")
    out = Path(args.out) if args.out else BUILD_OUT
    _ensure_folder(out)
    schema = f"{args.schema_prefix}{SOURCE_SCHEMA}" if args.catalog or args.schema_prefix else None
    for folder in folders:
        dashboard = lakeview_dashboard(folder.path, catalog=args.catalog or None, schema=schema)
        path = out / f"{folder.name}.lvdash.json"
        path.write_text(serialize(dashboard))
        say(STAGE, f"{path} ({len(dashboard['datasets'])} datasets)")
    return 0


def _ensure_folder(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise CreatorLakeError(f"--out {out} is a file, not a folder")
    out.mkdir(parents=True, exist_ok=True)


def run_datasets(spark, dashboard: dict) -> dict[str, dict]:
    """Every dataset's rows; a dataset reading a table that does not exist yet is marked missing."""
    results = {}
    for dataset in dashboard["datasets"]:
        absent = {t for t in tables_read(dataset["query"]) if not spark.catalog.tableExists(t)}
        if absent:
            results[dataset["name"]] = missing(absent)
            continue
        frame = spark.sql(dataset["query"])
        results[dataset["name"]] = result(frame.columns, frame.collect())
    return results


def render(args: argparse.Namespace, settings: Settings, folders) -> int:
    out = Path(args.out) if args.out else settings.lakehouse_root / "reports" / "dashboards"
    if out.exists() and not out.is_dir():
        raise CreatorLakeError(f"--out {out} is a file, not a folder")
    spark = get_spark(settings, app_name="creatorlake-dashboards")
    ensure_schemas(spark, settings)
    read_at = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    rendered = []
    for folder in folders:
        dashboard = lakeview_dashboard(folder.path, catalog=None, schema=settings.schema("gold"))
        with timed(STAGE, f"{folder.name}: {len(dashboard['datasets'])} queries") as step:
            results = run_datasets(spark, dashboard)
            step.rows = sum(len(r.get("rows", [])) for r in results.values())
        rendered.append((folder.name, dashboard, results))
    if all("missing" in r for _, _, results in rendered for r in results.values()):
        raise CreatorLakeError(f"no gold table the dashboards read exists in schema {settings.schema('gold')}; run `creatorlake transform` first")
    _ensure_folder(out)
    pages = []
    for name, dashboard, results in rendered:
        display_name = dashboard["pages"][0]["displayName"]
        tiles, filters = page_plan(dashboard)
        (out / f"{name}.html").write_text(page_html(display_name, tiles, filters, results, read_at))
        pages.append((f"{name}.html", display_name))
    (out / "index.html").write_text(index_html(pages, read_at))
    # Written once beside the pages, which load it as include_plotlyjs="directory" asks.
    (out / "plotly.min.js").write_text(plotly.offline.get_plotlyjs())
    for asset_name in ASSETS:
        (out / asset_name).write_text(asset(asset_name))
    print(out / "index.html")
    return 0
