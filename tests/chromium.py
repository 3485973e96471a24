"""Debian's Chromium for the browser tests: where it is, how it starts, and a page that records
the console errors and the requests it makes (the pages must make none but their own)."""

from __future__ import annotations

import os

CHROMIUM = os.environ.get("CHAINRULE_CHROMIUM", "/usr/bin/chromium")
# No background networking: this machine's closed network refuses Chromium's own connections.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def watched_page(browser, width: int = 1400, height: int = 900):
    """(a new tab, its console errors, its requests): the lists fill as the tab runs."""
    page = browser.new_page(viewport={"width": width, "height": height})
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    return page, problems, requests
