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
    from creatorlake.config import load_config

    return load_config(lakehouse)


@pytest.fixture(scope="session")
def spark(settings):
    from creatorlake.spark import ensure_schemas, get_spark

    session = get_spark(settings, app_name="creatorlake-tests")
    ensure_schemas(session, settings)
    yield session
    session.stop()
