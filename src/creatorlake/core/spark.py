"""The one SparkSession factory, used by the jobs, the CLI, dbt's local profile and the tests."""

from __future__ import annotations

import os
import sys
from importlib.metadata import version
from pathlib import Path

from pyspark.sql import SparkSession

from creatorlake.core.config import Settings, load_config
from creatorlake.core.errors import CreatorLakeError

DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension"
DELTA_CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog"
SCALA_VERSION = "2.13"
FAIR_SCHEDULER_POOLS = Path(__file__).with_name("fairscheduler.xml")
# Settings that only take effect when the JVM starts; under spark-submit its own flags decide them.
SPARK_SUBMIT_OWNS = {"spark.jars.packages", "spark.jars.ivy", "spark.driver.memory", "spark.driver.extraJavaOptions"}


def delta_package() -> str:
    """The Maven artifact delta.pip_utils.configure_spark_with_delta_pip names for the installed packages."""
    spark_minor = ".".join(version("pyspark").split(".")[:2])
    return f"io.delta:delta-spark_{spark_minor}_{SCALA_VERSION}:{version('delta-spark')}"


def ivy_dir(settings: Settings) -> str:
    """Ivy's cache for the Delta jars: filled once from Maven Central, then read offline."""
    return str(settings.cache_dir / "ivy")


def is_databricks() -> bool:
    return "DATABRICKS_RUNTIME_VERSION" in os.environ


def launched_by_spark_submit() -> bool:
    """spark-submit starts the JVM first and hands Python its gateway port; its --master and --packages rule."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def local_session_conf(settings: Settings) -> dict[str, str]:
    """Every setting a local session gets: Delta, the lakehouse's warehouse and metastore, the defaults from conf."""
    metastore_url = f"jdbc:derby:;databaseName={settings.metastore_dir};create=true"
    return {
        "spark.jars.packages": delta_package(),
        "spark.jars.ivy": ivy_dir(settings),
        "spark.sql.extensions": DELTA_EXTENSION,
        "spark.sql.catalog.spark_catalog": DELTA_CATALOG,
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": str(settings.warehouse_dir),
        "spark.hadoop.javax.jdo.option.ConnectionURL": metastore_url,
        "spark.hadoop.datanucleus.schema.autoCreateAll": "true",
        "spark.hadoop.hive.metastore.schema.verification": "false",
        # Python workers (applyInPandas) must run this interpreter, with its packages.
        "spark.pyspark.python": sys.executable,
        # Concurrent jobs (dbt's threads) share the cores instead of queueing (see the file).
        "spark.scheduler.mode": "FAIR",
        "spark.scheduler.allocation.file": str(FAIR_SCHEDULER_POOLS),
        **settings.spark_conf,
    }


def get_spark(settings: Settings | None = None, app_name: str | None = None) -> SparkSession:
    """Return the running session untouched (Databricks, spark-submit, tests), else build a local one."""
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    if is_databricks():
        return SparkSession.builder.getOrCreate()
    settings = settings or load_config()
    refuse_if_served(settings)
    settings.lakehouse_root.mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.appName(app_name or settings.spark.app_name)
    conf = local_session_conf(settings)
    if launched_by_spark_submit():
        conf = {k: v for k, v in conf.items() if k not in SPARK_SUBMIT_OWNS}
    else:
        builder = builder.master(settings.spark.master)
        # A SparkContext made from Python starts its workers with $PYSPARK_PYTHON (else
        # `python3` on PATH), whatever spark.pyspark.python says: pin this interpreter.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.enableHiveSupport().getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    quiet_query_error_logs()
    quiet_metastore_replace_errors(spark)
    return spark


def refuse_if_served(settings: Settings) -> None:
    """A `creatorlake serve` process holds the lakehouse's embedded Derby metastore, which
    admits one JVM: say so on one line instead of failing on the metastore's lock."""
    from creatorlake.server import running_server

    server = running_server(settings.lakehouse_root)
    if server is not None and server.pid != os.getpid():
        raise CreatorLakeError(
            f"a `creatorlake serve` process (pid {server.pid}) holds {settings.lakehouse_root}: "
            "run this through the `creatorlake` command, or stop the server first (`creatorlake serve --stop`)"
        )


def quiet_query_error_logs() -> None:
    """PySpark logs every failed query with its JVM stack; our callers report errors themselves, on one line."""
    import logging

    from pyspark.logger import PySparkLogger

    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)


def quiet_metastore_replace_errors(spark: SparkSession) -> None:
    """The embedded Hive metastore logs 'ERROR HiveAlterHandler: Failed to alter table' whenever
    Delta replaces a table it has registered (every rerun of a dbt table model); Spark ignores
    it and the table is replaced correctly, so the line is only noise in local runs."""
    jvm = spark.sparkContext._jvm
    jvm.org.apache.logging.log4j.core.config.Configurator.setLevel(
        "org.apache.hadoop.hive.metastore.HiveAlterHandler", jvm.org.apache.logging.log4j.Level.OFF
    )


def ensure_schemas(spark: SparkSession, settings: Settings) -> None:
    """Create the medallion schemas on first use."""
    for schema in settings.schemas.values():
        spark.sql(f"create schema if not exists {schema}")
