"""Query results -> plotly figures and pages: the pure parts of `dashboards render`."""

from __future__ import annotations

import json
import re

from creatorlake.dashboards.figures import STATUS_COLORS, figure, series
from creatorlake.dashboards.page import Filter, Tile
from creatorlake.dashboards.results import missing, result
from creatorlake.dashboards.site import NOT_COMPUTED, markdown_html, page_html

LINE = Tile("weekly", "line", "Weekly", 3, dataset="weekly", x="week", y="usd", color="stream")
WATERFALL = Tile("drivers_waterfall", "waterfall", "Drivers", 3, dataset="drivers", x="driver", y="usd")


def test_series_sum_y_per_series_and_x_in_first_seen_order():
    rows = result(["week", "stream", "usd"], [["w2", "ads", 1.0], ["w1", "ads", 2.0], ["w2", "ads", 3.0], ["w1", "subs", None], ["w1", "subs", 5.0]])
    assert series(LINE, rows) == {"ads": (["w2", "w1"], [4.0, 2.0]), "subs": (["w1"], [5.0])}


def test_waterfall_ends_in_a_total_equal_to_the_sum_of_its_contributions():
    contributions = [["listens", -30.5], ["cpm", 12.25], ["fill rate", -1.75]]
    (trace,) = figure(WATERFALL, result(["driver", "usd"], contributions)).data
    assert trace.type == "waterfall"
    assert list(trace.measure) == ["relative", "relative", "relative", "total"]
    assert list(trace.x)[:-1] == [c[0] for c in contributions]
    # plotly draws a total bar as the running sum of what precedes it.
    assert sum(list(trace.y)[:-1]) == sum(c[1] for c in contributions)


def test_health_states_keep_their_colours():
    tile = Tile("states", "bar", "States", 3, dataset="states", x="metric", y="creators", color="status")
    rows = result(["metric", "status", "creators"], [["churn", "critical", 2], ["churn", "healthy", 5]])
    colors = {t.name: t.marker.color for t in figure(tile, rows).data}
    assert colors == {"critical": STATUS_COLORS["critical"], "healthy": STATUS_COLORS["healthy"]}


def test_results_turn_spark_values_into_json():
    import datetime as dt
    from decimal import Decimal

    converted = result(["d", "m", "r"], [[dt.date(2026, 3, 2), Decimal("12.50"), float("nan")]])
    assert json.loads(json.dumps(converted, allow_nan=False)) == {"columns": ["d", "m", "r"], "rows": [["2026-03-02", 12.5, None]]}


def test_a_page_embeds_its_rows_and_marks_absent_tables():
    tiles = [Tile("about", "text", "", 6, text="## Hello\n\nSome **bold** text"), LINE, Tile("impact", "table", "Impact", 6, dataset="impact", fields=("a",))]
    rows = result(["week", "stream", "usd"], [["2026-03-02", "ads", 1.5]])
    filters = [Filter("stream", "single", "Stream", (("weekly", "stream"),))]
    page = page_html("Demo </script>", tiles, filters, {"weekly": rows, "impact": missing({"gold.feature_impact"})}, "2026-03-02 10:00 UTC")
    embedded = json.loads(re.search(r'id="dashboard-data">(.*?)</script>', page, re.S).group(1))
    assert embedded["datasets"]["weekly"] == rows
    assert f"{NOT_COMPUTED}: gold.feature_impact does not exist" in page
    assert re.findall(r'data-tile="([^"]+)"', page) == ["about", "weekly", "impact"]
    assert "<title>Demo &lt;/script&gt; · CreatorLake</title>" in page
    assert page.count('src="plotly.min.js"') == 1


def test_markdown_tiles_escape_html_and_keep_headings_and_bold():
    assert markdown_html("## A <b>\n\nx **y** z") == "<h2>A &lt;b&gt;</h2>\n<p>x <strong>y</strong> z</p>"
