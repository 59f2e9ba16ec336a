"""The rendered dashboards in real headless Chromium: charts drawn, no console error, nothing fetched, filters work."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from creatorlake.commands.dashboards import SOURCE
from creatorlake.dashboards.browser import CHROMIUM, LAUNCH_ARGS
from creatorlake.dashboards.lakeview import dashboard_folders

pytestmark = pytest.mark.slow

PAGES = [f.name for f in dashboard_folders(SOURCE)]

# What a page shows: counter and table text, and the y values of every chart's traces.
SHOWN = """() => ({
  text: [...document.querySelectorAll('.counter-value, tbody')].map((e) => e.textContent),
  charts: [...document.querySelectorAll('.js-plotly-plot')].map((e) => JSON.stringify((e.data || []).map((t) => t.y))),
})"""
# Chart tiles whose data is there, and how many SVG marks plotly drew for each.
DRAWN = """() => [...document.querySelectorAll('section.tile-line, section.tile-bar, section.tile-waterfall')]
  .filter((s) => !s.querySelector('.missing'))
  .map((s) => ({tile: s.dataset.tile,
                traces: s.querySelectorAll('svg .trace').length,
                marks: s.querySelectorAll('svg .trace path.js-line, svg .trace .point path').length}))"""


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make setup` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(LAUNCH_ARGS))
        yield chromium
        chromium.close()


def check_page(browser, path: Path, screenshot: Path) -> float:
    """Assert the page draws every chart with no console error and no request off the machine,
    and that a filter changes the numbers shown; save a screenshot; return the load time in seconds."""
    from playwright.sync_api import Error as PlaywrightError

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    off_machine: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: errors.append(f"{request.url}: {request.failure}"))

    def only_local(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            off_machine.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    try:
        page.goto(path.as_uri(), wait_until="load")
        try:
            page.wait_for_selector("body[data-drawn]", timeout=5000)
        except PlaywrightError as exc:
            raise AssertionError(f"{path.name} never drew its tiles: {errors or exc}") from None
        load = page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000
        drawn = page.evaluate(DRAWN)
        assert drawn, f"{path.name} has no chart with data"
        blank = [d["tile"] for d in drawn if d["traces"] == 0 or d["marks"] == 0]
        assert not blank, f"{path.name}: charts without drawn data: {blank}"
        page.screenshot(path=str(screenshot), full_page=True)
        before = page.evaluate(SHOWN)
        assert _some_choice_changes_what_is_shown(page, before), f"{path.name}: no filter choice changed the numbers shown"
        assert not errors, f"{path.name}: console errors: {errors}"
        assert not off_machine, f"{path.name}: requests off the machine: {off_machine}"
        return load
    finally:
        context.close()


def _some_choice_changes_what_is_shown(page, before: dict) -> bool:
    """Try each filter's choices in turn until one changes the counters, tables or chart data."""
    selects = page.locator("nav.filters select")
    for i in range(selects.count()):
        select = selects.nth(i)
        for index in range(1, select.locator("option").count()):
            drawn = page.evaluate("() => document.body.dataset.drawn")
            select.select_option(index=index)
            page.wait_for_function(f"() => document.body.dataset.drawn !== '{drawn}'", timeout=5000)
            if page.evaluate(SHOWN) != before:
                return True
        select.select_option(index=0)
    return False


@pytest.mark.parametrize("name", PAGES)
def test_page_draws_filters_and_stays_local(browser, rendered_site, tmp_path, name):
    shot = tmp_path / f"{name}.png"
    # The load time is a benchmark's figure, not a test's: this only proves the page works.
    check_page(browser, rendered_site / f"{name}.html", shot)
    assert shot.stat().st_size > 10_000


def test_index_links_every_page(browser, rendered_site):
    page = browser.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort())
    page.goto((rendered_site / "index.html").as_uri())
    links = page.locator("a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    page.close()
    assert sorted(links) == sorted(f"{name}.html" for name in PAGES)


def test_a_page_without_plotly_js_fails_the_check(browser, rendered_site, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(rendered_site, broken)
    (broken / "plotly.min.js").unlink()
    with pytest.raises(AssertionError):
        check_page(browser, broken / "monetization_overview.html", tmp_path / "broken.png")
