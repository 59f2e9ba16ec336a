"""Table names with the catalog: `<catalog>.<schema>.<table>` on Unity Catalog, `<schema>.<table>` locally."""

from __future__ import annotations

import pytest

from creatorlake.core.config import load_config
from creatorlake.core.tables import CATALOG_ENV, qualified_name, with_catalog


@pytest.fixture()
def local(monkeypatch):
    monkeypatch.delenv(CATALOG_ENV, raising=False)
    return load_config()


def test_locally_a_table_is_named_by_its_layers_schema(local):
    assert qualified_name(local, "gold", "metric_anomalies") == f"{local.schema('gold')}.metric_anomalies"
    assert qualified_name(with_catalog(local, "spark_catalog"), "bronze", "events") == f"{local.schema('bronze')}.events"


def test_the_environment_names_the_catalog(local, monkeypatch):
    monkeypatch.setenv(CATALOG_ENV, "creatorlake_dev")
    assert qualified_name(local, "silver", "stg_events") == f"creatorlake_dev.{local.schema('silver')}.stg_events"


def test_the_jobs_catalog_beats_the_environment(local, monkeypatch):
    monkeypatch.setenv(CATALOG_ENV, "creatorlake_dev")
    prod = with_catalog(local.with_schemas(gold="gold"), "creatorlake")
    assert qualified_name(prod, "gold", "t") == "creatorlake.gold.t"


def test_an_unknown_layer_is_refused(local):
    from creatorlake.core.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown layer 'platinum'"):
        qualified_name(local, "platinum", "t")
