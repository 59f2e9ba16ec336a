"""The browser that checks and times the rendered site: Debian's Chromium, headless, driven by Playwright.

Playwright's own browser download cannot work here, so it is pointed at the system one.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
)
