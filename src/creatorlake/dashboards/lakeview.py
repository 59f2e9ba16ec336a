"""Dashboard folders -> serialized Lakeview dashboards, retargeted to a catalog and schema."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from databricks.labs.lsql.dashboards import DashboardMetadata

# Queries name their tables `gold.<table>`; a build either leaves them unqualified, for the
# deployed dashboard's own dataset catalog and schema (the target's) to resolve, or names a
# schema (and a catalog) in full.
SOURCE_SCHEMA = "gold"
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


def lakeview_dashboard(folder: Path, catalog: str | None = None, schema: str | None = None) -> dict:
    """The serialized Lakeview dashboard of one folder, its `gold.<table>`s read from `[<catalog>.]<schema>`,
    or, with no schema, named by table alone."""
    metadata = DashboardMetadata.from_path(folder)
    metadata.validate()
    # Also with no schema: lsql's rewrite puts the tile header in the one leading comment stripped below.
    dashboard = metadata.replace_database(database=schema or SOURCE_SCHEMA, database_to_replace=SOURCE_SCHEMA).as_lakeview().as_dict()
    for dataset in dashboard["datasets"]:
        query = _LEADING_COMMENT.sub("", dataset["query"])
        dataset["query"] = retarget(query, catalog, schema) if catalog or schema is None else query
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


def retarget(query: str, catalog: str | None, schema: str | None) -> str:
    """Qualify the tables of `schema` with `catalog` (lsql only replaces a catalog a table already
    names), or with no schema, drop the `gold.` of every table."""

    def qualify(node: sqlglot.Expression) -> sqlglot.Expression:
        if not isinstance(node, sqlglot.exp.Table) or node.catalog:
            return node
        if schema is None and node.db == SOURCE_SCHEMA:
            node.set("db", None)
        elif schema is not None and node.db == schema:
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
