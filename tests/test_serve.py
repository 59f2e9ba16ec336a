"""`creatorlake serve`: a real server process on its own lakehouse, driven by real `creatorlake` commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client
from pathlib import Path

import pytest

from creatorlake.core.config import conf_dir, load_config
from creatorlake.core.errors import CreatorLakeError
from creatorlake.core.served import ServerInfo, running_server, server_file
from creatorlake.core.spark import refuse_if_served
from creatorlake.server import LOOPBACK, forward, reset_session

CLI = [sys.executable, "-m", "creatorlake.cli"]


def creatorlake(lakehouse: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args, "--lakehouse", str(lakehouse)], capture_output=True, text=True, timeout=600)


def wait_for_server(process: subprocess.Popen, lakehouse: Path, timeout: float = 300.0) -> ServerInfo:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server exited with {process.returncode}"
        info = running_server(lakehouse)
        if info is not None:
            return info
        time.sleep(0.5)
    raise AssertionError(f"no server for {lakehouse} after {timeout}s")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A lakehouse with a server running on it; the server's stderr is its log."""
    lakehouse = tmp_path_factory.mktemp("served")
    log = tmp_path_factory.mktemp("served-log") / "serve.log"
    with log.open("w") as log_file:
        process = subprocess.Popen([*CLI, "serve", "--lakehouse", str(lakehouse)], stdout=log_file, stderr=log_file, text=True)
    try:
        info = wait_for_server(process, lakehouse)
        yield lakehouse, process, info, log
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=120)


def test_commands_run_in_the_server_and_print_here(served):
    lakehouse, _, info, log = served
    created = creatorlake(lakehouse, "sql", "create or replace table bronze.served using delta as select 41 + 1 as answer")
    assert created.returncode == 0, created.stderr
    read = creatorlake(lakehouse, "sql", "select answer from bronze.served", "--format", "json")
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout) == {"answer": 42}
    # They ran in the server's JVM: its log names them, and no second JVM could have
    # opened the lakehouse's Derby metastore while the server holds it.
    assert "running: creatorlake sql 'select answer from bronze.served' --format json" in log.read_text()
    assert running_server(lakehouse) == info


def test_a_generate_job_runs_in_the_server(served):
    lakehouse, _, _, _ = served
    generated = creatorlake(lakehouse, "generate", "--days", "7", "--n-creators", "4", "--n-listeners", "200", "--seed", "5", "--incidents", "none")
    assert generated.returncode == 0, generated.stderr
    assert "[generate]" in generated.stderr  # the job's progress lines reach the client
    counted = creatorlake(lakehouse, "sql", "select count(*) as n from bronze.creators", "--format", "json")
    assert json.loads(counted.stdout)["n"] == 4


def test_a_failing_command_exits_non_zero_and_the_server_goes_on(served):
    lakehouse, process, _, _ = served
    bad = creatorlake(lakehouse, "sql", "select * from bronze.no_such_table")
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "no_such_table" in bad.stderr
    assert process.poll() is None
    again = creatorlake(lakehouse, "sql", "select 1 as one", "--format", "json")
    assert again.returncode == 0 and json.loads(again.stdout) == {"one": 1}


def test_a_second_server_for_the_lakehouse_is_refused(served):
    lakehouse, _, info, _ = served
    second = creatorlake(lakehouse, "serve")
    assert second.returncode == 2
    assert f"a server already runs for {lakehouse.resolve()} (pid {info.pid})" in second.stderr


def test_a_client_without_the_key_is_refused(served):
    _, process, info, _ = served
    with pytest.raises(AuthenticationError):
        Client((LOOPBACK, info.port), authkey=b"not the key")
    assert process.poll() is None


def test_sigterm_ends_the_server_and_removes_its_file(served):
    """The last test on the module's server: `kill` (a service manager) stops it cleanly."""
    lakehouse, process, _, log = served
    process.terminate()
    assert process.wait(timeout=120) == 0
    assert not server_file(lakehouse).exists()
    assert "stopped serving" in log.read_text()


