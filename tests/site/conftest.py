"""Fixtures for the website tests: the built site (_build/html) served on 127.0.0.1.

The site tests read the HTML that `jupyter-book build .` wrote; they never build it themselves
(`make test` builds first). Browser tests drive Debian's chromium through playwright with every
request to any host other than the local server aborted, so they see what an offline reader sees.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from site_helpers import CHROMIUM, CHROMIUM_ARGS, SITE, site_missing_reason


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: long-running check (fresh Binder-like venv); `make test-binder` runs it"
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # the signature is fixed by the base class
        pass


@pytest.fixture(scope="session")
def site_url():
    """Base URL (ending in '/') of the built site served by a threaded http.server."""
    reason = site_missing_reason()
    if reason:
        pytest.skip(reason)
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (Debian: apt-get install chromium; .ci/run does it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


class OfflinePage:
    """A playwright page on the local site, with its console errors and blocked requests."""

    def __init__(self, page, site_url: str):
        self.page = page
        self.site_url = site_url
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.blocked: list[str] = []
        self.failed: list[str] = []
        host = urlsplit(site_url).netloc

        def route(route):
            url = route.request.url
            if urlsplit(url).netloc == host:
                route.continue_()
            else:
                self.blocked.append(url)
                route.abort("internetdisconnected")

        page.route("**/*", route)
        page.on(
            "console",
            lambda msg: (
                self.console_errors.append(f"{msg.text} @ {msg.location.get('url', '')}")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda err: self.page_errors.append(f"{err}\n{err.stack or ''}"))
        page.on(
            "requestfailed",
            lambda req: (
                self.failed.append(f"{req.url} ({req.failure})")
                if urlsplit(req.url).netloc == host
                else None
            ),
        )

        page.on(
            "response",
            lambda resp: (
                self.failed.append(f"{resp.url} (HTTP {resp.status})")
                if resp.status >= 400 and urlsplit(resp.url).netloc == host
                else None
            ),
        )

    def goto(self, rel: str):
        self.page.goto(self.site_url + rel, wait_until="load")
        self.wait_for_math()
        return self.page

    def wait_for_math(self):
        """Wait until MathJax (if the page loads it) has typeset the page."""
        if self.page.query_selector('script[src*="mathjax"]') is None:
            return
        self.page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000
        )
        self.page.evaluate("() => MathJax.startup.promise.then(() => true)")


@pytest.fixture
def offline_page(browser, site_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        yield OfflinePage(page, site_url)
    finally:
        context.close()
