"""The `creatorlake` command line: the sql subcommand, one-line errors (exit 2 for bad input, 1 for
work that failed) and commands that print their own lines only."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from py4j.protocol import Py4JJavaError

from creatorlake.cli import build_parser, main
from creatorlake.commands.registry import PIPELINE, pipeline_command_lines
from creatorlake.core.spark import spark_error
from creatorlake.core.sql import format_rows

CLI = [sys.executable, "-m", "creatorlake.cli"]


def one_error_line(captured: str) -> str:
    lines = [line for line in captured.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one error line, got: {captured!r}"
    assert lines[0].startswith("creatorlake")
    return lines[0]


@pytest.mark.parametrize(
    "argv, names",
    [
        (["frobnicate"], "frobnicate"),
        (["sql", "select 1", "--colour", "red"], "--colour"),
        (["sql", "select 1", "--format", "xml"], "xml"),
        (["sql", "select 1", "--limit", "many"], "many"),
        (["run", "--skip", "nothing"], "nothing"),
        ([], "required"),
    ],
)
def test_bad_command_line_is_one_line_and_exit_2(capsys, argv, names):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert names in one_error_line(capsys.readouterr().err)


def test_bad_sql_is_one_line_and_exit_2(spark, capsys):
    assert main(["sql", "selec 1"]) == 2
    assert "syntax" in one_error_line(capsys.readouterr().err).lower()
    assert main(["sql", "select * from bronze.no_such_table"]) == 2
    assert "no_such_table" in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize("limit", ["-1", "0"])
def test_a_limit_below_one_is_rejected(spark, capsys, limit):
    assert main(["sql", "select 1", "--limit", limit]) == 2
    assert "--limit" in one_error_line(capsys.readouterr().err)


def test_a_query_that_fails_while_running_is_one_line_and_exit_1(spark, capsys):
    # Spark 4 is ANSI: the cast fails in a task, not in analysis.
    assert main(["sql", "select cast(concat('x', id) as int) from range(3)"]) == 1
    assert "CAST_INVALID_INPUT" in one_error_line(capsys.readouterr().err)


def test_a_jvm_error_pyspark_does_not_convert_is_named_on_one_line(spark, tmp_path):
    missing = tmp_path / "no-such-file"
    with pytest.raises(Py4JJavaError) as raised:
        spark.sparkContext._jvm.java.io.FileInputStream(str(missing))
    assert spark_error(raised.value) == (f"java.io.FileNotFoundException: {missing} (No such file or directory)", 1)


def test_csv_and_json_print_every_row_unless_limited(spark, capsys):
    assert main(["sql", "select id from range(1234) order by id", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == ["id", *(str(i) for i in range(1234))]
    assert captured.err == ""
    assert main(["sql", "select id from range(1234) order by id", "--format", "json", "--limit", "3"]) == 0
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == [{"id": 0}, {"id": 1}, {"id": 2}]


@pytest.mark.parametrize("argv, shown", [([], 1000), (["--limit", "7"], 7)])
def test_the_table_says_how_many_rows_it_left_out(spark, capsys, argv, shown):
    assert main(["sql", "select id from range(1005) order by id", *argv]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[-1] == f"({shown} rows)" and lines[2:-1] == [str(i) for i in range(shown)]
    assert f"{1005 - shown:,} more row(s) not shown" in captured.err


def test_a_table_shown_whole_adds_no_note(spark, capsys):
    assert main(["sql", "select id from range(5)", "--limit", "5"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[-1] == "(5 rows)" and captured.err == ""


def test_sql_reads_tables_in_every_format(spark, settings, capsys):
    name = settings.table("bronze", "cli_probe")
    spark.createDataFrame([(1, "a,b"), (2, None)], "id int, label string").write.format("delta").mode(
        "overwrite"
    ).saveAsTable(name)

    assert main(["sql", f"select * from {name} order by id", "--format", "json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows == [{"id": 1, "label": "a,b"}, {"id": 2, "label": None}]

    assert main(["sql", f"select * from {name} order by id", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["id,label", '1,"a,b"', "2,"]

    assert main(["sql", f"select * from {name} order by id", "--limit", "1"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["id", "|", "label"] and table[-1] == "(1 row)"


def test_table_format_aligns_columns_and_shows_null():
    text = format_rows(["a", "longer"], [(1, None), (22, "x")], "table")
    header, rule, first, second, footer = text.splitlines()
    assert header.index("|") == first.index("|") == second.index("|")
    assert "NULL" in first and footer == "(2 rows)"


@pytest.fixture(scope="module")
def persisted(tmp_path_factory) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    """Two CLI processes over one new lakehouse: the first creates it (its metastore too) and a table in
    it, the second reads the table. Shared by the two tests below, as each JVM start takes many seconds."""
    lakehouse = str(tmp_path_factory.mktemp("cli") / "shared")
    create = subprocess.run(
        [*CLI, "sql", "--lakehouse", lakehouse, "create or replace table bronze.persisted using delta as select 41 + 1 as answer",
         "--format", "json"],
        capture_output=True, text=True, timeout=600,
    )
    read = subprocess.run([*CLI, "sql", "--lakehouse", lakehouse, "select answer from bronze.persisted", "--format", "json"],
                          capture_output=True, text=True, timeout=600)
    return create, read


def test_tables_written_by_one_process_are_seen_by_the_next(persisted):
    """The metastore persists under the lakehouse root, so a later process finds the tables."""
    create, read = persisted
    assert create.returncode == 0, create.stderr
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout) == {"answer": 42}


# Lines the JVM, Ivy, log4j or Spark's own logging would print on stderr.
NOISE = ("WARNING:", ":: ", "Ivy", "ivy", "log4j", "Setting default log level", " WARN ", " INFO ", " ERROR ", "\tat ", "Exception")


def test_a_command_prints_only_its_own_lines(persisted):
    """On a new lakehouse (the first process creates the metastore) as on one that exists."""
    create, read = persisted
    assert create.returncode == 0 and read.returncode == 0, create.stderr + read.stderr
    assert create.stdout == ""  # a statement without columns prints no json line
    assert json.loads(read.stdout) == {"answer": 42}
    for result in persisted:
        noise = [line for line in result.stderr.splitlines() if any(mark in line for mark in NOISE)]
        assert noise == []
        # The set-up's one line, should the jars not have been resolved yet, is the only other line allowed.
        assert all(line.startswith("[setup]") for line in result.stderr.splitlines()), result.stderr


def test_a_failing_query_shows_no_java_stack(tmp_path):
    result = subprocess.run([*CLI, "sql", "select 1 / (id - id) from range(2)", "--lakehouse", str(tmp_path / "fresh")],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 1
    assert result.stdout == ""
    assert [line for line in result.stderr.splitlines() if line.strip()] == [one_error_line(result.stderr)]
    assert "DIVIDE_BY_ZERO" in result.stderr


def test_a_lakehouse_another_process_holds_is_one_line_and_exit_1(spark, lakehouse):
    """This test session's JVM holds the suite lakehouse's embedded metastore, as a running command would."""
    spark.sql("show schemas").collect()
    result = subprocess.run([*CLI, "sql", "show tables in bronze", "--lakehouse", str(lakehouse)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert "metastore" in line and "in use by another process" in line and "creatorlake serve" in line


def test_an_unknown_log_level_is_one_line_before_spark_starts(tmp_path):
    env = {**os.environ, "CREATORLAKE_LOG_LEVEL": "loud"}
    result = subprocess.run([*CLI, "sql", "select 1", "--lakehouse", str(tmp_path / "fresh")],
                            capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 2
    assert "CREATORLAKE_LOG_LEVEL" in one_error_line(result.stderr) and "loud" in result.stderr


def test_verbose_turns_spark_logs_back_on(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CREATORLAKE_LOG_LEVEL"}
    result = subprocess.run([*CLI, "sql", "select 1 as one", "--format", "json", "--verbose", "--lakehouse", str(tmp_path / "fresh")],
                            capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"one": 1}
    assert any(" INFO SparkContext: " in line for line in result.stderr.splitlines())


@pytest.mark.parametrize(
    "flags, transform_line",
    [
        ([], ["transform", "--lakehouse", "LH", "--full-refresh"]),  # a new bronze world: gold is rebuilt, not appended to
        (["--skip", "generate"], ["transform", "--lakehouse", "LH"]),  # the same bronze, advanced incrementally
    ],
)
def test_run_rebuilds_silver_and_gold_only_after_a_fresh_generate(flags, transform_line):
    args = build_parser().parse_args(["run", "--lakehouse", "LH", *flags])
    lines = pipeline_command_lines(args)
    assert [line[0] for line in lines] == [stage for stage in PIPELINE if stage not in args.skip]
    assert next(line for line in lines if line[0] == "transform") == transform_line
    assert all(line[1:] == ["--lakehouse", "LH"] for line in lines if line[0] != "transform")
