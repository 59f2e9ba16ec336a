"""The `creatorlake` command line: the sql subcommand and one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from creatorlake.cli import main
from creatorlake.core.sql import format_rows


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


def test_negative_limit_is_rejected(spark, capsys):
    assert main(["sql", "select 1", "--limit", "-1"]) == 2
    assert "--limit" in one_error_line(capsys.readouterr().err)


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


def test_tables_written_by_one_process_are_seen_by_the_next(tmp_path):
    """The metastore persists under the lakehouse root, so a later process finds the tables."""
    lakehouse = str(tmp_path / "shared")
    create = subprocess.run(
        [sys.executable, "-m", "creatorlake.cli", "sql", "--lakehouse", lakehouse,
         "create or replace table bronze.persisted using delta as select 41 + 1 as answer"],
        capture_output=True, text=True, timeout=600,
    )
    assert create.returncode == 0, create.stderr
    read = subprocess.run(
        [sys.executable, "-m", "creatorlake.cli", "sql", "--lakehouse", lakehouse,
         "select answer from bronze.persisted", "--format", "json"],
        capture_output=True, text=True, timeout=600,
    )
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout) == {"answer": 42}
