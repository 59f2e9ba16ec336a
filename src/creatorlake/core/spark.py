"""The one SparkSession factory, used by the jobs, the CLI, dbt's local profile and the tests."""

from __future__ import annotations

import logging
import os
import re
import socket
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from py4j.protocol import Py4JError
from pyspark.errors import AnalysisException, PySparkException
from pyspark.logger import PySparkLogger
from pyspark.sql import SparkSession
from pyspark.sql.connect.session import SparkSession as ConnectSession

from creatorlake.core.config import Settings, load_config
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.jars import ensure_resolved, spark_jars
from creatorlake.core.served import running_server

DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension"
DELTA_CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog"
FAIR_SCHEDULER_POOLS = Path(__file__).with_name("fairscheduler.xml")
DRIVER_LOGGING = Path(__file__).with_name("log4j2.properties")
# Spark's own logs are silent unless this asks for a level (the driver's log4j2.properties reads it).
LOG_LEVEL_ENV = "CREATORLAKE_LOG_LEVEL"
LOG_LEVELS = ("OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL")
# Settings that only take effect when the JVM starts; under spark-submit its own flags decide them.
SPARK_SUBMIT_OWNS = {"spark.jars", "spark.driver.memory", "spark.driver.extraJavaOptions"}
# Spark's launcher starts every JVM with `--add-modules=jdk.incubator.vector`, and the JVM then
# prints this on stderr, with no option to leave it out.
JVM_INCUBATOR_NOTICE = b"WARNING: Using incubator modules:"


def is_databricks() -> bool:
    return "DATABRICKS_RUNTIME_VERSION" in os.environ


def launched_by_spark_submit() -> bool:
    """spark-submit starts the JVM first and hands Python its gateway port; its --master and --jars rule."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def local_session_conf(settings: Settings) -> dict[str, str]:
    """Every setting a local session gets: Delta, the lakehouse's warehouse and metastore, the defaults from conf."""
    metastore_url = f"jdbc:derby:;databaseName={settings.metastore_dir};create=true"
    conf = {
        "spark.jars": spark_jars(settings),
        "spark.sql.extensions": DELTA_EXTENSION,
        "spark.sql.catalog.spark_catalog": DELTA_CATALOG,
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": str(settings.warehouse_dir),
        "spark.hadoop.javax.jdo.option.ConnectionURL": metastore_url,
        "spark.hadoop.datanucleus.schema.autoCreateAll": "true",
        "spark.hadoop.hive.metastore.schema.verification": "false",
        # The embedded Derby metastore admits one JVM. Hive retries opening a held one ten times,
        # 2 s apart, twice over (about 40 s); the holder is a long command or `creatorlake serve`,
        # not a blip, so a second command fails at once and says so (spark_error).
        "spark.hadoop.hive.hmshandler.retry.attempts": "1",
        # Python workers (applyInPandas) must run this interpreter, with its packages.
        "spark.pyspark.python": sys.executable,
        # Concurrent jobs (dbt's threads) share the cores instead of queueing (see the file).
        "spark.scheduler.mode": "FAIR",
        "spark.scheduler.allocation.file": str(FAIR_SCHEDULER_POOLS),
        **settings.spark_conf,
    }
    return {**conf, "spark.driver.extraJavaOptions": with_driver_logging(conf.get("spark.driver.extraJavaOptions", ""))}


def with_driver_logging(java_options: str) -> str:
    """The conf's driver Java options, and the driver's log4j2 config after them."""
    return " ".join(filter(None, [java_options, f"-Dlog4j.configurationFile={DRIVER_LOGGING}"]))


def show_spark_logs(level: str = "INFO") -> None:
    """Let a session this process starts log at `level`, unless $CREATORLAKE_LOG_LEVEL names one."""
    os.environ.setdefault(LOG_LEVEL_ENV, level)


def check_log_level() -> None:
    level = os.environ.get(LOG_LEVEL_ENV)
    if level is not None and level.upper() not in LOG_LEVELS:
        raise CreatorLakeError(f"${LOG_LEVEL_ENV} must be one of {', '.join(LOG_LEVELS)}, not {level!r}")


