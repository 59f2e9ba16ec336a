"""Query results -> plotly figures. A result is {"columns": [...], "rows": [[...], ...]}."""

from __future__ import annotations

import plotly.graph_objects as go

from creatorlake.dashboards.page import WATERFALL, Tile

# Health states keep their meaning's colour wherever they are a series.
STATUS_COLORS = {"healthy": "#2e9e44", "warning": "#e8a317", "critical": "#d62728"}
LAYOUT = dict(
    template="plotly_white",
    margin=dict(l=56, r=16, t=16, b=48),
    height=320,
    legend=dict(orientation="h", y=-0.2),
    font=dict(family="system-ui, sans-serif", size=12),
)


def series(tile: Tile, result: dict) -> dict[str | None, tuple[list, list]]:
    """{series name: (x, summed y)} in first-appearance order; one unnamed series without a color field."""
    columns = result["columns"]
    x_at, y_at = columns.index(tile.x), columns.index(tile.y)
    color_at = columns.index(tile.color) if tile.color else None
    sums: dict[str | None, dict] = {}
    for row in result["rows"]:
        if row[y_at] is None:
            continue
        points = sums.setdefault(None if color_at is None else row[color_at], {})
        points[row[x_at]] = points.get(row[x_at], 0) + row[y_at]
    return {name: (list(points), list(points.values())) for name, points in sums.items()}


def _trace(tile: Tile, name: str | None, x: list, y: list) -> go.BaseTraceType:
    color = STATUS_COLORS.get(name) if name else None
    if tile.kind == WATERFALL:
        return go.Waterfall(
            x=[*x, "change"], y=[*y, 0], measure=["relative"] * len(x) + ["total"], name=name or tile.y,
            connector=dict(line=dict(color="#999")),
        )
    if tile.kind == "bar":
        return go.Bar(x=x, y=y, name=name or tile.y, marker_color=color)
    return go.Scatter(x=x, y=y, name=name or tile.y, mode="lines+markers", line_color=color)


def figure(tile: Tile, result: dict) -> go.Figure:
    """The tile's chart of a query result: a trace per series, bars stacked, a waterfall ending in its total."""
    traces = [_trace(tile, name, x, y) for name, (x, y) in series(tile, result).items()]
    fig = go.Figure(data=traces)
    fig.update_layout(**LAYOUT, barmode="stack", showlegend=tile.color is not None)
    fig.update_xaxes(title_text=tile.x_title, type="category" if tile.kind != "line" else None)
    fig.update_yaxes(title_text=tile.y_title)
    return fig
