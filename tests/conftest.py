"""One session-scoped SparkSession with Delta for the whole suite, on a throwaway lakehouse."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def lakehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lakehouse")
    # Subprocesses started by tests (the CLI, spark-submit) find the same lakehouse.
    os.environ["CREATORLAKE_HOME"] = str(root)
    return root


@pytest.fixture(scope="session")
def settings(lakehouse: Path):
    from creatorlake.core.config import load_config

    return load_config(lakehouse)


@pytest.fixture(scope="session")
def spark(settings):
    from creatorlake.core.spark import ensure_schemas, get_spark

    session = get_spark(settings, app_name="creatorlake-tests")
    ensure_schemas(session, settings)
    yield session
    session.stop()


# A small but complete bronze lakehouse shared by the dbt and analysis tests:
# every table, the default incidents, a window long enough for 28-day baselines.
TINY_BRONZE = dict(days=42, n_creators=24, n_listeners=3000, seed=7)


@pytest.fixture(scope="session")
def tiny_bronze(spark, settings):
    from creatorlake.generator import GeneratorOptions, generate

    options = GeneratorOptions.from_defaults(settings, **TINY_BRONZE)
    return generate(spark, settings, options)


@pytest.fixture(scope="session")
def tiny_gold(spark, settings, tiny_bronze):
    """Silver and gold over tiny_bronze: one `dbt build` (models, seeds, data and unit tests) per session."""
    from creatorlake.core.dbt import transform

    return transform(spark, settings)