# Spark Connect: $SPARK_REMOTE names a server (`sc://host:port`); Databricks Connect reads the
# workspace and the compute from the SDK's variables (a cluster, or serverless).
SPARK_REMOTE_ENV = "SPARK_REMOTE"
DATABRICKS_COMPUTE_ENV = ("DATABRICKS_CLUSTER_ID", "DATABRICKS_SERVERLESS_COMPUTE_ID")


def remote_url() -> str | None:
    return os.environ.get(SPARK_REMOTE_ENV) or None


def wants_databricks_connect() -> bool:
    return "DATABRICKS_HOST" in os.environ and any(os.environ.get(name) for name in DATABRICKS_COMPUTE_ENV)


def active_session() -> SparkSession | ConnectSession | None:
    """The session this process already runs: a Connect client's, else a classic one."""
    return ConnectSession.getActiveSession() or SparkSession.getActiveSession()


# Spark Connect's default port, and how long the server may take to accept a connection: the
# client itself retries an unreachable server for minutes before it says anything.
CONNECT_DEFAULT_PORT = 15002
CONNECT_PROBE_SECONDS = 10.0


def connect_endpoint(url: str) -> tuple[str, int]:
    """(host, port) of an `sc://host[:port][/;param=value...]` URL, or a one-line error that does
    not repeat the URL (its parameters may hold a token)."""
    parts = urlsplit(url)
    try:
        port = parts.port or CONNECT_DEFAULT_PORT
    except ValueError:
        port = None
    if parts.scheme != "sc" or not parts.hostname or port is None:
        raise CreatorLakeError(f"${SPARK_REMOTE_ENV} must be a Spark Connect URL, sc://host[:port][/;param=value...] "
                               f"(port {CONNECT_DEFAULT_PORT} if left out): its scheme, host or port is not")
    return parts.hostname, port


def check_reachable(url: str, timeout: float = CONNECT_PROBE_SECONDS) -> None:
    host, port = connect_endpoint(url)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise CreatorLakeError(f"cannot reach the Spark Connect server at sc://{host}:{port} (${SPARK_REMOTE_ENV}) within {timeout:g}s: {reason}") from None


def connect_session() -> SparkSession:
    """A Spark Connect session: the server $SPARK_REMOTE names, else Databricks Connect's."""
    url = remote_url()
    if url is not None:
        check_reachable(url)
        try:
            # The pyspark.sql builder, not the Connect one: it also switches pyspark.sql.functions to Connect columns.
            return SparkSession.builder.remote(url).getOrCreate()
        except PySparkException as exc:
            host, port = connect_endpoint(url)
            raise CreatorLakeError(f"cannot open a Spark Connect session at sc://{host}:{port} (${SPARK_REMOTE_ENV}): {spark_error(exc)[0]}") from exc
    try:
        # databricks-connect replaces pyspark's client, so it is not a dependency: Databricks'
        # own environments provide it, and only the Databricks Connect route imports it.
        from databricks.connect import DatabricksSession
    except ImportError as exc:
        raise CreatorLakeError(
            "DATABRICKS_HOST and a cluster or serverless compute are set, but databricks-connect is not installed; "
            f"install it, or set ${SPARK_REMOTE_ENV} to a Spark Connect URL"
        ) from exc
    return DatabricksSession.builder.getOrCreate()


def get_spark(settings: Settings | None = None, app_name: str | None = None) -> SparkSession:
    """Return the running session untouched (Databricks, spark-submit, tests), a Spark Connect
    session when $SPARK_REMOTE or Databricks Connect's variables ask for one, else build a local one."""
    active = active_session()
    if active is not None:
        return active
    if is_databricks():
        return SparkSession.builder.getOrCreate()
    if remote_url() is not None or wants_databricks_connect():
        return connect_session()
    settings = settings or load_config()
    refuse_if_served(settings)
    check_log_level()
    settings.lakehouse_root.mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.appName(app_name or settings.spark.app_name)
    conf = local_session_conf(settings)
    if launched_by_spark_submit():
        conf = {k: v for k, v in conf.items() if k not in SPARK_SUBMIT_OWNS}
    else:
        builder = builder.master(settings.spark.master)
        # A driver started from Python starts its workers with $PYSPARK_PYTHON (else
        # `python3` on PATH), whatever spark.pyspark.python says: pin this interpreter.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        conf["spark.jars"] = ensure_resolved(settings)
    for key, value in conf.items():
        builder = builder.config(key, value)
    with jvm_stderr_without_incubator_notice():
        spark = builder.enableHiveSupport().getOrCreate()
    quiet_query_error_logs()
    return spark


