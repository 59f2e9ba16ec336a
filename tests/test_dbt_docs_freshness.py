"""`creatorlake freshness` passes on bronze whose daily batches are in and warns when the newest is
a day and a half old; `creatorlake docs` writes dbt's site with every model of the project.
(Freshness first: it needs bronze only, the site needs gold.)"""

from __future__ import annotations

import datetime as dt
import json

from conftest import REPO_ROOT, TINY_BRONZE
from creatorlake.bronze.schemas import TABLES
from creatorlake.cli import main
from creatorlake.generator import GeneratorOptions

PROJECT_MODELS = {path.stem for path in (REPO_ROOT / "dbt" / "models").rglob("*.sql")}


def test_freshness_passes_on_a_fresh_world_and_warns_two_days_later(settings, tiny_bronze, capsys):
    daily = sorted(f"bronze.{t.name}" for t in TABLES if t.lands_daily)
    # The world's last daily batch lands at 02:00 the day after its last day: its simulated "now".
    last_landing = dt.datetime.combine(GeneratorOptions.from_defaults(settings, **TINY_BRONZE).end_date, dt.time(2))

    assert main(["freshness"]) == 0
    fresh = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert [(table, status) for table, status, *_ in fresh] == [(table, "pass") for table in daily]

    assert main(["freshness", "--as-of", (last_landing + dt.timedelta(hours=48)).isoformat()]) == 0
    late = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert [(table, status) for table, status, *_ in late] == [(table, "warn") for table in daily]


def test_a_bad_as_of_is_one_line_and_exit_2(capsys):
    assert main(["freshness", "--as-of", "yesterday"]) == 2
    assert capsys.readouterr().err.strip() == "creatorlake: error: --as-of must be a timestamp like 2026-08-03T06:00, not 'yesterday'"


def test_the_docs_site_holds_every_model_of_the_project(docs_site):
    site = docs_site.out
    assert docs_site.stdout.strip() == str(site / "static_index.html")
    manifest = json.loads((site / "manifest.json").read_text())
    assert {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"} == PROJECT_MODELS
    # The catalog is read from the lakehouse: every model is built, with its columns.
    catalog = json.loads((site / "catalog.json").read_text())
    assert {key.split(".")[-1] for key, node in catalog["nodes"].items() if key.startswith("model.") and node["columns"]} == PROJECT_MODELS
    single_file = (site / "static_index.html").read_text()
    assert all(f'model.creatorlake.{name}' in single_file for name in PROJECT_MODELS)


def test_the_catalog_gains_the_relations_dbt_spark_could_not_describe():
    from creatorlake.commands.docs import completed_catalog

    view = {"metadata": {"type": "view"}, "columns": {"a": {"type": "int"}}, "unique_id": "model.p.v"}
    manifest = {
        "nodes": {
            "model.p.v": {"resource_type": "model", "schema": "silver", "name": "v", "config": {"materialized": "view"}},
            "model.p.t": {"resource_type": "model", "schema": "gold", "name": "t", "alias": "t_alias", "config": {"materialized": "table"}},
            "model.p.e": {"resource_type": "model", "schema": "gold", "name": "e", "config": {"materialized": "ephemeral"}},
            "model.p.unbuilt": {"resource_type": "model", "schema": "gold", "name": "unbuilt", "config": {"materialized": "table"}},
            "test.p.x": {"resource_type": "test", "schema": "gold", "name": "x", "config": {}},
        },
        "sources": {"source.p.bronze.s": {"schema": "bronze", "name": "s", "identifier": "s"}},
    }
    built = {("gold", "t_alias"): [("id", "string"), ("n", "bigint")], ("bronze", "s"): [("k", "int")]}
    catalog = completed_catalog({"nodes": {"model.p.v": view}, "sources": {}}, manifest, lambda schema, name: built.get((schema, name)))
    assert set(catalog["nodes"]) == {"model.p.v", "model.p.t"} and catalog["nodes"]["model.p.v"] == view
    assert catalog["nodes"]["model.p.t"]["columns"]["n"] == {"type": "bigint", "index": 2, "name": "n", "comment": None}
    assert list(catalog["sources"]["source.p.bronze.s"]["columns"]) == ["k"]
