"""One session-scoped SparkSession with Delta for the whole suite, on a throwaway lakehouse."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

# Session fixtures of their own modules, registered here once: a test module that imported one
# would get its own copy of it, and a session fixture runs once per copy (detect and explain, say,
# once per module that asks for them).
from dashboards_site import explained, rendered_site  # noqa: F401,E402
from docs_site import docs_site  # noqa: F401,E402
from memo_site import memo  # noqa: F401,E402

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


# A very small bronze world without incidents, generated with 2 partitions: the generator tests'
# baseline and the classic side of the Spark Connect generate test.
SMALL_BRONZE = dict(days=14, n_creators=8, n_listeners=600, seed=3)


@pytest.fixture(scope="session")
def small_bronze(spark, settings):
    """The settings whose bronze schema holds the SMALL_BRONZE world."""
    from creatorlake.generator import GeneratorOptions, generate

    small = settings.with_schemas(bronze="small_bronze")
    generate(spark, small, GeneratorOptions.from_defaults(small, **SMALL_BRONZE, incidents=None), partitions=2)
    return small


@pytest.fixture(scope="session")
def tiny_gold(spark, settings, tiny_bronze):
    """Silver and gold over tiny_bronze: one `dbt build` (models, seeds, data and unit tests) per session."""
    from creatorlake.core.dbt import transform

    return transform(spark, settings)


# Spark Connect, as Databricks serverless runs the jobs and the notebooks: one local server per
# session, shared by the Connect job tests and the notebook runs (each registers its tables there).
CONNECT_SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"
# The JVM starts at nice 10: on a machine busy with other Spark work that takes minutes, not seconds.
CONNECT_SERVER_START_SECONDS = 300


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + CONNECT_SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the Spark Connect server exited with {server.returncode} before listening (log: {log})", pytrace=False)
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    pytest.fail(f"the Spark Connect server did not listen on 127.0.0.1:{port} within {CONNECT_SERVER_START_SECONDS}s (log: {log})", pytrace=False)


@pytest.fixture(scope="session")
def connect_server(tmp_path_factory, settings):
    """A Spark Connect server with Delta, its own warehouse and in-memory catalog: (URL, warehouse)."""
    import pyspark

    from creatorlake.core.jars import ensure_resolved
    from creatorlake.core.spark import DELTA_CATALOG, DELTA_EXTENSION

    root = tmp_path_factory.mktemp("spark-connect")
    warehouse, log = root / "warehouse", root / "server.log"
    port = free_port()
    spark_home = Path(pyspark.__file__).parent
    command = [
        str(spark_home / "bin" / "spark-submit"), "--master", "local[2]", "--driver-memory", "1g",
        "--class", CONNECT_SERVER_CLASS, "--jars", ensure_resolved(settings),
        "--conf", f"spark.sql.extensions={DELTA_EXTENSION}",
        "--conf", f"spark.sql.catalog.spark_catalog={DELTA_CATALOG}",
        "--conf", f"spark.sql.warehouse.dir={warehouse}",
        "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
        "--conf", f"spark.connect.grpc.binding.port={port}",
        "--conf", "spark.ui.enabled=false",
        "--conf", f"spark.pyspark.python={sys.executable}",
        "--conf", "spark.sql.shuffle.partitions=4",
    ]
    env = {**os.environ, "SPARK_HOME": str(spark_home)}
    with log.open("wb") as out:
        server = subprocess.Popen(["nice", "-n", "10", *command], stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_for_port(port, server, log)
        yield f"sc://127.0.0.1:{port}", warehouse
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
