"""End-to-end fixtures: Chromium, a live server with CSRF on and a real SMTP
server, and a page fixture that checks accessibility on every load."""

import pytest
from playwright.sync_api import sync_playwright

from tests.support.browser import CHROMIUM_ARGS, AccessibilityChecker, LiveServer, chromium_path
from tests.support.smtp import free_port
from tests.support.wizard import lycee_with_people, open_teleservices

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
def open_page(browser, js_enabled):
    """Open a page in a fresh browser context (one person), JavaScript on or
    off; any JavaScript error or CSP violation is collected in ``page.errors``."""
    contexts = []

    def factory():
        context = browser.new_context(java_script_enabled=js_enabled, locale="fr-FR")
        context.set_default_timeout(15_000)
        contexts.append(context)
        new_page = context.new_page()
        errors: list[str] = []
        new_page.on(
            "console",
            # 4xx answers (422 forms, 404 pages) are expected; CSP refusals and script errors are not.
            lambda msg: msg.type == "error" and not msg.text.startswith("Failed to load resource") and errors.append(msg.text),
        )
        new_page.on("pageerror", lambda error: errors.append(str(error)))
        new_page.errors = errors
        return new_page

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    return open_page()


@pytest.fixture
def a11y(browser, page, js_enabled):
    """``a11y("label")`` (or ``a11y("label", other_page)``): axe-core finds no
    WCAG 2.1 A/AA violation on the page, and no JavaScript error or CSP
    violation happened there."""
    checker = AccessibilityChecker(browser)

    def check(label="", target=None):
        target = target or page
        checker.check(target, js_enabled, label)
        assert target.errors == [], target.errors

    return check


@pytest.fixture
def portal(make_app, smtp_server, tmp_path):
    """``portal(**config)``: a live portal (CSRF checked, real SMTP) with the
    lycée's people and the téléservices open; returns the server."""
    servers = []

    def start(**config):
        port = free_port()
        app = make_app(PUBLIC_URL=f"http://127.0.0.1:{port}", WTF_CSRF_ENABLED=True, **smtp_server.app_config(), **config)
        with app.app_context():
            open_teleservices(tmp_path)
            lycee_with_people()
        server = LiveServer(app, port)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
