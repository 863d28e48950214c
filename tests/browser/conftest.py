"""Real-browser tests: Playwright's sync API driving Debian's Chromium.

Playwright's own browser download does not work here, so the tests use the
system Chromium and skip (with a reason) when it is missing, except in CI.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from pytest_django.live_server_helper import LiveServer

from tests.browser.directory_data import make_directory

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def pytest_collection_modifyitems(config, items):
    """Refuse an unmarked browser test: `-m 'not browser'` must leave them all out."""
    here = Path(__file__).parent
    unmarked = [
        item.nodeid
        for item in items
        if here in item.path.parents and not item.get_closest_marker("browser")
    ]
    if unmarked:
        raise pytest.UsageError(f"mark these with @pytest.mark.browser: {unmarked}")


@pytest.fixture(autouse=True)
def _default_language():
    """Reverse URLs (get_absolute_url) in the default language, whatever ran before.

    A test-client request to a Spanish page leaves Spanish active in this
    thread, and a browser test run after it would then open /es/ pages.
    """
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    # Playwright's sync API keeps an asyncio event loop running in this thread,
    # so Django would refuse the test's ORM calls ("you cannot call this from an
    # async context"). Nothing is really concurrent: the test and the browser
    # take turns, and the live server has its own thread. Only while the browser
    # runs, so the variable never leaks into other tests (check --deploy warns).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def _through_the_app(app):
    return app


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, with static files served the production way.

    Its default static handler looks files up by their source names and so
    cannot serve the hashed names of the manifest storage; passing requests
    through lets WhiteNoise serve the collected, compressed files, as in
    production (run `make static` first; `make test` does).
    """
    server = LiveServer("localhost", start=False)
    server.thread.static_handler = _through_the_app
    server.start()
    yield server
    server.stop()


@pytest.fixture
def open_context(browser, live_server):
    """Return a function opening a fresh browser context (a new anonymous visitor).

    Every request the context makes is recorded in `context.requests`.
    """
    contexts = []

    def open_(viewport=PHONE, **options):
        if viewport == PHONE:
            options.setdefault("is_mobile", True)
            options.setdefault("has_touch", True)
        context = browser.new_context(viewport=viewport, base_url=live_server.url, **options)
        requests = context.requests = []
        context.on("request", lambda request: requests.append(request))
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def phone(open_context):
    return open_context(PHONE).new_page()


@pytest.fixture
def desktop(open_context):
    return open_context(DESKTOP).new_page()


@pytest.fixture
def directory(transactional_db):
    """Demo-like listings made by the test itself (see directory_data.py)."""
    return make_directory()
