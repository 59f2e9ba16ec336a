"""`creatorlake docs [--out DIR]`: dbt's documentation site of the project, generated against the
local lakehouse (so its catalog holds the built tables' columns and types), as a directory that
opens from disk: `static_index.html` is the whole site in one file, `index.html` with
`manifest.json` and `catalog.json` is dbt's usual site (it needs `dbt docs serve` or any web server).

dbt-spark reads the catalog from `show table extended`, which gives no schema for a Delta table, so
its catalog holds the views only; the columns of every other built relation (tables, seeds, sources)
are added here from the session's own schema of it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Callable, Mapping

from pyspark.sql import SparkSession

from creatorlake.core.config import Settings
from creatorlake.core.dbt import run_dbt
from creatorlake.core.errors import WorkFailed
from creatorlake.core.progress import say
from creatorlake.core.spark import get_spark

STAGE = "docs"
# Where dbt's site template puts the inlined manifest and catalog in the single-file site.
MANIFEST_SLOT, CATALOG_SLOT = '"MANIFEST.JSON INLINE DATA"', '"CATALOG.JSON INLINE DATA"'
Columns = list[tuple[str, str]]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="DIR", help="directory for the site (default <lakehouse>/reports/dbt-docs)")


def site_dir(settings: Settings, out: str | None) -> Path:
    return Path(out).expanduser() if out else settings.lakehouse_root / "reports" / "dbt-docs"


def _entry(unique_id: str, schema: str, name: str, columns: Columns) -> dict[str, Any]:
    return {
        "metadata": {"type": "table", "schema": schema, "name": name, "database": None, "comment": None, "owner": None},
        "columns": {c: {"type": t, "index": i + 1, "name": c, "comment": None} for i, (c, t) in enumerate(columns)},
        "stats": {},
        "unique_id": unique_id,
    }


def completed_catalog(catalog: Mapping[str, Any], manifest: Mapping[str, Any], columns_of: Callable[[str, str], Columns | None]) -> dict[str, Any]:
    """The catalog with an entry for every built relation of the manifest it lacks (or holds without
    columns); `columns_of(schema, name)` is the relation's (column, type) list, None when not built."""
    out = {**catalog, "nodes": dict(catalog.get("nodes") or {}), "sources": dict(catalog.get("sources") or {})}
    wanted = [("nodes", uid, n["schema"], n.get("alias") or n["name"]) for uid, n in manifest["nodes"].items()
              if n["resource_type"] in ("model", "seed", "snapshot") and n.get("config", {}).get("materialized") != "ephemeral"]
    wanted += [("sources", uid, s["schema"], s.get("identifier") or s["name"]) for uid, s in manifest["sources"].items()]
    for section, uid, schema, name in wanted:
        if out[section].get(uid, {}).get("columns"):
            continue
        columns = columns_of(schema, name)
        if columns:
            out[section][uid] = _entry(uid, schema, name, columns)
    return out


def session_columns(spark: SparkSession) -> Callable[[str, str], Columns | None]:
    def columns_of(schema: str, name: str) -> Columns | None:
        table = f"{schema}.{name}"
        if not spark.catalog.tableExists(table):
            return None
        return [(f.name, f.dataType.simpleString()) for f in spark.table(table).schema.fields]
    return columns_of


def run(args: argparse.Namespace, settings: Settings) -> int:
    settings.dbt_project_dir  # no dbt project (an installed wheel ships none): one line, before Spark starts
    spark = get_spark(settings, app_name="creatorlake-docs")
    # --quiet: stdout holds the site's path only; dbt still prints its errors.
    outcome = run_dbt(spark, settings, ["docs", "generate", "--static", "--quiet"])
    if not outcome.success:
        raise WorkFailed(f"dbt docs generate failed ({'; '.join(outcome.failures) or 'see the dbt log under the lakehouse'})")
    target = settings.lakehouse_root / "dbt" / "target"
    manifest_text = (target / "manifest.json").read_text()
    catalog = completed_catalog(json.loads((target / "catalog.json").read_text()), json.loads(manifest_text), session_columns(spark))
    catalog_text = json.dumps(catalog)
    out = site_dir(settings, args.out)
    out.mkdir(parents=True, exist_ok=True)
    index = (target / "index.html").read_text()
    (out / "index.html").write_text(index)
    (out / "manifest.json").write_text(manifest_text)
    (out / "catalog.json").write_text(catalog_text)
    (out / "static_index.html").write_text(index.replace(MANIFEST_SLOT, manifest_text).replace(CATALOG_SLOT, catalog_text))
    say(STAGE, f"dbt docs generate in {outcome.seconds:.1f}s; {len(catalog['nodes'])} nodes and {len(catalog['sources'])} sources in the catalog")
    print(out / "static_index.html")
    return 0
