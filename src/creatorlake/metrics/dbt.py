"""The dbt side of the metric catalog: `dbt/macros/metric_catalog.sql`, rendered from
`creatorlake.metrics.catalog`.

Regenerate after changing the catalog, from the repository root:

    python -m creatorlake.metrics.dbt            # writes dbt/macros/metric_catalog.sql

A test renders it again and fails when the committed file is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from creatorlake.metrics.catalog import BY_NAME, METRICS, RAW_KINDS, SEGMENT_KEYS

MACRO_PATH = Path("dbt") / "macros" / "metric_catalog.sql"
COMMAND = "python -m creatorlake.metrics.dbt"


def _jinja(value) -> str:
    """A Python literal as Jinja reads it (tuples become lists; None becomes none)."""
    if value is None:
        return "none"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_jinja(v) for v in value) + "]"
    return str(value)


def _raw_entry(metric) -> tuple:
    if metric.kind == "total":
        return (metric.name, metric.kind, tuple(BY_NAME[p].source for p in metric.parts))
    return (metric.name, metric.kind, metric.source)


def _macro(name: str, doc: str, entries: list) -> str:
    rows = "".join(f"        {_jinja(entry)},\n" for entry in entries)
    return f"{{#- {doc} -#}}\n{{% macro {name}() -%}}\n    {{{{ return([\n{rows}    ]) }}}}\n{{%- endmacro %}}\n"


def render_macros() -> str:
    raw = [_raw_entry(m) for m in METRICS if m.kind in RAW_KINDS]
    ratios = [(m.name, m.numerator, m.denominator, m.scale) for m in METRICS if m.kind == "ratio"]
    header = (
        f"{{#- Generated from creatorlake.metrics.catalog by `{COMMAND}`: do not edit,\n"
        f"    change the catalog and regenerate. -#}}\n"
    )
    return "\n".join([
        header,
        _macro("metric_catalog_raw",
               "The raw metrics in column order: (column, kind, the int_podcast_activity column a count/money sums or a distinct counts; for the total, the columns it adds).",
               raw),
        _macro("metric_catalog_ratios",
               "The ratios in column order: (column, numerator, denominator, scale), column = scale * numerator / denominator.",
               ratios),
        _macro("metric_catalog_segment_keys",
               "The creator attributes a segment is a value of (null meaning all).",
               list(SEGMENT_KEYS)),
    ])


def write_generated(text: str, default_path: Path, argv: list[str] | None = None) -> int:
    """Write a file generated from the catalog to the path on the command line, else its place in the project."""
    argv = sys.argv[1:] if argv is None else argv
    path = Path(argv[0]) if argv else default_path
    path.write_text(text)
    print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return write_generated(render_macros(), MACRO_PATH, argv)


if __name__ == "__main__":
    raise SystemExit(main())
