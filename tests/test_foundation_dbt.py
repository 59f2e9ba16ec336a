"""The dbt chain end to end on a tiny table: bronze Delta -> dbt (local profile) -> silver, read back."""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime
from pathlib import Path

import jinja2
import yaml
from chispa import assert_df_equality

from creatorlake.bronze.schemas import CREATORS, dbt_sources_yaml
from creatorlake.core.jars import delta_package, ivy_dir
from creatorlake.core.spark import local_session_conf
from creatorlake.core.dbt import run_dbt

REPO_ROOT = Path(__file__).resolve().parents[1]


def tiny_creators(spark):
    base = {name: None for name in CREATORS.column_names}
    rows = [
        {**base, "creator_id": "cr_0001", "creator_name": "Ada", "category": "comedy", "country_code": "DE",
         "plan_type": "pro", "creator_tier": "star", "created_at": datetime(2024, 5, 1), "join_date": date(2025, 1, 2),
         "_ingested_at": datetime(2026, 1, 1), "_batch_id": "2026-01-01"},
        {**base, "creator_id": "cr_0002", "creator_name": "Bo", "category": "news", "country_code": "US",
         "plan_type": "lite", "creator_tier": "emerging", "created_at": datetime(2025, 2, 3), "join_date": date(2025, 3, 4),
         "_ingested_at": datetime(2026, 1, 1), "_batch_id": "2026-01-01"},
    ]
    return spark.createDataFrame([tuple(r[n] for n in CREATORS.column_names) for r in rows], CREATORS.schema)


def test_bronze_to_silver_through_dbt(spark, settings):
    # Own schemas, so the chain is proven on exactly these rows.
    chain = settings.with_schemas(bronze="chain_bronze", silver="chain_silver", gold="chain_gold")
    spark.sql("create schema if not exists chain_bronze")
    creators = tiny_creators(spark)
    creators.write.format("delta").mode("overwrite").saveAsTable(chain.table("bronze", "creators"))

    # `run`, not `build`: the model's data tests belong to the full dataset (tests/test_dbt_build.py).
    outcome = run_dbt(spark, chain, ["run", "--select", "stg_creators"])

    assert outcome.success and outcome.counts.get("success", 0) == 1
    built = spark.table(chain.table("silver", "stg_creators")).select("creator_id", "country_code", "creator_tier")
    expected = creators.select("creator_id", "country_code", "creator_tier")
    assert_df_equality(built, expected, ignore_row_order=True, ignore_nullable=True)
    assert "email" not in spark.table(chain.table("silver", "stg_creators")).columns


def test_dbt_failure_is_reported_not_swallowed(spark, settings):
    missing = settings.with_schemas(bronze="no_such_bronze", silver="chain_missing_silver")
    outcome = run_dbt(spark, missing, ["run", "--select", "stg_creators"])
    assert not outcome.success
    assert any("stg_creators" in failure for failure in outcome.failures)


def test_sources_yaml_is_rendered_from_the_one_schema_declaration():
    checked_in = (REPO_ROOT / "dbt/models/staging/_bronze__sources.yml").read_text()
    assert checked_in == dbt_sources_yaml(), "run: python -m creatorlake.bronze.schemas > dbt/models/staging/_bronze__sources.yml"


def test_local_profile_matches_the_session_factory(settings, monkeypatch):
    """A hand-run `dbt` must get the same Spark settings as the factory gives `creatorlake transform`."""
    monkeypatch.setenv("CREATORLAKE_HOME", str(settings.lakehouse_root))
    monkeypatch.setenv("CREATORLAKE_CACHE", str(settings.cache_dir))
    profile = yaml.safe_load((REPO_ROOT / "dbt/profiles.yml").read_text())["creatorlake"]["outputs"]["local"]
    assert profile["method"] == "session"
    env = jinja2.Environment()
    env.globals["env_var"] = lambda name, default=None: os.environ.get(name, default)
    rendered = {k: env.from_string(str(v)).render() for k, v in profile["server_side_parameters"].items()}
    # A hand-run dbt resolves the Delta package whose resolved jars the factory loads as files.
    assert rendered.pop("spark.jars.packages") == delta_package()
    assert rendered.pop("spark.jars.ivy") == str(ivy_dir(settings))
    factory = local_session_conf(settings)
    for key, value in rendered.items():
        if key == "spark.master":
            assert value == settings.spark.master
        else:
            assert factory[key] == value, key
    for essential in ("spark.sql.extensions", "spark.sql.catalog.spark_catalog",
                      "spark.sql.warehouse.dir", "spark.hadoop.javax.jdo.option.ConnectionURL"):
        assert essential in rendered


def test_databricks_profile_takes_every_connection_value_from_the_environment():
    profile = yaml.safe_load((REPO_ROOT / "dbt/profiles.yml").read_text())["creatorlake"]["outputs"]["databricks"]
    assert profile["type"] == "databricks"
    for key in ("host", "http_path", "token", "catalog"):
        assert "env_var(" in str(profile[key]), key


def test_a_failed_build_exits_1_with_one_line(spark, settings, monkeypatch, tmp_path, capsys):
    """Bad input exits 2; a build that runs and fails (here: its bronze schema holds no tables) is a failure of the work."""
    from creatorlake.cli import main
    from creatorlake.core.config import CONF_ENV, PACKAGED_CONF

    conf = tmp_path / "conf"
    shutil.copytree(PACKAGED_CONF, conf)
    raw = yaml.safe_load((conf / "creatorlake.yml").read_text())
    raw["schemas"] = {**raw["schemas"], "bronze": "no_such_bronze", "silver": "failed_build_silver"}
    (conf / "creatorlake.yml").write_text(yaml.safe_dump(raw))
    monkeypatch.setenv(CONF_ENV, str(conf))  # main exports --conf; this puts the variable back afterwards

    code = main(["transform", "--select", "stg_creators", "--conf", str(conf), "--lakehouse", str(settings.lakehouse_root)])

    err = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert code == 1
    assert len(err) == 1 and "dbt build failed: 1 node(s) failed" in err[0], err
