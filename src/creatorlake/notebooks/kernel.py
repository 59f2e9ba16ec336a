"""What a notebook's kernel has on Databricks and not here: `display` and `dbutils.widgets`.

The runner's first cell imports these (and `spark` from the one session factory); the
notebooks call them exactly as they do on Databricks.
"""

from __future__ import annotations

import io
import json
import sys
from types import SimpleNamespace
from typing import Any, Mapping

# A DataFrame is shown by its first rows, as Databricks' display does; the rest are counted, not shown.
DISPLAY_ROWS = 20


def _is_spark_frame(obj: Any) -> bool:
    # Classic and Connect DataFrames are different classes; both come from pyspark.sql.
    return type(obj).__name__ == "DataFrame" and type(obj).__module__.startswith("pyspark.sql")


def _figure_png(figure: Any) -> bytes:
    """A matplotlib figure as PNG, whatever backend is active (the package's charts select Agg)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        # A pyplot figure would be shown a second time when the cell ends.
        pyplot.close(figure)
    return buffer.getvalue()


def display(obj: Any, rows: int = DISPLAY_ROWS) -> None:
    """A Spark DataFrame as a table of its first `rows` rows, saying how many more it has; a
    matplotlib figure as an image; anything else (a pandas frame) as IPython shows it."""
    from IPython.display import Image, Markdown
    from IPython.display import display as show
    from matplotlib.figure import Figure

    if isinstance(obj, Figure):
        show(Image(_figure_png(obj)))
        return
    if not _is_spark_frame(obj):
        show(obj)
        return
    shown = obj.limit(rows + 1).toPandas()
    show(shown.head(rows))
    if len(shown) > rows:
        more = obj.count() - rows
        show(Markdown(f"_The first {rows} rows are shown; {more:,} more are not._"))


class Widgets:
    """`dbutils.widgets` as a headless run needs it: a widget's value is the one the runner was
    given for it, else the default the notebook declares."""

    def __init__(self, values: Mapping[str, str]):
        self._given = dict(values)
        self._declared: dict[str, str] = {}

    def text(self, name: str, defaultValue: str = "", label: str | None = None) -> None:  # noqa: N803 (Databricks' name)
        self._declared[name] = defaultValue

    def dropdown(self, name: str, defaultValue: str, choices: list[str], label: str | None = None) -> None:  # noqa: N803
        self._declared[name] = defaultValue

    def get(self, name: str) -> str:
        if name in self._given:
            return self._given[name]
        if name in self._declared:
            return self._declared[name]
        raise ValueError(f"no widget named '{name}' (declare it with dbutils.widgets.text first)")

    def getAll(self) -> dict[str, str]:  # noqa: N802 (Databricks' name)
        return {**self._declared, **self._given}


def local_dbutils(values: Mapping[str, str]) -> SimpleNamespace:
    return SimpleNamespace(widgets=Widgets(values))


def preamble(widgets: Mapping[str, str]) -> str:
    """The first cell of a notebook run here: the Databricks globals, from the package."""
    return "\n".join([
        "# Added by `creatorlake notebooks run`: what Databricks provides a notebook.",
        "from creatorlake.core.spark import get_spark",
        "from creatorlake.notebooks.kernel import display, local_dbutils",
        "",
        "spark = get_spark()",
        f"dbutils = local_dbutils({json.dumps(dict(widgets), sort_keys=True)})",
    ])
