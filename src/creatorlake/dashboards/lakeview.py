"""Dashboard folders -> serialized Lakeview dashboards, retargeted to a catalog and schema."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from databricks.labs.lsql.dashboards import DashboardMetadata

# Queries name their tables `gold.<table>`; a target replaces the schema (and adds a catalog).
SOURCE_SCHEMA = "gold"
DEFAULT_CATALOG = "creatorlake"
_DIALECT = "databricks"
# The tile header (`-- --title ... --overrides ...`) is the query's leading comment; it
# configures the widget and says nothing to whoever reads the dataset's SQL.
_LEADING_COMMENT = re.compile(r"\A\s*/\*.*?\*/\s*", re.DOTALL)


@dataclass(frozen=True)
class DashboardFolder:
    name: str
    path: Path


def dashboard_folders(root: Path) -> list[DashboardFolder]:
    """Every dashboard under `root` (a folder holding a dashboard.yml), by name."""
    return [DashboardFolder(p.parent.name, p.parent) for p in sorted(root.glob("*/dashboard.yml"))]


def lakeview_dashboard(folder: Path, catalog: str | None = DEFAULT_CATALOG, schema: str = SOURCE_SCHEMA) -> dict:
    """The serialized Lakeview dashboard of one folder, its `gold.<table>`s read from `[<catalog>.]<schema>`."""
    metadata = DashboardMetadata.from_path(folder)
    metadata.validate()
    retargeted = metadata.replace_database(database=schema, database_to_replace=SOURCE_SCHEMA)
    dashboard = retargeted.as_lakeview().as_dict()
    for dataset in dashboard["datasets"]:
        query = _LEADING_COMMENT.sub("", dataset["query"])
        dataset["query"] = with_catalog(query, catalog, schema) if catalog else query
    for page in dashboard["pages"]:
        for item in page["layout"]:
            _order_filter_queries(item["widget"])
    return dashboard


def _order_filter_queries(widget: dict) -> None:
    """lsql collects a filter's datasets in a set, whose order changes from run to run; sort them."""
    if not widget.get("spec", {}).get("widgetType", "").startswith("filter-"):
        return
    widget["queries"].sort(key=lambda q: q["name"])
    widget["spec"]["encodings"]["fields"].sort(key=lambda f: f["queryName"])


def with_catalog(query: str, catalog: str, schema: str) -> str:
    """Qualify the tables of `schema` with `catalog`: lsql only replaces a catalog a table already names."""

    def qualify(node: sqlglot.Expression) -> sqlglot.Expression:
        if isinstance(node, sqlglot.exp.Table) and node.db == schema and not node.catalog:
            node.set("catalog", sqlglot.exp.to_identifier(catalog))
        return node

    tree = sqlglot.parse_one(query, dialect=_DIALECT)
    return tree.transform(qualify).sql(dialect=_DIALECT, normalize=True, pretty=True, normalize_functions="upper", max_text_width=80)


def serialize(dashboard: dict) -> str:
    """The committed form of a dashboard: stable key order, one trailing newline."""
    return json.dumps(dashboard, indent=2, sort_keys=True) + "\n"


def tables_read(query: str) -> set[str]:
    """`schema.table` of every table a query reads (CTE names excluded)."""
    tree = sqlglot.parse_one(query, dialect=_DIALECT)
    ctes = {cte.alias_or_name for cte in tree.find_all(sqlglot.exp.CTE)}
    return {f"{t.db}.{t.name}" if t.db else t.name for t in tree.find_all(sqlglot.exp.Table) if t.name not in ctes or t.db}
