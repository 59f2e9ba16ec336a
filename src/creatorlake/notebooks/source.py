"""Databricks source-format notebooks (`.py`) as Jupyter notebooks: pure functions, no kernel.

jupytext reads `# MAGIC %sql` cells as markdown, so the format is parsed here. A cell is
the text between `# COMMAND ----------` lines; `# MAGIC %md` cells become markdown, `%sql`
cells a code cell that displays the query's result, plain Python cells stay code, and the
cells that set up a Databricks environment (`%pip`, `%restart_python`) are left out: the
local kernel already runs in the project's environment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import nbformat

HEADER = "# Databricks notebook source"
SEPARATOR = re.compile(r"^# COMMAND -{10,}\s*$", re.MULTILINE)
MAGIC = "# MAGIC"
# Magics that only prepare a Databricks environment: nothing to run locally.
ENVIRONMENT_MAGICS = ("%pip", "%restart_python")

# Cell metadata: the cell's number in the Databricks source.
SOURCE_CELL = "databricks_cell"

CellKind = Literal["markdown", "code"]


@dataclass(frozen=True)
class Cell:
    kind: CellKind
    source: str
    # The cell's place in the Databricks notebook (1 = the first), for error messages.
    number: int = 0


class NotNotebookSource(ValueError):
    """The text is not a Databricks source-format notebook."""


def _unmagic(lines: list[str]) -> list[str]:
    """The lines of a `# MAGIC` cell without the prefix (and the one space after it)."""
    out = []
    for line in lines:
        rest = line[len(MAGIC):] if line.startswith(MAGIC) else line
        out.append(rest[1:] if rest.startswith(" ") else rest)
    return out


def _sql_cell(query: str, number: int) -> Cell:
    # A triple-quoted string cannot hold triple quotes: the query is passed as a repr instead.
    literal = f'"""{query}"""' if '"""' not in query and not query.endswith('"') and "\\" not in query else repr(query)
    return Cell("code", f"display(spark.sql({literal}))", number)


def cell_of(text: str, number: int = 0) -> Cell | None:
    """One Databricks cell as a Jupyter cell, or None for a cell with nothing to run locally."""
    lines = text.strip("\n").splitlines()
    if not lines or not any(line.strip() for line in lines):
        return None
    if not lines[0].startswith(MAGIC):
        return Cell("code", "\n".join(lines).rstrip(), number)
    body = _unmagic(lines)
    magic, _, first = body[0].strip().partition(" ")
    rest = "\n".join([first, *body[1:]]).strip("\n")
    if magic == "%md":
        return Cell("markdown", rest, number)
    if magic == "%sql":
        return _sql_cell(rest.strip().rstrip(";"), number)
    if magic in ENVIRONMENT_MAGICS:
        return None
    if magic == "%python":
        return Cell("code", rest, number)
    raise NotNotebookSource(f"cell magic {magic or '(none)'} is not supported locally (only %md, %sql, %python, %pip, %restart_python)")


def parse_cells(text: str) -> list[Cell]:
    """The cells of a Databricks source-format notebook, in order."""
    first, _, body = text.partition("\n")
    if first.strip() != HEADER:
        raise NotNotebookSource(f"the first line is not '{HEADER}'")
    chunks = SEPARATOR.split(body)
    return [cell for number, chunk in enumerate(chunks, 1) if (cell := cell_of(chunk, number)) is not None]


def to_notebook(cells: list[Cell], preamble: str | None = None) -> nbformat.NotebookNode:
    """A Jupyter notebook of the cells, after a code cell holding `preamble` when one is given."""
    made = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if preamble is not None:
        nb.cells.append(nbformat.v4.new_code_cell(preamble))
    nb.cells.extend(made[cell.kind](cell.source, metadata={SOURCE_CELL: cell.number}) for cell in cells)
    return nb
