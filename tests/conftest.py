"""One session-scoped SparkSession with Delta for the whole suite, on a throwaway lakehouse."""

from __future__ import annotations

import functools
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


# `make test` runs two pytest-xdist workers, each with its own Spark driver: at
# most two test JVMs (plus the CLI and spark-submit ones some tests start) share
# the 24 GiB machine, so each keeps to a third of the heap the shipped conf gives.
TEST_DRIVER_MEMORY = "4g"


@pytest.fixture(scope="session")
def settings(lakehouse: Path):
    from dataclasses import replace

    from creatorlake.config import load_config

    loaded = load_config(lakehouse)
    spark = {**loaded.raw["spark"], "conf": {**loaded.spark_conf, "spark.driver.memory": TEST_DRIVER_MEMORY}}
    return replace(loaded, raw={**loaded.raw, "spark": spark})


@pytest.fixture(scope="session")
def spark(settings):
    from creatorlake.spark import ensure_schemas, get_spark

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
    from creatorlake.transform import transform

    return transform(spark, settings)


TINY_GROUP = "tiny_lakehouse"


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`make test` runs two pytest-xdist workers. Whole modules go to one worker
    (their module-scoped fixtures are built once), and every module that uses the
    tiny lakehouse goes to the same worker, in order: one build of it is shared,
    and some tests change it and put it back. (xdist's own `loadgroup` marks do
    not take effect under pytest 9.2, so the grouping is done here.)"""
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return TINY_GROUP if _uses_tiny_lakehouse(config.rootpath / module) else module

    return SharedFixtureScheduling(config, log)


@functools.cache
def _uses_tiny_lakehouse(module: Path) -> bool:
    text = module.read_text()
    return "tiny_bronze" in text or "tiny_gold" in text
