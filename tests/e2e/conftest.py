"""End-to-end fixtures: Chromium, a live server with CSRF on and a real SMTP
server, and a page fixture that checks accessibility on every load."""

import pytest
from playwright.sync_api import sync_playwright

from tests.support.browser import CHROMIUM_ARGS, AccessibilityChecker, LiveServer, chromium_path
from tests.support.smtp import free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_server(make_app, smtp_server):
    port = free_port()
    app = make_app(
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        WTF_CSRF_ENABLED=True,
        **smtp_server.app_config(),
    )
    server = LiveServer(app, port)
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def js_enabled(request):
    return request.param


@pytest.fixture
def page(browser, js_enabled):
    """A fresh browser context (JavaScript on or off) and its page; any
    JavaScript error or CSP violation is collected in ``page.errors``."""
    context = browser.new_context(java_script_enabled=js_enabled, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        # 4xx answers (422 forms, 404 pages) are expected; CSP refusals and script errors are not.
        lambda msg: msg.type == "error" and not msg.text.startswith("Failed to load resource") and errors.append(msg.text),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    yield page
    context.close()


@pytest.fixture
def a11y(browser, page, js_enabled):
    """``a11y("label")``: axe-core finds no WCAG 2.1 A/AA violation on the
    current page, and no JavaScript error or CSP violation happened."""
    checker = AccessibilityChecker(browser)

    def check(label=""):
        checker.check(page, js_enabled, label)
        assert page.errors == [], page.errors

    return check
