"""Tiles, filters and query results -> the static site's HTML (an index and one page per dashboard).

Pages open from disk: plotly.min.js, dashboard.js and dashboard.css sit beside them, and every
row a filter can select is embedded in the page, so nothing is fetched.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict
from importlib.resources import files

import plotly.io as pio

from creatorlake.dashboards.figures import STATUS_COLORS, figure
from creatorlake.dashboards.page import CHARTS, Filter, Tile, default_rows, filter_values

ASSETS = ("dashboard.js", "dashboard.css")
NOT_COMPUTED = "not computed yet"


def asset(name: str) -> str:
    return files("creatorlake.dashboards").joinpath("static", name).read_text()


def markdown_html(text: str) -> str:
    """The Markdown of text tiles: headings, paragraphs and **bold**; nothing else is needed."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(block))
        heading = re.match(r"(#{1,6})\s+(.*)", escaped)
        if heading:
            level = len(heading.group(1))
            blocks.append(f"<h{level}>{heading.group(2)}</h{level}>")
        else:
            blocks.append(f"<p>{escaped}</p>")
    return "\n".join(blocks)


def _missing_html(result: dict) -> str:
    return f'<div class="missing">{NOT_COMPUTED}: {html.escape(result["missing"])}</div>'


def _tile_body(tile: Tile, result: dict | None, first_chart: bool, shown: dict | None) -> str:
    if tile.kind == "text":
        return markdown_html(tile.text)
    if result is not None and "missing" in result:
        return _missing_html(result)
    if tile.kind == "counter":
        return '<div class="counter-value">–</div>'
    if tile.kind == "table":
        head = "".join(f"<th>{html.escape(name)}</th>" for name in tile.fields)
        return f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody></tbody></table></div>'
    return pio.to_html(
        figure(tile, shown),
        include_plotlyjs="directory" if first_chart else False,
        full_html=False,
        div_id=f"chart-{tile.id}",
        config={"displayModeBar": False, "responsive": True},
    )


def _filter_html(flt: Filter) -> str:
    label = html.escape(flt.title)
    if flt.kind == "date_range":
        inputs = '<input type="date" data-bound="from"> – <input type="date" data-bound="to">'
        return f'<div class="filter" data-filter="{flt.id}"><label>{label}</label>{inputs}</div>'
    return f'<div class="filter" data-filter="{flt.id}"><label>{label}</label><select></select></div>'


def _embedded(payload: dict) -> str:
    # `</` would end the script element early.
    return json.dumps(payload, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")


def page_html(display_name: str, tiles: list[Tile], filters: list[Filter], results: dict[str, dict], read_at: str) -> str:
    """One dashboard's page: filters on top, then its tiles in order, their data embedded."""
    first_chart = next((t.id for t in tiles if t.kind in CHARTS and "missing" not in results.get(t.dataset, {})), None)
    cells = []
    for tile in tiles:
        title = f'<h3>{html.escape(tile.title)}</h3>' if tile.title else ""
        result = results.get(tile.dataset)
        shown = default_rows(tile.dataset, result, filters, results) if result and "rows" in result else None
        body = _tile_body(tile, result, tile.id == first_chart, shown)
        cells.append(f'<section class="tile tile-{tile.kind} w{tile.width}" id="tile-{tile.id}" data-tile="{tile.id}">{title}{body}</section>')
    payload = {
        "tiles": [asdict(t) for t in tiles if t.kind != "text"],
        "filters": [{**asdict(f), "values": filter_values(f, results)} for f in filters],
        "datasets": results,
        "statusColors": STATUS_COLORS,
    }
    name = html.escape(display_name)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{name} · CreatorLake</title>
<link rel="stylesheet" href="dashboard.css"></head>
<body>
<header><a href="index.html">CreatorLake dashboards</a><h1>{name}</h1>
<p class="read-at">Data read {html.escape(read_at)}</p></header>
<nav class="filters">{"".join(_filter_html(f) for f in filters)}</nav>
<main class="grid">
{chr(10).join(cells)}
</main>
<script type="application/json" id="dashboard-data">{_embedded(payload)}</script>
<script src="dashboard.js"></script>
</body></html>
"""


def index_html(pages: list[tuple[str, str]], read_at: str) -> str:
    """The site's index: a link per dashboard page, as (file name, display name)."""
    links = "\n".join(f'<li><a href="{html.escape(f)}">{html.escape(n)}</a></li>' for f, n in pages)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>CreatorLake dashboards</title>
<link rel="stylesheet" href="dashboard.css"></head>
<body><header><h1>CreatorLake dashboards</h1><p class="read-at">Data read {html.escape(read_at)}</p></header>
<main><ul class="index">
{links}
</ul></main></body></html>
"""
