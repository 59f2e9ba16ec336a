"""`creatorlake serve`: one long-lived process that keeps a lakehouse's Spark session warm.

Every `creatorlake` process starts a JVM cold: before its queries run at full speed
it loads Spark's classes and JIT-compiles its planner, Delta and Parquet code, and
about a third of a daily incremental dbt build goes to that (docs/benchmarks.md).
A server starts the session once and runs the commands other `creatorlake`
processes hand it, one at a time, in that warm JVM: what a SQL warehouse that
outlives each build is to dbt-databricks. The embedded Derby metastore admits one
JVM, so while a server holds a lakehouse every command for it goes through it.

Commands find the server through `<lakehouse>/server.json`: its port, its pid and
a random key only the owner of the file can read (the server listens on 127.0.0.1
and accepts only clients that prove the key). Without that file, or when its pid is
gone, a command runs in its own process as before.
"""

from __future__ import annotations

import io
import os
import secrets
import shlex
import signal
import sys
import threading
import traceback
from contextlib import redirect_stderr, redirect_stdout
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import Callable, Sequence

from pyspark.sql import SparkSession

from creatorlake.core.config import Settings, conf_dir
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.progress import say
from creatorlake.core.served import ServerInfo, running_server, server_file, write_server_file
from creatorlake.core.spark import get_spark

STAGE = "serve"
LOOPBACK = "127.0.0.1"


# ---- the client side: run a command on the server, printing what it prints ----


def _connect(info: ServerInfo, lakehouse_root: Path) -> Connection:
    try:
        return Client((LOOPBACK, info.port), authkey=bytes.fromhex(info.authkey))
    except OSError as exc:
        raise CreatorLakeError(
            f"cannot reach the server on port {info.port} (pid {info.pid}): {exc.strerror or exc}; "
            f"if no server runs, remove {server_file(lakehouse_root)}"
        ) from None


def forward(info: ServerInfo, argv: Sequence[str], lakehouse_root: Path) -> int:
    """Run `argv` on the server; its stdout and stderr come back here as it writes them."""
    conf = str(conf_dir().resolve())
    if info.conf != conf:
        raise CreatorLakeError(
            f"the server for this lakehouse (pid {info.pid}) runs with the config in {info.conf}, "
            f"not {conf}: stop it (`creatorlake serve --stop`) or use its config"
        )
    with _connect(info, lakehouse_root) as connection:
        # The lakehouse as this process resolved it: the server's directory and environment may differ.
        connection.send({"argv": list(argv), "lakehouse": str(lakehouse_root)})
        while True:
            try:
                kind, payload = connection.recv()
            except EOFError:
                raise CreatorLakeError(f"the server (pid {info.pid}) ended before the command finished: see its log") from None
            except KeyboardInterrupt:
                say(STAGE, f"interrupted: the command runs on to its end in the server (pid {info.pid}), unseen")
                return 130
            if kind == "exit":
                return int(payload)
            stream = sys.stdout if kind == "out" else sys.stderr
            stream.write(payload)
            stream.flush()


def stop(settings: Settings) -> int:
    info = running_server(settings.lakehouse_root)
    if info is None:
        say(STAGE, f"no server runs for {settings.lakehouse_root}")
        return 0
    with _connect(info, settings.lakehouse_root) as connection:
        connection.send({"stop": True})
        connection.recv()
    say(STAGE, f"stopped the server for {settings.lakehouse_root} (pid {info.pid})")
    return 0


# ---- the server side ----


class _ClientStream(io.TextIOBase):
    """A text stream whose writes go to the client as they happen (heartbeat threads write too)."""

    def __init__(self, connection: Connection, kind: str, lock: threading.Lock) -> None:
        self.connection, self.kind, self.lock = connection, kind, lock
        self.gone = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if text and not self.gone:
            with self.lock:
                try:
                    self.connection.send((self.kind, text))
                except OSError:
                    # The client went away (Ctrl-C): the command still runs to its end, so
                    # no table is left half-written; its output has nobody to go to.
                    self.gone = True
        return len(text)