def test_stop_ends_the_server_and_removes_its_file(tmp_path):
    lakehouse = tmp_path / "stopped"
    with (tmp_path / "serve.log").open("w") as log:  # a file, not a pipe nobody reads while the server runs
        process = subprocess.Popen([*CLI, "serve", "--lakehouse", str(lakehouse)], stdout=log, stderr=log)
    try:
        wait_for_server(process, lakehouse)
        stopped = creatorlake(lakehouse, "serve", "--stop")
        assert stopped.returncode == 0, stopped.stderr
        assert process.wait(timeout=120) == 0
        assert not server_file(lakehouse).exists()
        again = creatorlake(lakehouse, "serve", "--stop")
        assert again.returncode == 0 and "no server runs" in again.stderr
        # With no server, a command runs in its own process again.
        alone = creatorlake(lakehouse, "sql", "select 2 as two", "--format", "json")
        assert alone.returncode == 0 and json.loads(alone.stdout) == {"two": 2}
    finally:
        if process.poll() is None:
            process.kill()


def _write_server_file(lakehouse: Path, pid: int, conf: str | None = None) -> ServerInfo:
    info = ServerInfo(port=1, pid=pid, authkey="00", conf=conf or str(conf_dir().resolve()))
    lakehouse.mkdir(parents=True, exist_ok=True)
    server_file(lakehouse).write_text(json.dumps(info.__dict__))
    return info


def test_a_file_left_by_a_killed_server_is_removed(tmp_path):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    _write_server_file(tmp_path, pid=int(finished.stdout))
    assert running_server(tmp_path) is None
    assert not server_file(tmp_path).exists()


def test_an_unreadable_server_file_is_one_line(tmp_path):
    server_file(tmp_path).write_text("{not json")
    with pytest.raises(CreatorLakeError, match="server.json is not a server file"):
        running_server(tmp_path)


def test_a_session_of_another_process_is_refused_while_a_server_holds_the_lakehouse(tmp_path):
    # The parent process (pytest's runner or the shell) stands in for a live server's pid.
    _write_server_file(tmp_path, pid=os.getppid())
    with pytest.raises(CreatorLakeError, match=f"process \\(pid {os.getppid()}\\) holds"):
        refuse_if_served(load_config(tmp_path))


def test_a_client_with_another_config_is_refused(tmp_path):
    info = _write_server_file(tmp_path, pid=os.getppid(), conf=str(tmp_path / "other-conf"))
    with pytest.raises(CreatorLakeError, match="runs with the config in .*other-conf"):
        forward(info, ["sql", "select 1"], tmp_path)


def test_each_command_leaves_the_session_as_a_fresh_process_finds_it(spark):
    conf_before = spark.conf.getAll
    partitions = spark.conf.get("spark.sql.shuffle.partitions")
    spark.sql("create or replace table bronze.serve_cached using delta as select 1 as x")
    spark.catalog.cacheTable("bronze.serve_cached")
    spark.range(3).createOrReplaceTempView("serve_leftover")
    spark.conf.set("spark.sql.shuffle.partitions", str(int(partitions) + 7))
    spark.conf.set("creatorlake.serve.test", "left behind")

    reset_session(spark, conf_before)

    assert not spark.catalog.isCached("bronze.serve_cached")
    assert not spark.catalog.tableExists("serve_leftover")
    assert spark.conf.get("spark.sql.shuffle.partitions") == partitions
    assert spark.conf.get("creatorlake.serve.test", None) is None
    assert spark.conf.getAll == conf_before


def test_a_static_setting_that_differs_is_left_alone_not_an_error(spark):
    """A `creatorlake transform` in the server ran dbt's session builder, which lists static settings such as
    spark.jars.ivy; putting those back raised CANNOT_MODIFY_CONFIG and took the server down after the build."""
    conf_before = {**spark.conf.getAll, "spark.jars.ivy": "/elsewhere/ivy"}
    partitions = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", str(int(partitions) + 3))

    reset_session(spark, conf_before)

    assert spark.conf.get("spark.sql.shuffle.partitions") == partitions
    assert spark.conf.get("spark.jars.ivy", None) != "/elsewhere/ivy"


def test_a_server_that_does_not_answer_is_one_line_naming_its_file(tmp_path):
    # A live pid (this test's parent) whose port nobody listens on: the pid was reused, say.
    info = _write_server_file(tmp_path, pid=os.getppid())
    with pytest.raises(CreatorLakeError, match=f"cannot reach the server on port 1 .*remove {server_file(tmp_path)}"):
        forward(info, ["sql", "select 1"], tmp_path)
