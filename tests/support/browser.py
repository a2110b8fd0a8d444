"""Real Chromium (Debian's package) driven by Playwright, a live server of
the application on loopback, and axe-core checks on every page visited."""

import shutil
import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.support.accounts import PASSWORD

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Chromium is missing: install Debian's package (apt-get install -y chromium)")
    return path


def submit(page, name: str) -> None:
    """Click the button ``name`` of the page's main content and wait for the
    page the form post loads (the way without JavaScript)."""
    with page.expect_navigation():
        page.locator("#main-content").get_by_role("button", name=name, exact=True).first.click()


def press(page, name: str, js_enabled: bool) -> None:
    """Click the button ``name`` of a form that htmx sends when JavaScript is
    on (wait for its answer to be swapped and settled), or that loads a page
    without JavaScript."""
    if not js_enabled:
        submit(page, name)
        return
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.locator("#main-content").get_by_role("button", name=name, exact=True).first.click()
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def log_in(page, base_url: str, identifiant: str, password: str = PASSWORD, path: str = "/connexion") -> None:
    """Log in through the login page at ``path``."""
    page.goto(base_url + path)
    page.get_by_label("Identifiant", exact=True).fill(identifiant)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    submit(page, "Se connecter")


class LiveServer:
    """The application served by werkzeug in a thread, on a real socket."""

    def __init__(self, app, port: int):
        self.app = app
        self.url = f"http://127.0.0.1:{port}"
        self._server = make_server("127.0.0.1", port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=10)


class AccessibilityChecker:
    """Runs axe-core (WCAG 2.1 A/AA) on a page. A page rendered with
    JavaScript off is checked by serving its HTML to a JavaScript-enabled
    page at the same address (axe itself needs JavaScript)."""

    def __init__(self, browser):
        self.browser = browser
        self.axe = Axe()
        self.checked: list[str] = []

    def check(self, page, js_enabled: bool, label: str = "") -> None:
        target = page
        helper_context = None
        # A click that navigates returns once the new document is committed,
        # possibly before its HTML arrived: check the page once it has loaded.
        page.wait_for_load_state("load")
        if not js_enabled:
            html = page.content()
            helper_context = self.browser.new_context()
            target = helper_context.new_page()
            target.route(page.url, lambda route: route.fulfill(status=200, body=html, content_type="text/html; charset=utf-8"))
            target.goto(page.url)
        try:
            results = self.axe.run(target, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        finally:
            if helper_context is not None:
                helper_context.close()
        self.checked.append(f"{label or page.url} ({page.title()})")
        assert results.violations_count == 0, f"{page.url} {page.title()}\n{results.generate_report()}"