def is_runtime_setting(spark: SparkSession, key: str) -> bool:
    """A setting a running session can change: a runtime SQL config or one of an application's own keys,
    not a static or core Spark config."""
    return not key.startswith("spark.") or spark.conf.isModifiable(key)


def reset_session(spark: SparkSession, conf_before: dict[str, str]) -> None:
    """Leave the session as a fresh process would find it: a command that failed half-way may
    have left data cached (whose stale copy a later query of the same plan would read), a
    temporary view, or a setting changed. Only runtime settings are put back: a static one
    (dbt's session builder lists `spark.jars.ivy` among its parameters) cannot change in a
    running session, and setting it raises."""
    spark.catalog.clearCache()
    for view in spark.catalog.listTables():
        if view.isTemporary:
            spark.catalog.dropTempView(view.name)
    conf_after = spark.conf.getAll
    for key in conf_after.keys() - conf_before.keys():
        if is_runtime_setting(spark, key):
            spark.conf.unset(key)
    for key, value in conf_before.items():
        if conf_after.get(key) != value and is_runtime_setting(spark, key):
            spark.conf.set(key, value)


def _run_request(connection: Connection, argv: Sequence[str], dispatch: Callable[[Sequence[str]], int], spark: SparkSession) -> int:
    lock = threading.Lock()
    out, err = _ClientStream(connection, "out", lock), _ClientStream(connection, "err", lock)
    conf_before = spark.conf.getAll
    with redirect_stdout(out), redirect_stderr(err):
        try:
            return dispatch(argv)
        except SystemExit as exc:  # argparse's usage errors, sys.exit() anywhere: as Python would exit
            if exc.code is None or isinstance(exc.code, int):
                return exc.code or 0
            print(exc.code, file=sys.stderr)
            return 1
        except Exception:  # noqa: BLE001 - a command's crash must not end the server
            traceback.print_exc()
            return 1
        finally:
            reset_session(spark, conf_before)


def serve(settings: Settings, dispatch: Callable[[Sequence[str]], int]) -> int:
    """Hold the lakehouse's Spark session and run clients' commands with `dispatch` until stopped."""
    existing = running_server(settings.lakehouse_root)
    if existing is not None:
        raise CreatorLakeError(f"a server already runs for {settings.lakehouse_root} (pid {existing.pid})")
    spark = get_spark(settings, app_name="creatorlake-serve")
    authkey = secrets.token_bytes(32)
    # SIGTERM (kill, a service manager) ends the server as Ctrl-C does: through the cleanup below.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # Clients queue while a command runs: each waits for the server's handshake, which follows the one before.
    with Listener((LOOPBACK, 0), backlog=16, authkey=authkey) as listener:
        port = listener.address[1]
        path = write_server_file(settings.lakehouse_root, ServerInfo(port=port, pid=os.getpid(), authkey=authkey.hex(), conf=str(conf_dir().resolve())))
        say(STAGE, f"serving {settings.lakehouse_root} on {LOOPBACK}:{port} (pid {os.getpid()}); "
            f"`creatorlake` commands for this lakehouse now run here; stop with `creatorlake serve --stop`")
        try:
            while True:
                try:
                    connection = listener.accept()
                except (OSError, EOFError, AuthenticationError) as exc:
                    say(STAGE, f"refused a client: {exc}")
                    continue
                with connection:
                    try:
                        request = connection.recv()
                    except EOFError:
                        continue
                    if request.get("stop"):
                        connection.send(("exit", 0))
                        break
                    command = f"creatorlake {shlex.join(request['argv'])}"
                    say(STAGE, f"running: {command}")
                    code = _run_request(connection, [*request["argv"], "--lakehouse", request["lakehouse"]], dispatch, spark)
                    say(STAGE, f"done (exit {code}): {command}")
                    try:
                        connection.send(("exit", code))
                    except OSError:
                        pass
        except KeyboardInterrupt:
            say(STAGE, "stopping (Ctrl-C or SIGTERM)")
        finally:
            path.unlink(missing_ok=True)
    say(STAGE, f"stopped serving {settings.lakehouse_root}")
    return 0
