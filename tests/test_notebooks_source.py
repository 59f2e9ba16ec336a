"""Databricks source-format notebooks as Jupyter notebooks: the converter and the local stand-ins."""

from __future__ import annotations

from pathlib import Path

import pytest

from creatorlake.notebooks.kernel import Widgets, preamble
from creatorlake.notebooks.source import SOURCE_CELL, Cell, NotNotebookSource, parse_cells, to_notebook

REPO_ROOT = Path(__file__).resolve().parents[1]
SEP = "\n\n# COMMAND ----------\n\n"


def source(*cells: str) -> str:
    return "# Databricks notebook source\n" + SEP.join(cells) + "\n"


def test_md_sql_and_python_cells_become_markdown_and_code_in_order():
    text = source(
        "# MAGIC %md\n# MAGIC # Title\n# MAGIC\n# MAGIC Some *words*.",
        "# MAGIC %sql\n# MAGIC select 1 as one\n# MAGIC from t;",
        "x = 1\nprint(x)",
    )
    assert parse_cells(text) == [
        Cell("markdown", "# Title\n\nSome *words*.", 1),
        Cell("code", 'display(spark.sql("""select 1 as one\nfrom t"""))', 2),
        Cell("code", "x = 1\nprint(x)", 3),
    ]


def test_pip_and_restart_cells_are_dropped_and_numbers_still_count_them():
    text = source("# MAGIC %pip install --quiet ..", "# MAGIC %restart_python", "y = 2")
    assert parse_cells(text) == [Cell("code", "y = 2", 3)]


def test_a_sql_query_with_triple_quotes_or_backslashes_stays_the_same_query():
    query = "select '\"\"\"' as q, 'a\\\\b' as r"
    (cell,) = parse_cells(source("# MAGIC %sql\n# MAGIC " + query))
    assert cell.kind == "code" and cell.source.startswith("display(spark.sql(")
    captured = {}
    exec(cell.source, {"display": lambda x: None, "spark": type("S", (), {"sql": staticmethod(lambda q: captured.setdefault("q", q))})})
    assert captured["q"] == query


def test_a_python_magic_cell_is_code_and_an_unknown_magic_is_refused():
    assert parse_cells(source("# MAGIC %python\n# MAGIC z = 3")) == [Cell("code", "z = 3", 1)]
    with pytest.raises(NotNotebookSource, match="%scala"):
        parse_cells(source("# MAGIC %scala\n# MAGIC val x = 1"))


def test_a_file_without_the_header_is_not_a_notebook():
    with pytest.raises(NotNotebookSource, match="first line"):
        parse_cells("x = 1\n")


def test_the_notebook_starts_with_the_preamble_and_keeps_each_cells_source_number():
    nb = to_notebook([Cell("markdown", "# T", 1), Cell("code", "x = 1", 4)], preamble="spark = None")
    assert [(c.cell_type, c.source) for c in nb.cells] == [("code", "spark = None"), ("markdown", "# T"), ("code", "x = 1")]
    assert [c.metadata.get(SOURCE_CELL) for c in nb.cells] == [None, 1, 4]


def test_widgets_return_the_runners_value_else_the_declared_default():
    widgets = Widgets({"catalog": "main"})
    widgets.text("catalog", "")
    widgets.text("schema_prefix", "dev_")
    assert (widgets.get("catalog"), widgets.get("schema_prefix")) == ("main", "dev_")
    with pytest.raises(ValueError, match="no widget named 'other'"):
        widgets.get("other")


def test_the_preamble_defines_spark_display_and_dbutils_with_the_given_widgets():
    namespace: dict = {}
    exec(preamble({"schema_prefix": "nb_"}).replace("spark = get_spark()", "spark = None"), namespace)
    assert namespace["dbutils"].widgets.get("schema_prefix") == "nb_"
    assert callable(namespace["display"])
    assert "spark = get_spark()" in preamble({})


@pytest.mark.parametrize("path", sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.py")), ids=lambda p: p.name)
def test_every_analysis_notebook_converts_and_declares_the_two_widgets(path):
    cells = parse_cells(path.read_text())
    code = "\n".join(c.source for c in cells if c.kind == "code")
    assert cells[0].kind == "markdown" and cells[0].source.startswith("# ")
    assert 'dbutils.widgets.text("catalog"' in code and 'dbutils.widgets.text("schema_prefix"' in code
    assert "gold_namer(" in code, "tables are named through the package"
    compile(code, str(path), "exec")
