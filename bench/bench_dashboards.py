"""Benchmark the local dashboards: `creatorlake dashboards render` on a lakehouse, then each page in Chromium.

  * render: the command as a user runs it (a fresh process, so a fresh JVM, reading every
    dataset query of the eight dashboards from gold and writing the site), median of --runs;
  * page load: each page opened from disk in headless Chromium (Debian's, through Playwright),
    from navigation until the page marks every tile drawn (`body[data-drawn]`), median of
    --loads loads per page in a fresh browser context each time.

Targets: render at most 2 minutes at the default scale; every page drawn in under 2 s.

    .venv/bin/python bench/bench_dashboards.py                          # the lakehouse `make run` built
    .venv/bin/python bench/bench_dashboards.py --lakehouse DIR --runs 3 --loads 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _harness import figure, header

from creatorlake.core.config import load_config
from creatorlake.dashboards.browser import CHROMIUM, LAUNCH_ARGS

RENDER_TARGET_S = 120.0
PAGE_TARGET_S = 2.0


def render_seconds(lakehouse: Path, out: Path) -> float:
    command = [sys.executable, "-m", "creatorlake.cli", "dashboards", "render", "--lakehouse", str(lakehouse), "--out", str(out)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"dashboards render failed: {(done.stderr.strip().splitlines() or ['no output'])[-1]}")
    return seconds


def page_seconds(browser, page_file: Path) -> float:
    """Seconds from navigation until every tile is drawn, in a fresh context (no cache)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(page_file.as_uri(), wait_until="load")
        page.wait_for_selector("body[data-drawn]", timeout=30_000)
        return time.perf_counter() - started
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lakehouse", type=Path, default=None, help="default: the configured lakehouse (`make run`'s)")
    parser.add_argument("--runs", type=int, default=3, help="renders to time")
    parser.add_argument("--loads", type=int, default=3, help="loads of each page to time")
    args = parser.parse_args(argv)
    lakehouse = (args.lakehouse or load_config().lakehouse_root).resolve()
    header(f"dashboards on {lakehouse} ({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})", args.runs)

    out = Path(tempfile.mkdtemp(prefix="bench-dashboards-")) / "site"
    renders = [render_seconds(lakehouse, out) for _ in range(args.runs)]
    render = statistics.median(renders)
    figure("dashboards render (fresh process)", render, f"s   (target <= {RENDER_TARGET_S:.0f} s)")

    from playwright.sync_api import sync_playwright

    pages = sorted(p for p in out.glob("*.html") if p.name != "index.html")
    slowest = 0.0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(LAUNCH_ARGS))
        for page_file in pages:
            seconds = statistics.median(page_seconds(browser, page_file) for _ in range(args.loads))
            slowest = max(slowest, seconds)
            figure(f"page {page_file.stem}, drawn after", seconds, f"s   ({page_file.stat().st_size / 1e6:.1f} MB)")
        browser.close()
    figure("slowest page", slowest, f"s   (target < {PAGE_TARGET_S:.0f} s)")
    print(f"site: {out}", flush=True)
    met = render <= RENDER_TARGET_S and slowest < PAGE_TARGET_S
    print("targets met" if met else "targets missed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
