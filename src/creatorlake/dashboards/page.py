"""A serialized Lakeview dashboard -> the tiles and filters a static page draws, in layout order."""

from __future__ import annotations

from dataclasses import dataclass, field

# Lakeview has no waterfall widget: a bar tile whose id says `waterfall` is drawn as one here
# and as bars on Databricks.
WATERFALL = "waterfall"
CHARTS = ("line", "bar", WATERFALL)


@dataclass(frozen=True)
class Tile:
    id: str
    kind: str  # text | counter | table | line | bar | waterfall
    title: str
    width: int
    dataset: str | None = None
    fields: tuple[str, ...] = ()
    x: str | None = None
    y: str | None = None
    color: str | None = None
    x_title: str = ""
    y_title: str = ""
    text: str = ""


@dataclass(frozen=True)
class Filter:
    id: str
    kind: str  # single | multi | date_range
    title: str
    targets: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (dataset, column)


_FILTER_KINDS = {"filter-single-select": "single", "filter-multi-select": "multi", "filter-date-range-picker": "date_range"}


def _ordered_layout(dashboard: dict) -> list[dict]:
    layout = [item for page in dashboard["pages"] for item in page["layout"]]
    return sorted(layout, key=lambda item: (item["position"]["y"], item["position"]["x"]))


def _tile_id(widget: dict) -> str:
    return widget["name"].removesuffix("_widget")


def _tile(widget: dict, width: int) -> Tile:
    tile_id = _tile_id(widget)
    if "textbox_spec" in widget:
        return Tile(tile_id, "text", "", width, text=widget["textbox_spec"])
    spec = widget["spec"]
    query = widget["queries"][0]["query"]
    common = dict(
        title=spec.get("frame", {}).get("title", ""),
        width=width,
        dataset=query["datasetName"],
        fields=tuple(f["name"] for f in query["fields"]),
    )
    kind = spec["widgetType"]
    if kind == "counter":
        return Tile(tile_id, "counter", y=spec["encodings"]["value"]["fieldName"], **common)
    if kind in ("line", "bar"):
        encodings = spec["encodings"]
        return Tile(
            tile_id,
            WATERFALL if WATERFALL in tile_id else kind,
            x=encodings["x"]["fieldName"],
            y=encodings["y"]["fieldName"],
            color=encodings.get("color", {}).get("fieldName"),
            x_title=encodings["x"].get("displayName", ""),
            y_title=encodings["y"].get("displayName", ""),
            **common,
        )
    return Tile(tile_id, "table", **common)


def _filter(widget: dict) -> Filter:
    spec = widget["spec"]
    by_query = {q["name"]: q["query"]["datasetName"] for q in widget["queries"]}
    targets = sorted((by_query[e["queryName"]], e["fieldName"]) for e in spec["encodings"]["fields"])
    return Filter(_tile_id(widget), _FILTER_KINDS[spec["widgetType"]], spec.get("frame", {}).get("title", ""), tuple(targets))


def page_plan(dashboard: dict) -> tuple[list[Tile], list[Filter]]:
    """The tiles (text, counters, charts, tables) and the filters of a dashboard, in its layout order."""
    tiles, filters = [], []
    for item in _ordered_layout(dashboard):
        widget = item["widget"]
        if widget.get("spec", {}).get("widgetType", "") in _FILTER_KINDS:
            filters.append(_filter(widget))
        else:
            tiles.append(_tile(widget, item["position"]["width"]))
    return tiles, filters


# A single-select filter's rolled-up value: the row over every value of its column.
ALL = "All"


def filter_values(flt: Filter, results: dict[str, dict]) -> list[str]:
    """The values a filter offers, in the order its datasets first show them."""
    seen: dict[str, None] = {}
    for dataset, column in flt.targets:
        found = results.get(dataset, {})
        if "rows" not in found:
            continue
        at = found["columns"].index(column)
        seen.update((str(row[at]), None) for row in found["rows"] if row[at] is not None)
    return list(seen)


def default_rows(dataset: str, result: dict, filters: list[Filter], results: dict[str, dict]) -> dict:
    """The rows a page first shows: each single-select at `All` (its rolled-up rows) where the data
    has it, else at its first value; multi-selects and date ranges select everything."""
    rows = result["rows"]
    for flt in filters:
        if flt.kind != "single":
            continue
        values = filter_values(flt, results)
        chosen = ALL if ALL in values else (values[0] if values else None)
        for target, column in flt.targets:
            if target != dataset or chosen is None:
                continue
            at = result["columns"].index(column)
            if chosen == ALL and not any(row[at] == ALL for row in rows):
                continue
            rows = [row for row in rows if str(row[at]) == chosen]
    return {"columns": result["columns"], "rows": rows}