@contextmanager
def jvm_stderr_without_incubator_notice() -> Iterator[None]:
    """A JVM started in this block writes its stderr through a pipe that drops the JVM's
    incubator notice and passes every other line on to this process's stderr."""
    read_end, write_end = os.pipe()
    own_stderr = os.dup(2)
    sys.stderr.flush()
    os.dup2(write_end, 2)  # the JVM inherits fd 2: the pipe
    os.close(write_end)
    threading.Thread(target=_pass_on, args=(read_end, own_stderr), name="jvm-stderr", daemon=True).start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(own_stderr, 2)


def _pass_on(read_end: int, stderr: int) -> None:
    with os.fdopen(read_end, "rb") as lines, os.fdopen(stderr, "wb", buffering=0) as out:
        for line in lines:
            if not line.startswith(JVM_INCUBATOR_NOTICE):
                out.write(line)


def refuse_if_served(settings: Settings) -> None:
    """A `creatorlake serve` process holds the lakehouse's embedded Derby metastore, which
    admits one JVM: say so on one line instead of failing on the metastore's lock."""
    server = running_server(settings.lakehouse_root)
    if server is not None and server.pid != os.getpid():
        raise CreatorLakeError(
            f"a `creatorlake serve` process (pid {server.pid}) holds {settings.lakehouse_root}: "
            "run this through the `creatorlake` command, or stop the server first (`creatorlake serve --stop`)"
        )


def quiet_query_error_logs() -> None:
    """PySpark logs every failed query with its JVM stack; our callers report errors themselves, on one line."""
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)
    # Py4J logs its connection life at INFO, which reaches stderr once any library configures logging.
    logging.getLogger("py4j").setLevel(logging.WARNING)


# Every error Spark raises: a SQL or Python-side error PySpark turned into an exception of its
# own, or a JVM error Py4J passes on (or a lost connection to the JVM).
SPARK_ERRORS = (PySparkException, Py4JError)
# A Java exception as Py4J words it: "An error occurred while calling o42.sql.\n: java.io...".
PY4J_PREAMBLE = "An error occurred while calling"


# How a second JVM fails to open a local lakehouse's metastore while another holds it.
METASTORE_IN_USE = "Another instance of Derby may have already booted the database"
METASTORE_CLIENT_FAILED = "Unable to instantiate org.apache.hadoop.hive.ql.metadata.SessionHiveMetaStoreClient"


def spark_error(exc: Exception) -> tuple[str, int]:
    """One line naming what went wrong, and the exit code: 2 when the statement itself is wrong
    (it does not parse, or names a table or column that does not exist), 1 when it failed while running."""
    text = str(exc)
    if METASTORE_IN_USE in text or METASTORE_CLIENT_FAILED in text:
        held = re.search(r"Failed to start database '([^']+)'", text)
        where = f" ({held.group(1)})" if held else ""
        return (f"the lakehouse's metastore{where} is in use by another process (its embedded Derby database admits one): "
                "wait for that command to finish, or run commands through `creatorlake serve`"), 1
    lines = [line.strip().removeprefix(": ").strip() for line in text.splitlines()]
    meaningful = [line for line in lines if line and not line.startswith(PY4J_PREAMBLE)]
    message = meaningful[0] if meaningful else type(exc).__name__
    return message, 2 if isinstance(exc, AnalysisException) else 1


def ensure_schemas(spark: SparkSession, settings: Settings) -> None:
    """Create the medallion schemas on first use."""
    for schema in settings.schemas.values():
        spark.sql(f"create schema if not exists {schema}")
